//! A software x87 `long double` (1 sign bit, 15-bit exponent, 64-bit
//! mantissa) with just what INCRBYFLOAT needs: parsing like glibc's `strtold`
//! under Redis's extra checks, correctly rounded addition, and `%.17Lf`
//! printing with Redis's trailing-zero trimming.
//!
//! Everything is exact: values are turned into big integers times a power of
//! two, and rounding is to nearest, ties to even, as the x87 unit and glibc do.
//! The same integer machinery serves `float_text` for doubles, so the wasm
//! build links none of core's float parsing or printing.

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

/// Redis refuses float arguments of this many bytes or more.
const MAX_CHARS: usize = 5 * 1024;
/// Smallest exponent: the least subnormal is 2^-16445.
const MIN_EXP: i64 = -16445;
/// Largest exponent of a 64-bit mantissa below 2^16384.
const MAX_EXP: i64 = 16320;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LongDouble {
    /// `mantissa * 2^exponent`; zero has mantissa 0 (and keeps its sign).
    Finite { negative: bool, mantissa: u64, exponent: i32 },
    Infinite { negative: bool },
    Nan,
}

impl LongDouble {
    pub const ZERO: LongDouble = LongDouble::Finite { negative: false, mantissa: 0, exponent: 0 };

    pub fn is_finite(&self) -> bool {
        matches!(self, LongDouble::Finite { .. })
    }

    /// Redis's `string2ld`: 1 to 5119 bytes, no leading space, the whole
    /// string consumed by `strtold`, no NaN, and no overflow or underflow to
    /// zero (a subnormal result is fine).
    pub fn parse(s: &[u8]) -> Option<LongDouble> {
        if s.is_empty() || s.len() >= MAX_CHARS || is_c_space(s[0]) {
            return None;
        }
        let (negative, body) = match s[0] {
            b'-' => (true, &s[1..]),
            b'+' => (false, &s[1..]),
            _ => (false, s),
        };
        let lower: Vec<u8> = body.to_ascii_lowercase();
        if lower == b"inf" || lower == b"infinity" {
            return Some(LongDouble::Infinite { negative });
        }
        let exact = if lower.starts_with(b"0x") { parse_hex(&lower[2..])? } else { parse_decimal(&lower)? };
        match exact {
            Exact::Zero => Some(LongDouble::Finite { negative, mantissa: 0, exponent: 0 }),
            Exact::Overflow => None,
            Exact::Underflow => None,
            Exact::Value(value) => match value.round(negative) {
                // strtold reports ERANGE, which Redis rejects.
                LongDouble::Finite { mantissa: 0, .. } | LongDouble::Infinite { .. } => None,
                rounded => Some(rounded),
            },
        }
    }
}

impl core::ops::Add for LongDouble {
    type Output = LongDouble;

    /// `self + other`, rounded to nearest even.
    fn add(self, other: LongDouble) -> LongDouble {
        use LongDouble::*;
        match (self, other) {
            (Nan, _) | (_, Nan) => Nan,
            (Infinite { negative: a }, Infinite { negative: b }) if a != b => Nan,
            (Infinite { negative }, _) | (_, Infinite { negative }) => Infinite { negative },
            (
                Finite { negative: na, mantissa: ma, exponent: ea },
                Finite { negative: nb, mantissa: mb, exponent: eb },
            ) => {
                if ma == 0 && mb == 0 {
                    return Finite { negative: na && nb, mantissa: 0, exponent: 0 };
                }
                let base = ea.min(eb) as i64;
                let a = Big::from_u64(ma).shl((ea as i64 - base) as usize);
                let b = Big::from_u64(mb).shl((eb as i64 - base) as usize);
                let (negative, sum) = if na == nb {
                    (na, a.add(&b))
                } else {
                    match a.cmp(&b) {
                        core::cmp::Ordering::Less => (nb, b.sub(&a)),
                        _ => (na, a.sub(&b)),
                    }
                };
                if sum.is_zero() {
                    return LongDouble::ZERO;
                }
                Scaled { digits: sum, exponent: base }.round(negative)
            }
        }
    }
}

impl LongDouble {
    /// `self * factor`, rounded to nearest even (C's `ld * 1000.0`).
    pub fn mul_integer(self, factor: u32) -> LongDouble {
        match self {
            LongDouble::Finite { negative, mantissa, exponent } => {
                let product = Big::from_u64(mantissa).mul_small(factor);
                if product.is_zero() {
                    return LongDouble::Finite { negative, mantissa: 0, exponent: 0 };
                }
                Scaled { digits: product, exponent: exponent as i64 }.round(negative)
            }
            LongDouble::Infinite { .. } if factor == 0 => LongDouble::Nan,
            other => other,
        }
    }

    /// `(long long) ceill(self)` on x86-64: a result outside `i64` (and NaN
    /// or infinity) is the "integer indefinite" value, `i64::MIN`.
    pub fn ceil_to_i64(self) -> i64 {
        let LongDouble::Finite { negative, mantissa, exponent } = self else { return i64::MIN };
        if mantissa == 0 {
            return 0;
        }
        let magnitude: i128 = if exponent >= 0 {
            if exponent as u32 + (64 - mantissa.leading_zeros()) > 64 {
                return i64::MIN;
            }
            ((mantissa as u128) << exponent as u32) as i128
        } else {
            let shift = (-exponent) as u32;
            let (whole, fraction) = if shift >= 64 {
                (0, mantissa != 0)
            } else {
                (mantissa >> shift, mantissa & ((1u64 << shift) - 1) != 0)
            };
            // Ceiling rounds a positive value's fraction up and a negative one's towards zero.
            whole as i128 + (fraction && !negative) as i128
        };
        i64::try_from(if negative { -magnitude } else { magnitude }).unwrap_or(i64::MIN)
    }

    /// `printf("%.17Lf")` followed by Redis's trimming of trailing zeros (and
    /// the dot), with `-0` shown as `0`. Only meaningful for finite values.
    pub fn to_human_string(&self) -> String {
        let (negative, mantissa, exponent) = match *self {
            LongDouble::Finite { negative, mantissa, exponent } => (negative, mantissa, exponent as i64),
            LongDouble::Infinite { negative } => return String::from(if negative { "-inf" } else { "inf" }),
            LongDouble::Nan => return String::from("nan"),
        };
        let digits = fixed_digits(mantissa, exponent, 17);
        let split = digits.len() - 17;
        let mut text = String::new();
        if negative {
            text.push('-');
        }
        text.extend(digits[..split].iter().map(|&d| d as char));
        let fraction = &digits[split..];
        let kept = fraction.iter().rposition(|&d| d != b'0').map_or(0, |i| i + 1);
        if kept > 0 {
            text.push('.');
            text.extend(fraction[..kept].iter().map(|&d| d as char));
        }
        if text == "-0" {
            text = String::from("0");
        }
        text
    }
}

/// The digits of `mantissa * 2^exponent * 10^decimals` rounded to an
/// integer (ties to even), at least `decimals + 1` of them: C's `%.Nf`
/// without the point.
pub(crate) fn fixed_digits(mantissa: u64, exponent: i64, decimals: usize) -> Vec<u8> {
    let mut scaled = Big::from_u64(mantissa).mul_pow10(decimals);
    if exponent >= 0 {
        scaled = scaled.shl(exponent as usize);
    } else {
        let shift = exponent.unsigned_abs() as usize;
        let round_up = scaled.bit(shift - 1) && (scaled.any_below(shift - 1) || scaled.bit(shift));
        scaled = scaled.shr(shift);
        if round_up {
            scaled = scaled.add(&Big::from_u64(1));
        }
    }
    let mut digits = scaled.to_decimal();
    if digits.len() <= decimals {
        let mut padded = vec![b'0'; decimals + 1 - digits.len()];
        padded.append(&mut digits);
        digits = padded;
    }
    digits
}

/// C's `isspace` in the "C" locale.
fn is_c_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

/// A parsed number before rounding.
pub(crate) enum Exact {
    Zero,
    Value(Scaled),
    /// Certainly beyond the largest finite value.
    Overflow,
    /// Certainly below half the least subnormal.
    Underflow,
}

/// `digits * 2^exponent` (a lowest bit set as a sticky bit stands for "a
/// little more than that" where a division left a remainder).
pub(crate) struct Scaled {
    pub digits: Big,
    pub exponent: i64,
}

/// A binary floating-point format: mantissas of `bits` bits (subnormals
/// fewer) times `2^exponent`, `exponent` in `min_exp..=max_exp`.
pub(crate) struct BinaryFormat {
    pub bits: u32,
    pub min_exp: i64,
    pub max_exp: i64,
}

/// The x87 extended format.
const EXTENDED: BinaryFormat = BinaryFormat { bits: 64, min_exp: MIN_EXP, max_exp: MAX_EXP };

/// A value rounded into a `BinaryFormat`.
pub(crate) enum Rounded {
    /// `mantissa * 2^exponent`; a mantissa below `2^(bits-1)` is subnormal
    /// (then `exponent` is `min_exp`) or zero.
    Finite { mantissa: u64, exponent: i64 },
    Overflow,
}

impl Scaled {
    /// Rounds to the nearest value of `format` (ties to even), with
    /// subnormals and overflow.
    pub(crate) fn round_to(&self, format: &BinaryFormat) -> Rounded {
        let bits = self.digits.bit_len() as i64;
        if bits == 0 {
            return Rounded::Finite { mantissa: 0, exponent: 0 };
        }
        let width = format.bits as i64;
        let mut shift = bits - width;
        let mut exponent = self.exponent + shift;
        if exponent < format.min_exp {
            shift += format.min_exp - exponent;
            exponent = format.min_exp;
        }
        let mut mantissa: u128 = if shift <= 0 {
            (self.digits.low_u64() as u128) << (-shift) as u32
        } else {
            let s = shift as usize;
            let kept = self.digits.shr(s).low_u64() as u128;
            let round_up = self.digits.bit(s - 1) && (self.digits.any_below(s - 1) || kept & 1 == 1);
            kept + round_up as u128
        };
        if mantissa >> width != 0 {
            mantissa >>= 1;
            exponent += 1;
        }
        if exponent > format.max_exp {
            return Rounded::Overflow;
        }
        Rounded::Finite { mantissa: mantissa as u64, exponent }
    }

    /// Rounds to the nearest long double (ties to even).
    fn round(self, negative: bool) -> LongDouble {
        match self.round_to(&EXTENDED) {
            Rounded::Overflow => LongDouble::Infinite { negative },
            Rounded::Finite { mantissa, exponent } => LongDouble::Finite { negative, mantissa, exponent: exponent as i32 },
        }
    }
}

/// Reads `[+-]digits` after an exponent marker; `None` if there are no digits.
/// Large exponents saturate (the caller's range checks make them inf or 0).
fn parse_exponent(s: &[u8]) -> Option<i64> {
    let (negative, digits) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let value = digits.iter().fold(0i64, |acc, &d| acc.saturating_mul(10).saturating_add((d - b'0') as i64));
    Some(if negative { -value } else { value })
}

/// Splits `int.frac[marker exp]` into mantissa digits and exponent text;
/// `None` unless there is at least one digit and nothing else is left over.
fn split_number(s: &[u8], is_digit: fn(&u8) -> bool, marker: u8) -> Option<(Vec<u8>, usize, Option<i64>)> {
    let int_len = s.iter().take_while(|c| is_digit(c)).count();
    let mut rest = &s[int_len..];
    let mut digits = s[..int_len].to_vec();
    let mut fraction_len = 0;
    if rest.first() == Some(&b'.') {
        fraction_len = rest[1..].iter().take_while(|c| is_digit(c)).count();
        digits.extend_from_slice(&rest[1..1 + fraction_len]);
        rest = &rest[1 + fraction_len..];
    }
    if digits.is_empty() {
        return None;
    }
    let exponent = match rest.first() {
        None => None,
        Some(&c) if c == marker => Some(parse_exponent(&rest[1..])?),
        Some(_) => return None,
    };
    Some((digits, fraction_len, exponent))
}

/// `strtold`'s decimal syntax (lowercase, no sign): digits with an optional
/// point and exponent, exact up to rounding.
pub(crate) fn parse_decimal(s: &[u8]) -> Option<Exact> {
    let (digits, fraction_len, exponent) = split_number(s, u8::is_ascii_digit, b'e')?;
    let first = digits.iter().position(|&d| d != b'0');
    let Some(first) = first else { return Some(Exact::Zero) };
    let significant = &digits[first..];
    // value = significant * 10^scale
    let scale = exponent.unwrap_or(0).saturating_sub(fraction_len as i64);
    let magnitude = scale.saturating_add(significant.len() as i64); // value < 10^magnitude
    if magnitude > 4934 {
        return Some(Exact::Overflow);
    }
    if magnitude < -4952 {
        return Some(Exact::Underflow);
    }
    let mut n = Big::zero();
    for chunk in significant.chunks(9) {
        let mut part = 0u32;
        for &d in chunk {
            part = part * 10 + (d - b'0') as u32;
        }
        n = n.mul_small(10u32.pow(chunk.len() as u32)).add(&Big::from_u64(part as u64));
    }
    if scale >= 0 {
        return Some(Exact::Value(Scaled { digits: n.mul_pow10(scale as usize), exponent: 0 }));
    }
    // n / 10^-scale: a quotient of at least 67 bits, plus a sticky bit for
    // the remainder, rounds exactly like the true value.
    let divisor = Big::from_u64(1).mul_pow10((-scale) as usize);
    let shift = (divisor.bit_len() + 68).saturating_sub(n.bit_len());
    let (quotient, remainder_nonzero) = n.shl(shift).div_rem_nonzero(&divisor);
    let mut digits = quotient.shl(1);
    if remainder_nonzero {
        digits = digits.add(&Big::from_u64(1));
    }
    Some(Exact::Value(Scaled { digits, exponent: -(shift as i64) - 1 }))
}

fn parse_hex(s: &[u8]) -> Option<Exact> {
    let (digits, fraction_len, exponent) = split_number(s, u8::is_ascii_hexdigit, b'p')?;
    let first = digits.iter().position(|&d| d != b'0');
    let Some(first) = first else { return Some(Exact::Zero) };
    let significant = &digits[first..];
    let scale = exponent.unwrap_or(0).saturating_sub(4 * fraction_len as i64);
    let magnitude = scale.saturating_add(4 * significant.len() as i64);
    if magnitude > 16400 {
        return Some(Exact::Overflow);
    }
    if magnitude < MIN_EXP - 8 {
        return Some(Exact::Underflow);
    }
    let mut n = Big::zero();
    for &d in significant {
        let value = (d as char).to_digit(16).unwrap_or(0);
        n = n.mul_small(16).add(&Big::from_u64(value as u64));
    }
    Some(Exact::Value(Scaled { digits: n, exponent: scale }))
}

/// A minimal unsigned big integer: little-endian 32-bit limbs, no leading zeros.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Big(Vec<u32>);

impl Big {
    pub(crate) fn zero() -> Big {
        Big(Vec::new())
    }

    pub(crate) fn from_u64(v: u64) -> Big {
        Big(vec![v as u32, (v >> 32) as u32]).trimmed()
    }

    fn trimmed(mut self) -> Big {
        while self.0.last() == Some(&0) {
            self.0.pop();
        }
        self
    }

    pub(crate) fn is_zero(&self) -> bool {
        self.0.is_empty()
    }

    pub(crate) fn bit_len(&self) -> usize {
        match self.0.last() {
            None => 0,
            Some(&top) => self.0.len() * 32 - top.leading_zeros() as usize,
        }
    }

    pub(crate) fn bit(&self, i: usize) -> bool {
        self.0.get(i / 32).is_some_and(|limb| limb >> (i % 32) & 1 == 1)
    }

    /// Whether any bit below position `i` is set.
    pub(crate) fn any_below(&self, i: usize) -> bool {
        let whole = (i / 32).min(self.0.len());
        if self.0[..whole].iter().any(|&l| l != 0) {
            return true;
        }
        let partial = i % 32;
        partial != 0 && self.0.get(i / 32).is_some_and(|&l| l & ((1u32 << partial) - 1) != 0)
    }

    pub(crate) fn low_u64(&self) -> u64 {
        let lo = self.0.first().copied().unwrap_or(0) as u64;
        let hi = self.0.get(1).copied().unwrap_or(0) as u64;
        lo | hi << 32
    }

    fn cmp(&self, other: &Big) -> core::cmp::Ordering {
        self.0.len().cmp(&other.0.len()).then_with(|| self.0.iter().rev().cmp(other.0.iter().rev()))
    }

    pub(crate) fn shl(&self, bits: usize) -> Big {
        if self.is_zero() {
            return Big::zero();
        }
        let (limbs, rem) = (bits / 32, bits % 32);
        let mut out = vec![0u32; limbs];
        let mut carry = 0u32;
        for &l in &self.0 {
            if rem == 0 {
                out.push(l);
            } else {
                out.push(l << rem | carry);
                carry = l >> (32 - rem);
            }
        }
        out.push(carry);
        Big(out).trimmed()
    }

    pub(crate) fn shr(&self, bits: usize) -> Big {
        let (limbs, rem) = (bits / 32, bits % 32);
        if limbs >= self.0.len() {
            return Big::zero();
        }
        let src = &self.0[limbs..];
        let out = (0..src.len())
            .map(|i| {
                let next = src.get(i + 1).copied().unwrap_or(0);
                if rem == 0 {
                    src[i]
                } else {
                    src[i] >> rem | next << (32 - rem)
                }
            })
            .collect();
        Big(out).trimmed()
    }

    pub(crate) fn add(&self, other: &Big) -> Big {
        let mut out = Vec::with_capacity(self.0.len().max(other.0.len()) + 1);
        let mut carry = 0u64;
        for i in 0..self.0.len().max(other.0.len()) {
            let sum = self.0.get(i).copied().unwrap_or(0) as u64 + other.0.get(i).copied().unwrap_or(0) as u64 + carry;
            out.push(sum as u32);
            carry = sum >> 32;
        }
        out.push(carry as u32);
        Big(out).trimmed()
    }

    /// `self - other`, for `self >= other`.
    fn sub(&self, other: &Big) -> Big {
        let mut out = Vec::with_capacity(self.0.len());
        let mut borrow = 0i64;
        for i in 0..self.0.len() {
            let mut diff = self.0[i] as i64 - other.0.get(i).copied().unwrap_or(0) as i64 - borrow;
            borrow = 0;
            if diff < 0 {
                diff += 1 << 32;
                borrow = 1;
            }
            out.push(diff as u32);
        }
        Big(out).trimmed()
    }

    pub(crate) fn mul_small(&self, m: u32) -> Big {
        let mut out = Vec::with_capacity(self.0.len() + 1);
        let mut carry = 0u64;
        for &l in &self.0 {
            let product = l as u64 * m as u64 + carry;
            out.push(product as u32);
            carry = product >> 32;
        }
        out.push(carry as u32);
        Big(out).trimmed()
    }

    pub(crate) fn mul_pow5(&self, mut k: usize) -> Big {
        let mut out = self.clone();
        while k >= 13 {
            out = out.mul_small(1_220_703_125);
            k -= 13;
        }
        out.mul_small(5u32.pow(k as u32))
    }

    pub(crate) fn mul_pow10(&self, mut k: usize) -> Big {
        let mut out = self.clone();
        while k >= 9 {
            out = out.mul_small(1_000_000_000);
            k -= 9;
        }
        out.mul_small(10u32.pow(k as u32))
    }

    /// Quotient of `self / divisor` (binary long division; the quotients here
    /// are about 70 bits) and whether the remainder is nonzero.
    fn div_rem_nonzero(&self, divisor: &Big) -> (Big, bool) {
        let mut remainder = self.clone();
        let mut quotient = Big::zero();
        let top = self.bit_len().saturating_sub(divisor.bit_len()) + 1;
        for i in (0..top).rev() {
            let shifted = divisor.shl(i);
            if remainder.cmp(&shifted) != core::cmp::Ordering::Less {
                remainder = remainder.sub(&shifted);
                quotient = quotient.add(&Big::from_u64(1).shl(i));
            }
        }
        (quotient, !remainder.is_zero())
    }

    /// Decimal digits (ASCII), "0" for zero.
    pub(crate) fn to_decimal(&self) -> Vec<u8> {
        let mut chunks = Vec::new();
        let mut n = self.0.clone();
        while !n.is_empty() {
            let mut rem = 0u64;
            for limb in n.iter_mut().rev() {
                let cur = rem << 32 | *limb as u64;
                *limb = (cur / 1_000_000_000) as u32;
                rem = cur % 1_000_000_000;
            }
            while n.last() == Some(&0) {
                n.pop();
            }
            chunks.push(rem as u32);
        }
        let mut out = Vec::new();
        for (i, chunk) in chunks.iter().rev().enumerate() {
            let text = alloc::format!("{}", chunk);
            if i > 0 {
                out.extend(core::iter::repeat_n(b'0', 9 - text.len()));
            }
            out.extend_from_slice(text.as_bytes());
        }
        if out.is_empty() {
            out.push(b'0');
        }
        out
    }
}

#[cfg(test)]
mod tests;
