//! Stream entry IDs and how Redis 7.0 reads them from arguments.

use alloc::vec::Vec;
use core::fmt;

use crate::args::parse_i64;

/// An entry ID `<ms>-<seq>`; ordered by time, then sequence.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StreamId {
    pub ms: u64,
    pub seq: u64,
}

impl StreamId {
    pub const MIN: StreamId = StreamId { ms: 0, seq: 0 };
    pub const MAX: StreamId = StreamId { ms: u64::MAX, seq: u64::MAX };

    pub const fn new(ms: u64, seq: u64) -> StreamId {
        StreamId { ms, seq }
    }

    pub fn is_zero(self) -> bool {
        self == StreamId::MIN
    }

    /// The next ID in order, `None` after the last possible one.
    pub fn next(self) -> Option<StreamId> {
        if self.seq < u64::MAX {
            Some(StreamId::new(self.ms, self.seq + 1))
        } else if self.ms < u64::MAX {
            Some(StreamId::new(self.ms + 1, 0))
        } else {
            None
        }
    }

    /// The previous ID in order, `None` before `0-0`.
    pub fn prev(self) -> Option<StreamId> {
        if self.seq > 0 {
            Some(StreamId::new(self.ms, self.seq - 1))
        } else if self.ms > 0 {
            Some(StreamId::new(self.ms - 1, u64::MAX))
        } else {
            None
        }
    }

    /// The ID as the 16 big-endian bytes Redis uses as its radix tree key.
    pub fn to_key(self) -> [u8; 16] {
        let mut key = [0u8; 16];
        key[..8].copy_from_slice(&self.ms.to_be_bytes());
        key[8..].copy_from_slice(&self.seq.to_be_bytes());
        key
    }

    /// `<ms>-<seq>` in decimal (replies build many: no `core::fmt` here).
    pub fn to_bytes(self) -> Vec<u8> {
        let mut out = Vec::with_capacity(24);
        push_u64(self.ms, &mut out);
        out.push(b'-');
        push_u64(self.seq, &mut out);
        out
    }
}

fn push_u64(n: u64, out: &mut Vec<u8>) {
    out.extend_from_slice(crate::args::u64_text(n, &mut [0u8; 20]));
}

impl fmt::Display for StreamId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.ms, self.seq)
    }
}

/// The ID argument of XADD.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AddId {
    /// `*`: from the clock.
    Auto,
    /// `<ms>-*`: the given time, the next free sequence number.
    AutoSeq(u64),
    Explicit(StreamId),
}

/// Redis's `string2ull`: a canonical `i64` that is not negative, or else what C's
/// `strtoull` accepts over the whole string (leading spaces, a sign — `-`
/// negates modulo 2^64 — and digits, without overflow).
pub fn parse_u64_loose(s: &[u8]) -> Option<u64> {
    if let Some(v) = parse_i64(s) {
        return u64::try_from(v).ok();
    }
    let mut rest = s;
    while let Some((&c, tail)) = rest.split_first() {
        if matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r') {
            rest = tail;
        } else {
            break;
        }
    }
    let negative = rest.first() == Some(&b'-');
    if matches!(rest.first(), Some(b'-' | b'+')) {
        rest = &rest[1..];
    }
    if rest.is_empty() {
        return None;
    }
    let mut value: u64 = 0;
    for &c in rest {
        if !c.is_ascii_digit() {
            return None;
        }
        value = value.checked_mul(10)?.checked_add((c - b'0') as u64)?;
    }
    Some(if negative { value.wrapping_neg() } else { value })
}

/// Longest ID argument Redis accepts (its parse buffer holds 127 bytes).
const MAX_ID_LEN: usize = 127;

/// Reads an ID argument. `-` and `+` mean the smallest and largest IDs unless
/// `strict`; a missing sequence is `missing_seq`. `Err(())` means invalid.
#[allow(clippy::result_unit_err)] // the caller picks the error text
pub fn parse(arg: &[u8], missing_seq: u64, strict: bool) -> Result<StreamId, ()> {
    match parse_general(arg, missing_seq, strict, false)? {
        AddId::Explicit(id) => Ok(id),
        _ => Err(()),
    }
}

/// Reads XADD's ID argument (`*`, `<ms>-*` or an explicit ID).
#[allow(clippy::result_unit_err)]
pub fn parse_for_add(arg: &[u8]) -> Result<AddId, ()> {
    if arg == b"*" {
        return Ok(AddId::Auto);
    }
    parse_general(arg, 0, true, true)
}

fn parse_general(arg: &[u8], missing_seq: u64, strict: bool, seq_may_be_auto: bool) -> Result<AddId, ()> {
    if arg.len() > MAX_ID_LEN {
        return Err(());
    }
    // The text ends at a NUL byte, as in C.
    let arg = &arg[..arg.iter().position(|&b| b == 0).unwrap_or(arg.len())];
    match arg {
        b"-" if !strict => return Ok(AddId::Explicit(StreamId::MIN)),
        b"+" if !strict => return Ok(AddId::Explicit(StreamId::MAX)),
        b"-" | b"+" => return Err(()),
        _ => {}
    }
    match arg.iter().position(|&b| b == b'-') {
        None => {
            let ms = parse_u64_loose(arg).ok_or(())?;
            Ok(AddId::Explicit(StreamId::new(ms, missing_seq)))
        }
        Some(dash) => {
            let ms = parse_u64_loose(&arg[..dash]).ok_or(())?;
            let seq_text = &arg[dash + 1..];
            if seq_may_be_auto && seq_text == b"*" {
                return Ok(AddId::AutoSeq(ms));
            }
            let seq = parse_u64_loose(seq_text).ok_or(())?;
            Ok(AddId::Explicit(StreamId::new(ms, seq)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_arguments() {
        let cases: &[(&[u8], Result<StreamId, ()>)] = &[
            (b"1-2", Ok(StreamId::new(1, 2))),
            (b"5", Ok(StreamId::new(5, 0))),
            (b"+5", Ok(StreamId::new(5, 0))),
            (b" 6", Ok(StreamId::new(6, 0))),
            (b"007-1", Ok(StreamId::new(7, 1))),
            (b"18446744073709551615-18446744073709551615", Ok(StreamId::MAX)),
            (b"18446744073709551616", Err(())),
            (b"-", Err(())),
            (b"+", Err(())),
            (b"-1", Err(())),
            (b"8-", Err(())),
            (b"9-x", Err(())),
            (b"", Err(())),
            (b"1-2-3", Err(())),
        ];
        for (arg, expected) in cases {
            assert_eq!(parse(arg, 0, true), *expected, "{:?}", core::str::from_utf8(arg));
        }
        assert_eq!(parse(b"-", 0, false), Ok(StreamId::MIN));
        assert_eq!(parse(b"+", 0, false), Ok(StreamId::MAX));
        assert_eq!(parse(b"3", u64::MAX, false), Ok(StreamId::new(3, u64::MAX)));
        assert_eq!(parse_for_add(b"*"), Ok(AddId::Auto));
        assert_eq!(parse_for_add(b"4-*"), Ok(AddId::AutoSeq(4)));
        assert_eq!(parse(b"4-*", 0, true), Err(()));
    }

    #[test]
    fn ids_print_as_ms_dash_seq() {
        for (id, text) in [
            (StreamId::MIN, "0-0"),
            (StreamId::new(1700000000000, 7), "1700000000000-7"),
            (StreamId::new(10, 0), "10-0"),
            (StreamId::MAX, "18446744073709551615-18446744073709551615"),
        ] {
            assert_eq!(id.to_bytes(), text.as_bytes());
            assert_eq!(alloc::format!("{}", id), text);
        }
    }

    #[test]
    fn order_and_neighbours() {
        assert!(StreamId::new(1, u64::MAX) < StreamId::new(2, 0));
        assert_eq!(StreamId::new(1, u64::MAX).next(), Some(StreamId::new(2, 0)));
        assert_eq!(StreamId::MAX.next(), None);
        assert_eq!(StreamId::new(2, 0).prev(), Some(StreamId::new(1, u64::MAX)));
        assert_eq!(StreamId::MIN.prev(), None);
    }
}
