//! Glob-style matching with Redis's exact rules (KEYS, SCAN MATCH, and later
//! PSUBSCRIBE): `*` any run of bytes, `?` one byte, `[abc]`, `[^abc]`, `[a-z]`
//! classes, and `\` escaping the next byte.
//!
//! The quirks are Redis's own, checked against redis-server 7.0.15's KEYS:
//! - an unterminated class (`[abc`) runs to the end of the pattern;
//! - a range may be written backwards (`[z-a]` equals `[a-z]`), and `-`
//!   followed by the closing `]` makes `]` the range's end (`[a-]` is
//!   `[\]-a]` and leaves the class open);
//! - a `\` at the very end of the pattern matches a literal `\`;
//! - a pattern that is not just `*` never matches the empty string unless it
//!   is empty itself (`**` does not match the empty key; KEYS and SCAN treat a
//!   lone `*` specially);
//! - past 1000 levels of `*` backtracking the match fails (Redis's guard
//!   against patterns built to be slow).

/// How deep `*` may recurse before the match gives up, as Redis.
const MAX_NESTING: usize = 1000;

/// Whether `string` matches `pattern`. `nocase` folds ASCII letters.
pub fn matches(pattern: &[u8], string: &[u8], nocase: bool) -> bool {
    let mut exhausted = false;
    match_at(pattern, string, nocase, &mut exhausted, 0)
}

fn fold(c: u8, nocase: bool) -> u8 {
    if nocase {
        c.to_ascii_lowercase()
    } else {
        c
    }
}

/// `exhausted` is set once a `*` tried every split down to the end of the
/// string and failed: then no outer `*` can do better by giving it more bytes,
/// which keeps matching polynomial.
fn match_at(mut p: &[u8], mut s: &[u8], nocase: bool, exhausted: &mut bool, nesting: usize) -> bool {
    if nesting > MAX_NESTING {
        return false;
    }
    while !p.is_empty() && !s.is_empty() {
        match p[0] {
            b'*' => {
                while p.len() > 1 && p[1] == b'*' {
                    p = &p[1..];
                }
                if p.len() == 1 {
                    return true;
                }
                while !s.is_empty() {
                    if match_at(&p[1..], s, nocase, exhausted, nesting + 1) {
                        return true;
                    }
                    if *exhausted {
                        return false;
                    }
                    s = &s[1..];
                }
                *exhausted = true;
                return false;
            }
            b'?' => s = &s[1..],
            b'[' => {
                let (matched, rest) = match_class(&p[1..], s[0], nocase);
                if !matched {
                    return false;
                }
                s = &s[1..];
                // `rest` starts at the class's closing `]` (or is empty).
                p = rest;
            }
            c => {
                let literal = if c == b'\\' && p.len() >= 2 {
                    p = &p[1..];
                    p[0]
                } else {
                    c
                };
                if fold(literal, nocase) != fold(s[0], nocase) {
                    return false;
                }
                s = &s[1..];
            }
        }
        // Step past the byte (or class-closing `]`) just consumed.
        if !p.is_empty() {
            p = &p[1..];
        }
        if s.is_empty() {
            while p.first() == Some(&b'*') {
                p = &p[1..];
            }
            break;
        }
    }
    p.is_empty() && s.is_empty()
}

/// Matches byte `c` against the class whose body starts at `p` (just after
/// `[`). Returns whether it matched and the pattern from the closing `]` on
/// (empty if the class was never closed).
fn match_class(mut p: &[u8], c: u8, nocase: bool) -> (bool, &[u8]) {
    let negate = p.first() == Some(&b'^');
    if negate {
        p = &p[1..];
    }
    let mut matched = false;
    loop {
        match p {
            [] => break,
            [b'\\', escaped, ..] => {
                if *escaped == c {
                    matched = true;
                }
                p = &p[2..];
            }
            [b']', ..] => break,
            [start, b'-', end, ..] => {
                let (mut lo, mut hi) = (*start, *end);
                if lo > hi {
                    core::mem::swap(&mut lo, &mut hi);
                }
                let (lo, hi, c) = (fold(lo, nocase), fold(hi, nocase), fold(c, nocase));
                if lo <= c && c <= hi {
                    matched = true;
                }
                p = &p[3..];
            }
            [x, ..] => {
                if fold(*x, nocase) == fold(c, nocase) {
                    matched = true;
                }
                p = &p[1..];
            }
        }
    }
    (matched != negate, p)
}

#[cfg(test)]
mod tests {
    use super::matches;

    /// (pattern, key, matches) — every row checked with `KEYS pattern` on
    /// redis-server 7.0.15 holding just `key`.
    const CASES: &[(&[u8], &[u8], bool)] = &[
        (b"", b"", true),
        (b"", b"a", false),
        (b"a", b"", false),
        (b"**", b"", false),
        (b"?", b"", false),
        (b"**", b"abc", true),
        (b"a*", b"a", true),
        (b"a*", b"abc", true),
        (b"a*", b"bac", false),
        (b"*c", b"abc", true),
        (b"*c", b"abd", false),
        (b"*b*", b"abc", true),
        (b"*b*", b"b", true),
        (b"a*b*c", b"aXbYc", true),
        (b"a*b*c", b"aXcYb", false),
        (b"a*b", b"ab", true),
        (b"a*b", b"abab", true),
        (b"a*b", b"abac", false),
        (b"a**", b"a", true),
        (b"?", b"a", true),
        (b"?", b"ab", false),
        (b"??", b"ab", true),
        (b"a?c", b"abc", true),
        (b"a?c", b"ac", false),
        (b"h[ae]llo", b"hello", true),
        (b"h[ae]llo", b"hallo", true),
        (b"h[ae]llo", b"hillo", false),
        (b"h[^e]llo", b"hallo", true),
        (b"h[^e]llo", b"hello", false),
        (b"h[a-b]llo", b"hbllo", true),
        (b"h[a-b]llo", b"hcllo", false),
        (b"h[b-a]llo", b"hallo", true),
        (b"h[z-a]llo", b"hmllo", true),
        (b"[^a-c]", b"d", true),
        (b"[^a-c]", b"b", false),
        (b"[abc", b"a", true),
        (b"[abc", b"c", true),
        (b"[abc", b"d", false),
        (b"[abc", b"ab", false),
        (b"[a-", b"a", true),
        (b"[a-", b"-", true),
        (b"[a-]", b"]", true),
        (b"[a-]", b"_", true),
        (b"[a-]", b"a", true),
        (b"[a-]", b"b", false),
        (b"[a-]x", b"ax", false),
        (b"[]", b"]", false),
        (b"[]]", b"]", false),
        (b"[\\]]", b"]", true),
        (b"[\\]]", b"\\", false),
        (b"[\\", b"\\", true),
        (b"[", b"[", false),
        (b"[]a", b"a", false),
        (b"[^]", b"a", true),
        (b"[^]a", b"xa", true),
        (b"[^]", b"", false),
        (b"\\*", b"*", true),
        (b"\\*", b"a", false),
        (b"\\?", b"?", true),
        (b"\\[a]", b"[a]", true),
        (b"\\a", b"a", true),
        (b"a\\", b"a\\", true),
        (b"\\", b"\\", true),
        (b"*\\", b"ab\\", true),
        (b"[-a]", b"-", true),
        (b"[a-c-e]", b"-", true),
        (b"[a-c-e]", b"e", true),
        (b"A", b"a", false),
        (b"[A-Z]", b"a", false),
        (b"*a*a*a*a*a*a*a*a*b", b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false),
        (b"\x00*", b"\x00\xff", true),
        (b"[\x80-\xff]", b"\xc3", true),
        (b"[\x80-\xff]", b"a", false),
        (b"?\xc3", b"a\xc3", true),
    ];

    #[test]
    fn table_matches_redis_keys() {
        for (pattern, key, expected) in CASES {
            assert_eq!(
                matches(pattern, key, false),
                *expected,
                "pattern {:?} key {:?}",
                core::str::from_utf8(pattern),
                core::str::from_utf8(key)
            );
        }
    }

    fn unhex(text: &str) -> alloc::vec::Vec<u8> {
        (0..text.len() / 2).filter_map(|i| u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok()).collect()
    }

    #[test]
    fn random_cases_match_redis_keys() {
        let mut checked = 0;
        for line in include_str!("glob/redis_cases.txt").lines().filter(|l| !l.starts_with('#')) {
            let fields: alloc::vec::Vec<&str> = line.split(' ').collect();
            let (pattern, key) = (unhex(fields[0]), unhex(fields[1]));
            assert_eq!(matches(&pattern, &key, false), fields[2] == "1", "line {}", line);
            checked += 1;
        }
        assert_eq!(checked, 500);
    }

    #[test]
    fn nocase_folds_letters_and_ranges() {
        assert!(matches(b"HELLO", b"hello", true));
        assert!(matches(b"h[A-Z]llo", b"hello", true));
        assert!(matches(b"[^E]", b"e", false));
        assert!(!matches(b"[^E]", b"e", true));
    }

    #[test]
    fn deep_star_patterns_give_up_like_redis() {
        let mut pattern = alloc::vec::Vec::new();
        let mut key = alloc::vec::Vec::new();
        for _ in 0..1002 {
            pattern.extend_from_slice(b"a*");
            key.push(b'a');
        }
        // 1002 `a*` groups against 1002 bytes fail, 1001 against 1001 match.
        assert!(!matches(&pattern, &key, false));
        assert!(matches(&pattern[..2002], &key[..1001], false));
    }
}
