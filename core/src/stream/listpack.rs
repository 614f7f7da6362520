//! The element encoding of Redis's listpack, written from its published format
//! description. Stream nodes store their entries this way, so a node's size in
//! bytes is what Redis's would be — approximate trimming and node splitting
//! depend on it — and the storage stays compact.
//!
//! A node here is the element area only: the 6-byte header and the end byte
//! are counted by [`HEADER_AND_END`] but not stored.
//!
//! Each element is an encoding byte (plus length bytes or integer data), the
//! string bytes, and a "backlen" giving the element's size so it can be walked
//! backwards. Strings that read as canonical 64-bit integers are stored as
//! integers, like Redis does.

use alloc::vec::Vec;

use crate::args::parse_i64;

/// Bytes of a listpack outside its elements: total-bytes (4), count (2), end (1).
pub const HEADER_AND_END: usize = 7;

/// One decoded element.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Elem<'a> {
    Int(i64),
    Str(&'a [u8]),
}

impl Elem<'_> {
    /// Whether the element was added as exactly these bytes.
    pub fn is(&self, bytes: &[u8]) -> bool {
        match *self {
            Elem::Str(s) => s == bytes,
            Elem::Int(v) => crate::args::i64_text(v, &mut [0; 20]) == bytes,
        }
    }
}

/// Bytes the encoding and data of integer `v` take.
fn int_body_len(v: i64) -> usize {
    if (0..=127).contains(&v) {
        1
    } else if (-4096..=4095).contains(&v) {
        2
    } else if (-32768..=32767).contains(&v) {
        3
    } else if (-8_388_608..=8_388_607).contains(&v) {
        4
    } else if (i32::MIN as i64..=i32::MAX as i64).contains(&v) {
        5
    } else {
        9
    }
}

/// Bytes the backlen of an element whose body is `body` bytes takes.
fn backlen_len(body: usize) -> usize {
    match body {
        0..=127 => 1,
        128..=16383 => 2,
        16384..=2_097_151 => 3,
        2_097_152..=268_435_455 => 4,
        _ => 5,
    }
}

fn str_body_len(len: usize) -> usize {
    if len < 64 {
        1 + len
    } else if len < 4096 {
        2 + len
    } else {
        5 + len
    }
}

/// Total bytes an integer element takes.
pub fn int_size(v: i64) -> usize {
    let body = int_body_len(v);
    body + backlen_len(body)
}

/// Total bytes the element storing `s` takes.
pub fn str_size(s: &[u8]) -> usize {
    match as_int(s) {
        Some(v) => int_size(v),
        None => {
            let body = str_body_len(s.len());
            body + backlen_len(body)
        }
    }
}

/// Whether a string is stored as an integer (Redis's `string2ll` rules).
fn as_int(s: &[u8]) -> Option<i64> {
    if s.len() > 20 {
        None
    } else {
        parse_i64(s)
    }
}

fn push_backlen(out: &mut Vec<u8>, body: usize) {
    if body <= 127 {
        out.push(body as u8);
        return;
    }
    // Seven bits per byte, most significant group first; every byte but the
    // last one written (the first read when walking backwards) has bit 7 set.
    let n = backlen_len(body);
    for i in (0..n).rev() {
        let mut byte = ((body >> (7 * i)) & 0x7f) as u8;
        if i != 0 {
            byte |= 0x80;
        }
        out.push(byte);
    }
}

/// The encoding of integer `v` (body and backlen) on the stack: bytes and length.
fn encode_int(v: i64) -> ([u8; 10], usize) {
    let mut out = [0u8; 10];
    let body = int_body_len(v);
    match body {
        1 => out[0] = v as u8,
        2 => {
            let u = (v as u64 & 0x1fff) as u16;
            out[0] = 0xc0 | (u >> 8) as u8;
            out[1] = u as u8;
        }
        3 => {
            out[0] = 0xf1;
            out[1..3].copy_from_slice(&(v as i16).to_le_bytes());
        }
        4 => {
            out[0] = 0xf2;
            out[1..4].copy_from_slice(&(v as i32).to_le_bytes()[..3]);
        }
        5 => {
            out[0] = 0xf3;
            out[1..5].copy_from_slice(&(v as i32).to_le_bytes());
        }
        _ => {
            out[0] = 0xf4;
            out[1..9].copy_from_slice(&v.to_le_bytes());
        }
    }
    // Integer bodies are at most 9 bytes: a one-byte backlen.
    out[body] = body as u8;
    (out, body + 1)
}

/// Appends an integer element.
pub fn push_int(out: &mut Vec<u8>, v: i64) {
    if (0..=127).contains(&v) {
        out.extend_from_slice(&[v as u8, 1]);
        return;
    }
    let (bytes, len) = encode_int(v);
    out.extend_from_slice(&bytes[..len]);
}

/// Appends a string element (as an integer when it reads as one).
pub fn push_str(out: &mut Vec<u8>, s: &[u8]) {
    if let Some(v) = as_int(s) {
        return push_int(out, v);
    }
    let start = out.len();
    let len = s.len();
    if len < 64 {
        out.push(0x80 | len as u8);
    } else if len < 4096 {
        out.push(0xe0 | (len >> 8) as u8);
        out.push(len as u8);
    } else {
        out.push(0xf0);
        out.extend_from_slice(&(len as u32).to_le_bytes());
    }
    out.extend_from_slice(s);
    let body = out.len() - start;
    push_backlen(out, body);
}

/// Decodes the element at `pos`; returns it and the position of the next one.
/// `None` on malformed data (which only a bug in this module could produce).
#[inline]
pub fn read(lp: &[u8], pos: usize) -> Option<(Elem<'_>, usize)> {
    // Small integers and short strings (the usual stream contents) first:
    // their backlen is one byte.
    let first = *lp.get(pos)?;
    if first & 0x80 == 0 {
        return Some((Elem::Int(first as i64), pos + 2));
    }
    if first & 0xc0 == 0x80 {
        let len = (first & 0x3f) as usize;
        return Some((Elem::Str(lp.get(pos + 1..pos + 1 + len)?), pos + 2 + len));
    }
    read_wide(lp, pos)
}

/// [`read`] for the encodings without a fast path.
fn read_wide(lp: &[u8], pos: usize) -> Option<(Elem<'_>, usize)> {
    let first = *lp.get(pos)?;
    let bytes = |from: usize, n: usize| lp.get(pos + from..pos + from + n);
    let (elem, body) = if first & 0x80 == 0 {
        (Elem::Int(first as i64), 1)
    } else if first & 0xc0 == 0x80 {
        let len = (first & 0x3f) as usize;
        (Elem::Str(bytes(1, len)?), 1 + len)
    } else if first & 0xe0 == 0xc0 {
        let raw = (((first & 0x1f) as u16) << 8) | *lp.get(pos + 1)? as u16;
        // Sign-extend 13 bits.
        let v = ((raw << 3) as i16 >> 3) as i64;
        (Elem::Int(v), 2)
    } else if first & 0xf0 == 0xe0 {
        let len = (((first & 0x0f) as usize) << 8) | *lp.get(pos + 1)? as usize;
        (Elem::Str(bytes(2, len)?), 2 + len)
    } else {
        match first {
            0xf0 => {
                let b = bytes(1, 4)?;
                let len = u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize;
                (Elem::Str(bytes(5, len)?), 5 + len)
            }
            0xf1 => {
                let b = bytes(1, 2)?;
                (Elem::Int(i16::from_le_bytes([b[0], b[1]]) as i64), 3)
            }
            0xf2 => {
                let b = bytes(1, 3)?;
                let v = i32::from_le_bytes([0, b[0], b[1], b[2]]) >> 8;
                (Elem::Int(v as i64), 4)
            }
            0xf3 => {
                let b = bytes(1, 4)?;
                (Elem::Int(i32::from_le_bytes([b[0], b[1], b[2], b[3]]) as i64), 5)
            }
            0xf4 => {
                let b = bytes(1, 8)?;
                let mut a = [0u8; 8];
                a.copy_from_slice(b);
                (Elem::Int(i64::from_le_bytes(a)), 9)
            }
            _ => return None,
        }
    };
    Some((elem, pos + body + backlen_len(body)))
}

/// Where the element after the one at `pos` starts, found from its encoding
/// byte(s) without decoding it (`None` where `read` would fail).
#[inline]
pub fn skip(lp: &[u8], pos: usize) -> Option<usize> {
    let first = *lp.get(pos)?;
    let body = if first & 0x80 == 0 {
        1
    } else if first & 0xc0 == 0x80 {
        1 + (first & 0x3f) as usize
    } else {
        return skip_wide(lp, pos);
    };
    let next = pos + body + 1;
    if next <= lp.len() {
        Some(next)
    } else {
        None
    }
}

/// [`skip`] for the encodings without a fast path.
fn skip_wide(lp: &[u8], pos: usize) -> Option<usize> {
    let first = *lp.get(pos)?;
    let body = if first & 0x80 == 0 {
        1
    } else if first & 0xc0 == 0x80 {
        1 + (first & 0x3f) as usize
    } else if first & 0xe0 == 0xc0 {
        2
    } else if first & 0xf0 == 0xe0 {
        2 + ((((first & 0x0f) as usize) << 8) | *lp.get(pos + 1)? as usize)
    } else {
        match first {
            0xf0 => {
                let b = lp.get(pos + 1..pos + 5)?;
                5 + u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize
            }
            0xf1 => 3,
            0xf2 => 4,
            0xf3 => 5,
            0xf4 => 9,
            _ => return None,
        }
    };
    let next = pos + body + backlen_len(body);
    if next <= lp.len() {
        Some(next)
    } else {
        None
    }
}

/// Decodes an integer element; strings that are not integers read as 0.
#[inline]
pub fn read_int(lp: &[u8], pos: usize) -> Option<(i64, usize)> {
    let (elem, next) = read(lp, pos)?;
    Some((
        match elem {
            Elem::Int(v) => v,
            Elem::Str(_) => 0,
        },
        next,
    ))
}

/// Replaces the integer element at `pos` with `v`; returns how many bytes
/// the node grew (negative: shrank), as later elements move by that much.
pub fn replace_int(lp: &mut Vec<u8>, pos: usize, v: i64) -> isize {
    let Some(next) = skip(lp, pos) else { return 0 };
    let (bytes, len) = encode_int(v);
    let old = next - pos;
    if old == len {
        lp[pos..next].copy_from_slice(&bytes[..len]);
    } else {
        lp.splice(pos..next, bytes[..len].iter().copied());
    }
    len as isize - old as isize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elements_round_trip_with_their_sizes() {
        let ints = [0i64, 127, 128, -1, -4096, 4095, 4096, -32768, 32767, 8_388_607, -8_388_608, i32::MAX as i64, i64::MIN, i64::MAX];
        for v in ints {
            let mut lp = Vec::new();
            push_int(&mut lp, v);
            assert_eq!(lp.len(), int_size(v), "{}", v);
            assert_eq!(read(&lp, 0), Some((Elem::Int(v), lp.len())));
            assert_eq!(skip(&lp, 0), Some(lp.len()));
            assert_eq!(skip(&lp[..lp.len() - 1], 0), None);
        }
        let strings: [&[u8]; 6] = [b"", b"click", &[b'x'; 63], &[b'y'; 64], &[b'z'; 4096], b"007"];
        for s in strings {
            let mut lp = Vec::new();
            push_str(&mut lp, s);
            assert_eq!(lp.len(), str_size(s));
            assert_eq!(read(&lp, 0), Some((Elem::Str(s), lp.len())));
            assert_eq!(skip(&lp, 0), Some(lp.len()));
            assert_eq!(skip(&lp[..lp.len() - 1], 0), None);
        }
        let mut lp = Vec::new();
        push_str(&mut lp, b"42");
        assert_eq!(lp, [42, 1]);
    }

    #[test]
    fn elements_compare_with_their_text() {
        for v in [0i64, 7, -1, 42, i64::MIN, i64::MAX] {
            let text = alloc::format!("{}", v);
            assert_eq!(crate::args::i64_text(v, &mut [0; 20]), text.as_bytes());
            assert!(Elem::Int(v).is(text.as_bytes()));
        }
        assert!(!Elem::Int(5).is(b"05"));
        assert!(Elem::Str(b"ab").is(b"ab"));
        assert!(!Elem::Str(b"ab").is(b"abc"));
    }

    #[test]
    fn replace_resizes() {
        let mut lp = Vec::new();
        push_int(&mut lp, 5);
        push_str(&mut lp, b"a");
        assert_eq!(replace_int(&mut lp, 0, 1000), 1);
        assert_eq!(replace_int(&mut lp, 0, 1001), 0);
        assert_eq!(read_int(&lp, 0), Some((1001, 3)));
        assert_eq!(replace_int(&mut lp, 0, 1000), 0);
        assert_eq!(read_int(&lp, 0), Some((1000, 3)));
        assert_eq!(read(&lp, 3).map(|e| e.0), Some(Elem::Str(b"a")));
    }
}
