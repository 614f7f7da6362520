//! `float_text` against Python's `%`-formatting and `repr` (which print
//! finite doubles exactly like glibc's `printf`), and parsing against core's
//! own correctly rounded `str::parse`.

use super::{format_fixed, format_g, format_g17, parse_f64};
use crate::db::Prng;

/// python_cases.tsv: bits, `%.17g`, `%.2f` (or `-`), `repr`.
#[test]
fn python_table_matches() {
    let mut checked = 0;
    for line in include_str!("python_cases.tsv").lines().filter(|l| !l.starts_with('#')) {
        let fields: Vec<&str> = line.split('\t').collect();
        assert_eq!(fields.len(), 4, "line {:?}", line);
        let bits = u64::from_str_radix(fields[0], 16).expect("hex bits");
        let d = f64::from_bits(bits);
        assert_eq!(format_g17(d), fields[1], "%.17g of {:016x}", bits);
        if fields[2] != "-" {
            assert_eq!(format_fixed(d, 2), fields[2], "%.2f of {:016x}", bits);
        }
        if !d.is_nan() {
            // 17 significant digits and the shortest form both read back exactly.
            for text in [fields[1], fields[3]] {
                let parsed = parse_f64(text.as_bytes()).map(f64::to_bits);
                assert_eq!(parsed, Some(bits), "parse {:?}", text);
            }
        }
        checked += 1;
    }
    assert!(checked > 3000, "only {} cases", checked);
}

#[test]
fn g_format_rules() {
    let cases: &[(f64, &str)] = &[
        (0.0, "0"),
        (-0.0, "-0"),
        (1.0, "1"),
        (100.0, "100"),
        (1.5, "1.5"),
        (0.1, "0.10000000000000001"),
        (1e16, "10000000000000000"),
        (1e17, "1e+17"),
        (0.0001, "0.0001"),
        (0.00001, "1.0000000000000001e-05"),
        (123456789.0, "123456789"),
        (5e-324, "4.9406564584124654e-324"),
        (1.7976931348623157e308, "1.7976931348623157e+308"),
        (f64::INFINITY, "inf"),
        (f64::NEG_INFINITY, "-inf"),
        (f64::NAN, "nan"),
        // Rounding carries into a new digit: 99999999999999999 is 1e17 exactly.
        (99999999999999999.0, "1e+17"),
        (9.999999999999999e-5, "9.9999999999999991e-05"),
    ];
    for &(d, expected) in cases {
        assert_eq!(format_g17(d), expected, "{:e}", d);
    }
    assert_eq!(format_g(0.5, 1), "0.5");
    assert_eq!(format_g(2.5, 1), "2");
    assert_eq!(format_g(3.5, 1), "4");
    assert_eq!(format_g(1234.5, 3), "1.23e+03");
    assert_eq!(format_g(1e100, 6), "1e+100");
}

#[test]
fn fixed_format_rules() {
    let cases: &[(f64, usize, &str)] = &[
        (0.0, 2, "0.00"),
        (-0.0, 2, "-0.00"),
        (1.125, 2, "1.12"),
        (1.375, 2, "1.38"),
        (0.005, 2, "0.01"),
        (1.005, 2, "1.00"),
        (-1.5, 0, "-2"),
        (2.5, 0, "2"),
        (1023.999, 2, "1024.00"),
        (1e22, 1, "10000000000000000000000.0"),
        (f64::INFINITY, 2, "inf"),
    ];
    for &(d, decimals, expected) in cases {
        assert_eq!(format_fixed(d, decimals), expected, "{} with {} decimals", d, decimals);
    }
}

#[test]
fn parse_syntax() {
    let accepted: &[(&str, f64)] = &[
        ("0", 0.0),
        ("1", 1.0),
        ("+1.5", 1.5),
        ("-2.5e3", -2500.0),
        (".5", 0.5),
        ("5.", 5.0),
        ("1E2", 100.0),
        ("1e-400", 0.0),
        ("1e400", f64::INFINITY),
        ("-1e400", f64::NEG_INFINITY),
        ("inf", f64::INFINITY),
        ("-Infinity", f64::NEG_INFINITY),
        ("9007199254740993", 9007199254740992.0),
        ("9007199254740993.000000000000000000001", 9007199254740994.0),
        ("2.4703282292062328e-324", 5e-324),
        ("2.4703282292062327e-324", 0.0),
    ];
    for &(text, expected) in accepted {
        assert_eq!(parse_f64(text.as_bytes()).map(f64::to_bits), Some(expected.to_bits()), "{:?}", text);
    }
    assert!(parse_f64(b"-nan").is_some_and(f64::is_nan));
    assert!(parse_f64(b"NaN").is_some_and(f64::is_nan));
    for bad in ["", "-", ".", "e5", "1e", "1e+", "1.2.3", "0x10", " 1", "1 ", "--1", "1f", "in", "nana"] {
        assert_eq!(parse_f64(bad.as_bytes()), None, "{:?}", bad);
    }
}

#[test]
fn parse_agrees_with_core_on_random_decimals() {
    let mut rng = Prng::new(0x5eed_f10a_7000_0001);
    for _ in 0..20_000 {
        let digit_count = 1 + rng.next_u64() % 30;
        let mut text = String::new();
        if rng.next_u64().is_multiple_of(2) {
            text.push('-');
        }
        let point = rng.next_u64() % (digit_count + 1);
        for i in 0..digit_count {
            if i == point {
                text.push('.');
            }
            text.push((b'0' + (rng.next_u64() % 10) as u8) as char);
        }
        if rng.next_u64().is_multiple_of(2) {
            let exponent = (rng.next_u64() % 700) as i64 - 350;
            text.push_str(&format!("e{}", exponent));
        }
        let expected = text.parse::<f64>().expect("core parses it").to_bits();
        assert_eq!(parse_f64(text.as_bytes()).map(f64::to_bits), Some(expected), "{:?}", text);
    }
}

#[test]
fn format_g17_reads_back_on_random_bits() {
    let mut rng = Prng::new(0x0dd_ba11_cafe);
    for _ in 0..5_000 {
        let d = f64::from_bits(rng.next_u64());
        if !d.is_finite() {
            continue;
        }
        let text = format_g17(d);
        assert_eq!(text.parse::<f64>().map(f64::to_bits), Ok(d.to_bits()), "{}", text);
    }
}
