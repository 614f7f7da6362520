//! Reading command arguments: a cursor over argv, and number parsing and
//! formatting with Redis's exact rules (`string2ll`, `strtod`, `%.17g`).

use alloc::string::String;
use alloc::vec::Vec;

use crate::error::Error;

/// A cursor over the arguments after the command name.
pub struct Args<'a> {
    argv: &'a [Vec<u8>],
    pos: usize,
}

impl<'a> Args<'a> {
    pub fn new(argv: &'a [Vec<u8>]) -> Self {
        Args { argv, pos: 0 }
    }

    pub fn remaining(&self) -> usize {
        self.argv.len() - self.pos
    }

    pub fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    /// The next argument, or a syntax error when there is none.
    pub fn next_bytes(&mut self) -> Result<&'a [u8], Error> {
        let arg = self.argv.get(self.pos).ok_or(Error::Syntax)?;
        self.pos += 1;
        Ok(arg)
    }

    pub fn peek(&self) -> Option<&'a [u8]> {
        self.argv.get(self.pos).map(|a| a.as_slice())
    }

    pub fn next_i64(&mut self) -> Result<i64, Error> {
        parse_i64(self.next_bytes()?).ok_or(Error::NotInteger)
    }

    /// Consumes the next argument if it equals `word` ignoring ASCII case.
    pub fn eat(&mut self, word: &str) -> bool {
        match self.peek() {
            Some(arg) if arg.eq_ignore_ascii_case(word.as_bytes()) => {
                self.pos += 1;
                true
            }
            _ => false,
        }
    }

    /// Fails with a syntax error when arguments are left over.
    pub fn finish(&self) -> Result<(), Error> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(Error::Syntax)
        }
    }
}

/// Redis's `string2ll`: an optional `-`, no `+`, no leading zeros, no spaces,
/// and the value must fit in `i64`.
pub fn parse_i64(s: &[u8]) -> Option<i64> {
    if s.is_empty() || s.len() > 20 {
        return None;
    }
    if s == b"0" {
        return Some(0);
    }
    let (negative, digits) = match s[0] {
        b'-' => (true, &s[1..]),
        _ => (false, s),
    };
    match digits.first() {
        Some(b'1'..=b'9') => {}
        _ => return None,
    }
    let value = decimal_u64(digits)?;
    if negative {
        if value > (i64::MAX as u64) + 1 {
            None
        } else {
            Some((value as i64).wrapping_neg())
        }
    } else if value > i64::MAX as u64 {
        None
    } else {
        Some(value as i64)
    }
}

/// `digits` (ASCII digits only) as a `u64`; `None` for any other byte or
/// when the value does not fit.
fn decimal_u64(digits: &[u8]) -> Option<u64> {
    let mut value: u64 = 0;
    if digits.len() <= 18 {
        // Cannot overflow: the common case skips the checked multiply (a
        // 128-bit library call on wasm32).
        for &c in digits {
            if !c.is_ascii_digit() {
                return None;
            }
            value = value * 10 + (c - b'0') as u64;
        }
    } else {
        for &c in digits {
            if !c.is_ascii_digit() {
                return None;
            }
            value = value.checked_mul(10)?.checked_add((c - b'0') as u64)?;
        }
    }
    Some(value)
}

/// Redis's `getIntFromObjectOrReply`: an `i64` by `string2ll` rules that must
/// also fit a C `int` (the two failures have different error texts).
pub fn parse_i32(s: &[u8]) -> Result<i32, Error> {
    let value = parse_i64(s).ok_or(Error::NotInteger)?;
    i32::try_from(value).map_err(|_| Error::NotInt32)
}

/// C's `strtoul(s, _, 10)` over the whole argument, as SCAN reads its cursor:
/// optional leading `+` or `-` (which negates modulo 2^64), no leading space,
/// nothing left over, and an empty string reads as 0.
pub fn parse_strtoul(s: &[u8]) -> Option<u64> {
    let (negative, digits) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() {
        // strtoul parsed nothing: it points back at the start, so only "" passes.
        return if s.is_empty() { Some(0) } else { None };
    }
    let value = decimal_u64(digits)?;
    Some(if negative { value.wrapping_neg() } else { value })
}

/// `n` in decimal, written at the end of `buf`; where the digits start.
fn write_u64_digits(mut n: u64, buf: &mut [u8; 20]) -> usize {
    let mut at = buf.len();
    loop {
        at -= 1;
        buf[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            return at;
        }
    }
}

/// `n` in decimal, written at the end of `buf`: the digits are the returned
/// slice (no allocation, no `core::fmt`).
pub fn u64_text(n: u64, buf: &mut [u8; 20]) -> &[u8] {
    let at = write_u64_digits(n, buf);
    &buf[at..]
}

/// `n` in decimal, written at the end of `buf`: the digits are the returned
/// slice (no allocation, no `core::fmt`).
pub fn i64_text(n: i64, buf: &mut [u8; 20]) -> &[u8] {
    let mut at = write_u64_digits(n.unsigned_abs(), buf);
    if n < 0 {
        // 19 digits at most for a magnitude (2^63 has 19), so there is room.
        at -= 1;
        buf[at] = b'-';
    }
    &buf[at..]
}

/// Appends `n` in decimal, without going through `core::fmt` (this runs for
/// every integer reply and counter update).
pub fn push_i64(n: i64, out: &mut Vec<u8>) {
    // Most lengths and counts are under 100: their digits in one store.
    match n {
        0..=9 => out.push(b'0' + n as u8),
        10..=99 => out.extend_from_slice(&[b'0' + (n / 10) as u8, b'0' + (n % 10) as u8]),
        _ => {
            let mut buf = [0u8; 20];
            crate::short_copy::extend(out, i64_text(n, &mut buf));
        }
    }
}

/// `n` in decimal as bytes.
pub fn i64_bytes(n: i64) -> Vec<u8> {
    let mut out = Vec::with_capacity(20);
    push_i64(n, &mut out);
    out
}

/// Like C's `strtod` over the whole argument, as Redis's `getDoubleFromObject`
/// uses it: no leading space, nothing left over, and NaN rejected.
pub fn parse_f64(s: &[u8]) -> Option<f64> {
    if s.first().is_none_or(u8::is_ascii_whitespace) {
        return None;
    }
    crate::float_text::parse_f64(s).filter(|value| !value.is_nan())
}

/// C's `printf("%.17g", d)`, the format Redis 7.0 uses for doubles in replies.
pub fn format_g17(d: f64) -> String {
    crate::float_text::format_g17(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string2ll_rules() {
        let cases: &[(&[u8], Option<i64>)] = &[
            (b"0", Some(0)),
            (b"-1", Some(-1)),
            (b"123", Some(123)),
            (b"9223372036854775807", Some(i64::MAX)),
            (b"-9223372036854775808", Some(i64::MIN)),
            (b"9223372036854775808", None),
            (b"-9223372036854775809", None),
            (b"18446744073709551616", None),
            (b"99999999999999999999", None),
            (b"999999999999999999", Some(999_999_999_999_999_999)),
            (b"-999999999999999999", Some(-999_999_999_999_999_999)),
            (b"1000000000000000000", Some(1_000_000_000_000_000_000)),
            (b"12345678901234567x", None),
            (b"-0", None),
            (b"01", None),
            (b"+1", None),
            (b" 1", None),
            (b"1 ", None),
            (b"", None),
            (b"1.0", None),
            (b"-", None),
        ];
        for (input, expected) in cases {
            assert_eq!(parse_i64(input), *expected, "input {:?}", input);
        }
    }

    #[test]
    fn int_and_cursor_rules() {
        assert_eq!(parse_i32(b"2147483647"), Ok(i32::MAX));
        assert_eq!(parse_i32(b"-2147483648"), Ok(i32::MIN));
        assert_eq!(parse_i32(b"2147483648"), Err(Error::NotInt32));
        assert_eq!(parse_i32(b"x"), Err(Error::NotInteger));
        let cursors: &[(&[u8], Option<u64>)] = &[
            (b"0", Some(0)),
            (b"", Some(0)),
            (b"+0", Some(0)),
            (b"-1", Some(u64::MAX)),
            (b"18446744073709551615", Some(u64::MAX)),
            (b"18446744073709551616", None),
            (b" 1", None),
            (b"1 ", None),
            (b"+", None),
            (b"-", None),
            (b"0x1", None),
            (b"007", Some(7)),
        ];
        for (input, expected) in cursors {
            assert_eq!(parse_strtoul(input), *expected, "input {:?}", input);
        }
    }

    #[test]
    fn decimal_formatting() {
        // 0..=99 take the short path in push_i64; 9/10 and 99/100 are its edges.
        for n in [0, 7, -7, 9, 10, 42, 99, 100, 1234567890, i64::MAX, i64::MIN, -1, -10] {
            assert_eq!(i64_bytes(n), alloc::format!("{}", n).into_bytes());
        }
    }

    #[test]
    fn strtod_rules() {
        let cases: &[(&[u8], Option<f64>)] = &[
            (b"1.5", Some(1.5)),
            (b"-2", Some(-2.0)),
            (b".5", Some(0.5)),
            (b"5.", Some(5.0)),
            (b"1e3", Some(1000.0)),
            (b"+inf", Some(f64::INFINITY)),
            (b"-inf", Some(f64::NEG_INFINITY)),
            (b"nan", None),
            (b" 1", None),
            (b"1x", None),
            (b"", None),
        ];
        for (input, expected) in cases {
            assert_eq!(parse_f64(input), *expected, "input {:?}", input);
        }
    }

    #[test]
    fn g17_matches_printf() {
        let cases: &[(f64, &str)] = &[
            (0.0, "0"),
            (1.5, "1.5"),
            (0.1, "0.10000000000000001"),
            (100.0, "100"),
            (1e17, "1e+17"),
            (1e16, "10000000000000000"),
            (0.0001, "0.0001"),
            (0.00001, "1.0000000000000001e-05"),
            (-3.25, "-3.25"),
            (f64::INFINITY, "inf"),
        ];
        for (input, expected) in cases {
            assert_eq!(format_g17(*input), *expected, "input {}", input);
        }
    }
}
