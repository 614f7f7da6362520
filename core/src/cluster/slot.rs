//! Hash slots: which of the 16384 slots a key (or shard channel) belongs to.
//!
//! A key's slot is CRC16 (the XMODEM variant: polynomial 0x1021, initial value
//! 0, no reflection) of the key, modulo 16384. When the key holds a hash tag —
//! a non-empty run of bytes between its first `{` and the next `}` — only the
//! tag is hashed, so `{user1000}.following` and `{user1000}.followers` share a
//! slot. An empty tag (`foo{}{bar}`) does not count: the whole key is hashed.

/// Number of hash slots in a cluster.
pub const SLOTS: usize = 16384;

/// CRC16 lookup table for polynomial 0x1021, built at compile time.
const TABLE: [u16; 256] = {
    let mut table = [0u16; 256];
    let mut byte = 0;
    while byte < 256 {
        let mut crc = (byte as u16) << 8;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 0x8000 != 0 { (crc << 1) ^ 0x1021 } else { crc << 1 };
            bit += 1;
        }
        table[byte] = crc;
        byte += 1;
    }
    table
};

/// CRC16/XMODEM of `bytes`.
pub fn crc16(bytes: &[u8]) -> u16 {
    bytes.iter().fold(0u16, |crc, &b| (crc << 8) ^ TABLE[((crc >> 8) as u8 ^ b) as usize])
}

/// The part of `key` that is hashed: its hash tag when it has a non-empty one.
pub fn hash_tag(key: &[u8]) -> &[u8] {
    let Some(open) = key.iter().position(|&b| b == b'{') else { return key };
    let rest = &key[open + 1..];
    match rest.iter().position(|&b| b == b'}') {
        Some(close) if close > 0 => &rest[..close],
        _ => key,
    }
}

/// The slot (0..16384) of a key or shard channel.
pub fn key_slot(key: &[u8]) -> u16 {
    crc16(hash_tag(key)) & (SLOTS as u16 - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_vectors() {
        assert_eq!(crc16(b"123456789"), 0x31C3);
        assert_eq!(crc16(b""), 0);
        let cases: &[(&[u8], u16)] = &[
            (b"somekey", 11058),
            (b"foo", 12182),
            (b"a", 15495),
            (b"x", 16287),
            (b"foo{hash_tag}", 2515),
            (b"bar{hash_tag}", 2515),
            (b"{user1000}.following", key_slot(b"user1000")),
            (b"{user1000}.followers", key_slot(b"user1000")),
            // An empty tag does not count: the whole key is hashed.
            (b"foo{}{bar}", 8363),
            (b"foo{{bar}}zap", key_slot(b"{bar")),
            (b"foo{bar}{zap}", key_slot(b"bar")),
            (b"{", crc16(b"{") & 16383),
            (b"}{", crc16(b"}{") & 16383),
        ];
        for (key, slot) in cases {
            assert_eq!(key_slot(key), *slot, "key {:?}", core::str::from_utf8(key));
        }
    }

    #[test]
    fn table_matches_the_bitwise_definition() {
        fn bitwise(bytes: &[u8]) -> u16 {
            let mut crc = 0u16;
            for &b in bytes {
                crc ^= (b as u16) << 8;
                for _ in 0..8 {
                    crc = if crc & 0x8000 != 0 { (crc << 1) ^ 0x1021 } else { crc << 1 };
                }
            }
            crc
        }
        let data: alloc::vec::Vec<u8> = (0..=255u8).chain(0..=255u8).collect();
        for len in 0..data.len() {
            assert_eq!(crc16(&data[..len]), bitwise(&data[..len]));
        }
    }
}
