//! The long double against replies recorded from redis-server 7.0.15
//! (random decimal, hex, huge, tiny and malformed numbers, sums of them).

use super::LongDouble;

/// What INCRBYFLOAT replies, or the kind of error.
fn incrbyfloat(current: Option<&str>, increment: &str) -> String {
    let current = match current {
        None => Some(LongDouble::ZERO),
        Some(text) => LongDouble::parse(text.as_bytes()),
    };
    match (current, LongDouble::parse(increment.as_bytes())) {
        (Some(a), Some(b)) => {
            let sum = a + b;
            if sum.is_finite() {
                sum.to_human_string()
            } else {
                "ERR nan".into()
            }
        }
        _ => "ERR float".into(),
    }
}

#[test]
fn recorded_cases_match() {
    let cases = include_str!("redis_cases.tsv");
    let mut checked = 0;
    for line in cases.lines().filter(|l| !l.starts_with('#')) {
        let mut fields = line.split('\t');
        let (Some(current), Some(increment), Some(expected)) = (fields.next(), fields.next(), fields.next()) else {
            panic!("bad case line {:?}", line);
        };
        let current = if current == "(none)" { None } else { Some(current) };
        assert_eq!(incrbyfloat(current, increment), expected, "{:?} + {:?}", current, increment);
        checked += 1;
    }
    assert!(checked > 400);
}

#[test]
fn classic_cases() {
    let cases: &[(Option<&str>, &str, &str)] = &[
        (None, "0.1", "0.1"),
        (Some("0.1"), "0.2", "0.3"),
        (Some("10.50"), "0.1", "10.6"),
        (Some("5.0e3"), "2.0e2", "5200"),
        (None, "-0", "0"),
        (None, "-5e-18", "0"),
        (None, "-0.00000000000000001", "-0.00000000000000001"),
        (None, "0.000000000000000015", "0.00000000000000002"),
        (None, "0.000000000000000025", "0.00000000000000002"),
        (None, "123456789.123456789", "123456789.12345678899873747"),
        (None, "0x10", "16"),
        (None, "0x1.8p1", "3"),
        (None, "+1.5", "1.5"),
        (None, ".5", "0.5"),
        (None, "5.", "5"),
        (None, "1E2", "100"),
        (None, "1e-4940", "0"),
        (None, "1e-4960", "ERR float"),
        (None, "0x1p-16446", "ERR float"),
        (None, "1e5000", "ERR float"),
        (None, "inf", "ERR nan"),
        (None, "-Infinity", "ERR nan"),
        (None, "nan", "ERR float"),
        (None, "nan(1)", "ERR float"),
        (None, "", "ERR float"),
        (None, " 1", "ERR float"),
        (None, "1 ", "ERR float"),
        (None, "1e", "ERR float"),
        (None, "1e+", "ERR float"),
        (None, ".", "ERR float"),
        (None, "0x", "ERR float"),
        (None, "--1", "ERR float"),
        (Some("1.1897314953572317650e+4932"), "1e4931", "ERR nan"),
        (Some("abc"), "1", "ERR float"),
    ];
    for &(current, increment, expected) in cases {
        assert_eq!(incrbyfloat(current, increment), expected, "{:?} + {:?}", current, increment);
    }
}

#[test]
fn length_limit_is_5119_bytes() {
    let ok = alloc::format!("1.{}", "0".repeat(5117));
    let too_long = alloc::format!("1.{}", "0".repeat(5118));
    assert_eq!(incrbyfloat(None, &ok), "1");
    assert_eq!(incrbyfloat(None, &too_long), "ERR float");
}

#[test]
fn largest_value_prints_in_full() {
    let text = incrbyfloat(Some("1.18973149535723176502e+4932"), "0");
    assert_eq!(text.len(), 4933);
    assert!(text.starts_with("118973149535723176502126385303"));
}

#[test]
fn multiply_by_integer_rounds_once_to_64_bits() {
    use LongDouble::*;
    let finite = |negative, mantissa, exponent| Finite { negative, mantissa, exponent };
    // 3 * (2^63 + 1) needs 65 bits; the dropped bit is a tie and the kept
    // mantissa is odd, so it rounds up to even.
    assert_eq!(finite(false, (1 << 63) + 1, 0).mul_integer(3), finite(false, 3 << 62 | 2, 1));
    assert_eq!(finite(true, 5, -3).mul_integer(1000), finite(true, 5000 << 51, -54));
    assert_eq!(finite(true, 0, 0).mul_integer(1000), finite(true, 0, 0));
    assert_eq!(Infinite { negative: true }.mul_integer(1000), Infinite { negative: true });
    assert_eq!(Nan.mul_integer(1000), Nan);
    // Past the largest exponent the product is infinite.
    assert_eq!(finite(false, u64::MAX, 16320).mul_integer(2), Infinite { negative: false });
}

#[test]
fn ceiling_converts_like_x86_long_long() {
    use LongDouble::*;
    let finite = |negative, mantissa, exponent| Finite { negative, mantissa, exponent };
    let cases: &[(LongDouble, i64)] = &[
        (finite(false, 3, -1), 2),
        (finite(true, 3, -1), -1),
        (finite(false, 1, -100), 1),
        (finite(true, 1, -100), 0),
        (finite(false, 0, 0), 0),
        (finite(true, 0, 0), 0),
        (finite(false, 7, 2), 28),
        (finite(false, 1, 62), 1 << 62),
        // 2^63 does not fit; -2^63 does (and is the same bits).
        (finite(false, 1, 63), i64::MIN),
        (finite(true, 1, 63), i64::MIN),
        (finite(true, u64::MAX, -1), -(i64::MAX)),
        // ceil(2^63 - 0.5) is 2^63: out of range.
        (finite(false, u64::MAX, -1), i64::MIN),
        (finite(false, 1, 16000), i64::MIN),
        (Infinite { negative: false }, i64::MIN),
        (Infinite { negative: true }, i64::MIN),
        (Nan, i64::MIN),
    ];
    for &(value, expected) in cases {
        assert_eq!(value.ceil_to_i64(), expected, "{:?}", value);
    }
}

/// timeout_cases.tsv: random decimal, hex, huge and tiny timeouts and what a
/// C program (glibc `strtold`, x87 multiply, `ceill`, `(long long)`) made of
/// them: the blocking commands' milliseconds.
#[test]
fn timeout_milliseconds_match_c() {
    let mut checked = 0;
    for line in include_str!("timeout_cases.tsv").lines().filter(|l| !l.starts_with('#')) {
        let (text, expected) = line.split_once('\t').expect("two fields");
        let got = match LongDouble::parse(text.as_bytes()) {
            Some(value) => alloc::format!("{}", value.mul_integer(1000).ceil_to_i64()),
            None => "ERR".into(),
        };
        assert_eq!(got, expected, "timeout {:?}", text);
        checked += 1;
    }
    assert_eq!(checked, 3000);
}
