//! Doubles to and from text exactly as C does it, with integers only: `%.17g`
//! (Redis 7.0's reply format), `%.Nf`, and correctly rounded decimal parsing.
//!
//! core's own float formatting and parsing cost the wasm build about 25 KB
//! (the shortest-digits algorithms and the power-of-five tables); these
//! routines reuse `long_double`'s big integers instead. A finite double is
//! `m * 2^e`, whose decimal expansion is finite, so digits come out exact and
//! rounding is ties-to-even on them, like glibc's `printf`.

use alloc::string::String;
use alloc::vec::Vec;

use crate::long_double::{fixed_digits, parse_decimal, BinaryFormat, Big, Exact, Rounded, Scaled};

/// IEEE binary64: 53-bit mantissas, least subnormal 2^-1074, largest finite
/// (2^53 - 1) * 2^971.
const DOUBLE: BinaryFormat = BinaryFormat { bits: 53, min_exp: -1074, max_exp: 971 };

/// A finite double as sign, integer mantissa and binary exponent.
fn decompose(d: f64) -> (bool, u64, i64) {
    let bits = d.to_bits();
    let negative = bits >> 63 == 1;
    let biased = (bits >> 52 & 0x7ff) as i64;
    let fraction = bits & ((1 << 52) - 1);
    if biased == 0 {
        (negative, fraction, -1074)
    } else {
        (negative, fraction | 1 << 52, biased - 1075)
    }
}

/// `inf`, `-inf` or `nan` for a non-finite double.
fn special(d: f64) -> Option<String> {
    if d.is_nan() {
        Some(String::from("nan"))
    } else if d.is_infinite() {
        Some(String::from(if d > 0.0 { "inf" } else { "-inf" }))
    } else {
        None
    }
}

fn push_digits(text: &mut String, digits: &[u8]) {
    text.extend(digits.iter().map(|&d| d as char));
}

/// C's `printf("%.17g", d)`, the format Redis 7.0 uses for doubles in replies.
pub fn format_g17(d: f64) -> String {
    format_g(d, 17)
}

/// C's `printf("%.Pg", d)` for a precision `P >= 1`.
pub fn format_g(d: f64, precision: usize) -> String {
    if let Some(text) = special(d) {
        return text;
    }
    let (negative, mantissa, exponent) = decompose(d);
    let mut text = String::new();
    if negative {
        text.push('-');
    }
    if mantissa == 0 {
        text.push('0');
        return text;
    }
    // |d| = digits * 10^scale exactly.
    let (mut digits, scale) = if exponent >= 0 {
        (Big::from_u64(mantissa).shl(exponent as usize).to_decimal(), 0)
    } else {
        (Big::from_u64(mantissa).mul_pow5(exponent.unsigned_abs() as usize).to_decimal(), exponent)
    };
    // The power of ten of the first digit, after rounding.
    let mut power = digits.len() as i64 - 1 + scale;
    if round_to_digits(&mut digits, precision.max(1)) {
        power += 1;
    }
    while digits.len() > 1 && digits.last() == Some(&b'0') {
        digits.pop();
    }
    if power < -4 || power >= precision as i64 {
        text.push(digits[0] as char);
        if digits.len() > 1 {
            text.push('.');
            push_digits(&mut text, &digits[1..]);
        }
        text.push('e');
        text.push(if power < 0 { '-' } else { '+' });
        let magnitude = power.unsigned_abs();
        if magnitude < 10 {
            text.push('0');
        }
        text.push_str(&alloc::format!("{}", magnitude));
    } else if power < 0 {
        text.push_str("0.");
        text.extend(core::iter::repeat_n('0', (-power - 1) as usize));
        push_digits(&mut text, &digits);
    } else {
        let whole = power as usize + 1;
        push_digits(&mut text, &digits[..whole.min(digits.len())]);
        text.extend(core::iter::repeat_n('0', whole.saturating_sub(digits.len())));
        if digits.len() > whole {
            text.push('.');
            push_digits(&mut text, &digits[whole..]);
        }
    }
    text
}

/// Cuts ASCII `digits` to at most `keep` digits, rounding ties to even on
/// the exact digits dropped. True when rounding up carried into a new
/// leading digit (the digits are then `1` followed by zeros).
fn round_to_digits(digits: &mut Vec<u8>, keep: usize) -> bool {
    if digits.len() <= keep {
        return false;
    }
    let next = digits[keep];
    let rest_nonzero = digits[keep + 1..].iter().any(|&d| d != b'0');
    let last_odd = (digits[keep - 1] - b'0') % 2 == 1;
    digits.truncate(keep);
    if next < b'5' || (next == b'5' && !rest_nonzero && !last_odd) {
        return false;
    }
    for d in digits.iter_mut().rev() {
        if *d == b'9' {
            *d = b'0';
        } else {
            *d += 1;
            return false;
        }
    }
    digits.insert(0, b'1');
    digits.truncate(keep);
    true
}

/// C's `printf("%.Nf", d)` with `N = decimals`.
pub fn format_fixed(d: f64, decimals: usize) -> String {
    if let Some(text) = special(d) {
        return text;
    }
    let (negative, mantissa, exponent) = decompose(d);
    let digits = fixed_digits(mantissa, exponent, decimals);
    let split = digits.len() - decimals;
    let mut text = String::new();
    if negative {
        text.push('-');
    }
    push_digits(&mut text, &digits[..split]);
    if decimals > 0 {
        text.push('.');
        push_digits(&mut text, &digits[split..]);
    }
    text
}

/// A decimal number (`[+-]digits[.digits][e[+-]digits]`, or `inf`,
/// `infinity`, `nan` in any case) as the nearest double, ties to even;
/// `None` for anything else, hexadecimal included.
pub fn parse_f64(text: &[u8]) -> Option<f64> {
    let (negative, unsigned) = match text.first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let lower = unsigned.to_ascii_lowercase();
    let magnitude = if lower == b"nan" {
        f64::NAN
    } else if lower == b"inf" || lower == b"infinity" {
        f64::INFINITY
    } else {
        if !lower.first().is_some_and(|c| c.is_ascii_digit() || *c == b'.') {
            return None;
        }
        match parse_decimal(&lower)? {
            Exact::Zero | Exact::Underflow => 0.0,
            Exact::Overflow => f64::INFINITY,
            Exact::Value(value) => to_double(&value),
        }
    };
    Some(if negative { -magnitude } else { magnitude })
}

/// The double nearest to an exact value.
fn to_double(value: &Scaled) -> f64 {
    match value.round_to(&DOUBLE) {
        Rounded::Overflow => f64::INFINITY,
        Rounded::Finite { mantissa, exponent } => {
            if mantissa >> 52 == 0 {
                // Subnormal (exponent is -1074) or zero.
                f64::from_bits(mantissa)
            } else {
                let biased = (exponent + 1075) as u64;
                f64::from_bits(biased << 52 | (mantissa & ((1 << 52) - 1)))
            }
        }
    }
}

#[cfg(test)]
mod tests;
