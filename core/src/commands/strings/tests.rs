//! Tests for the string commands: a transcript recorded from redis-server
//! 7.0.15, plus table-driven cases for ranges and counters.

use crate::commands::keys::tests::Session;

#[test]
fn recorded_transcript_matches() {
    Session::new().replay(include_str!("redis.txt"));
}

#[test]
fn getrange_index_rules() {
    // (start, end, expected) on "hello world"; checked with GETRANGE on redis-server.
    let cases: &[(i64, i64, &str)] = &[
        (0, -1, "hello world"),
        (-5, -1, "world"),
        (5, 2, ""),
        (-1, -5, ""),
        (-100, 100, "hello world"),
        (100, 200, ""),
        (0, 0, "h"),
        (-1, -1, "d"),
        (3, -100, ""),
        (i64::MIN, i64::MAX, "hello world"),
        (11, 11, ""),
        (10, 11, "d"),
        (-12, -12, "h"),
    ];
    for &(start, end, expected) in cases {
        assert_eq!(super::byte_range(b"hello world", start, end), expected.as_bytes(), "{} {}", start, end);
    }
    assert_eq!(super::byte_range(b"", 0, -1), b"");
}

#[test]
fn values_stay_binary_safe() {
    Session::new().replay(
        r#"> set "k\x00" "a\x00b\r\n"
OK
> append "k\x00" "\xff"
(integer) 6
> get "k\x00"
"a\x00b\r\n\xff"
> getrange "k\x00" 1 2
"\x00b"
> setrange "k\x00" 8 "\x00"
(integer) 9
> get "k\x00"
"a\x00b\r\n\xff\x00\x00\x00"
> strlen "k\x00"
(integer) 9
"#,
    );
}

#[test]
fn counters_keep_the_ttl_and_expire_on_the_clock() {
    Session::new().replay(
        "> set n 10 px 2000
OK
> incrby n 5
(integer) 15
> incrbyfloat n 0.5
\"15.5\"
> pttl n
(integer) 2000
@ +2000
> get n
(nil)
> incr n
(integer) 1
> pttl n
(integer) -1
",
    );
}

#[test]
fn huge_offsets_and_extremes_do_not_panic() {
    let mut s = Session::new();
    for line in [
        "setrange k 536870912 x",
        "setrange k 9223372036854775807 x",
        "getrange k -9223372036854775808 -9223372036854775808",
        "incrby k -9223372036854775808",
        "decrby k -9223372036854775808",
        "incrbyfloat k 1e4932",
        "incrbyfloat k 1e4932",
        "getex k pxat 9223372036854775807",
        "expire k 9223372036854775807",
        "pexpireat k -9223372036854775808",
        "set \"\" \"\"",
        "getrange \"\" 0 -1",
    ] {
        s.run(line);
    }
}

#[test]
fn lcs_idx_is_a_map_in_resp3() {
    // Recorded from redis-server 7.0.15 after HELLO 3.
    let mut session = Session::new();
    session.run("hello 3");
    session.replay(
        "> set k1 ohmytext
OK
> set k2 mynewtext
OK
> lcs k1 k2 idx minmatchlen 3 withmatchlen
1# \"matches\" => 
   1) 1) 1) (integer) 4
         2) (integer) 7
      2) 1) (integer) 5
         2) (integer) 8
      3) (integer) 4
2# \"len\" => (integer) 6
",
    );
}
