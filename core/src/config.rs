//! Runtime configuration: the parameters redplay honours, with CONFIG GET/SET
//! parsing and Redis's validation messages. Unknown parameters are refused,
//! never silently accepted.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::args::parse_i64;

/// The eviction policies Redis accepts. Only `noeviction` is implemented, so
/// the others are refused rather than accepted and ignored.
pub const EVICTION_POLICIES: &[&str] = &[
    "volatile-lru",
    "volatile-lfu",
    "volatile-random",
    "volatile-ttl",
    "allkeys-lru",
    "allkeys-lfu",
    "allkeys-random",
    "noeviction",
];

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// Bytes; 0 means no limit.
    pub maxmemory: u64,
    pub maxmemory_policy: &'static str,
    pub proto_max_bulk_len: i64,
    pub stream_node_max_entries: i64,
    pub stream_node_max_bytes: i64,
    pub list_max_listpack_size: i64,
    pub list_compress_depth: i64,
    /// The `default` user's password; empty means none (no AUTH needed).
    pub requirepass: Vec<u8>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            maxmemory: 0,
            maxmemory_policy: "noeviction",
            proto_max_bulk_len: 512 * 1024 * 1024,
            stream_node_max_entries: 100,
            stream_node_max_bytes: 4096,
            list_max_listpack_size: -2,
            list_compress_depth: 0,
            requirepass: Vec::new(),
        }
    }
}

/// How a parameter's value is read and checked.
#[derive(Clone, Copy)]
enum Kind {
    /// A byte count with optional unit (`100mb`), between the bounds.
    Memory { min: i64, max: i64 },
    Integer { min: i64, max: i64 },
    Policy,
    /// Any bytes (requirepass); stored by `set_text`, not `set`.
    Text,
    /// Shown by CONFIG GET but fixed at start-up.
    Immutable,
}

/// One parameter: its name(s) and how to read and write it.
struct Param {
    name: &'static str,
    kind: Kind,
    get: fn(&Config) -> String,
    set: fn(&mut Config, i64, &'static str),
}

const INT_MAX: i64 = i32::MAX as i64;
const INT_MIN: i64 = i32::MIN as i64;

/// Every parameter, sorted by name (CONFIG GET lists matches in this order).
const PARAMS: &[Param] = &[
    Param { name: "databases", kind: Kind::Immutable, get: |_| String::from("16"), set: |_, _, _| {} },
    Param {
        name: "list-compress-depth",
        kind: Kind::Integer { min: 0, max: INT_MAX },
        get: |c| format!("{}", c.list_compress_depth),
        set: |c, v, _| c.list_compress_depth = v,
    },
    Param {
        name: "list-max-listpack-size",
        kind: Kind::Integer { min: INT_MIN, max: INT_MAX },
        get: |c| format!("{}", c.list_max_listpack_size),
        set: |c, v, _| c.list_max_listpack_size = v,
    },
    Param {
        name: "list-max-ziplist-size",
        kind: Kind::Integer { min: INT_MIN, max: INT_MAX },
        get: |c| format!("{}", c.list_max_listpack_size),
        set: |c, v, _| c.list_max_listpack_size = v,
    },
    Param {
        name: "maxmemory",
        kind: Kind::Memory { min: 0, max: i64::MAX },
        get: |c| format!("{}", c.maxmemory),
        set: |c, v, _| c.maxmemory = v as u64,
    },
    Param {
        name: "maxmemory-policy",
        kind: Kind::Policy,
        get: |c| String::from(c.maxmemory_policy),
        set: |c, _, p| c.maxmemory_policy = p,
    },
    Param {
        name: "proto-max-bulk-len",
        kind: Kind::Memory { min: 1024 * 1024, max: i64::MAX },
        get: |c| format!("{}", c.proto_max_bulk_len),
        set: |c, v, _| c.proto_max_bulk_len = v,
    },
    Param {
        name: "requirepass",
        kind: Kind::Text,
        get: |c| String::from_utf8_lossy(&c.requirepass).into_owned(),
        set: |_, _, _| {},
    },
    Param {
        name: "stream-node-max-bytes",
        kind: Kind::Memory { min: 0, max: i64::MAX },
        get: |c| format!("{}", c.stream_node_max_bytes),
        set: |c, v, _| c.stream_node_max_bytes = v,
    },
    Param {
        name: "stream-node-max-entries",
        kind: Kind::Integer { min: 0, max: i64::MAX },
        get: |c| format!("{}", c.stream_node_max_entries),
        set: |c, v, _| c.stream_node_max_entries = v,
    },
];

/// Why CONFIG SET refused a value.
#[derive(Debug, PartialEq, Eq)]
pub enum ConfigError {
    /// Not a parameter we know: `Unknown option ... - 'name'`.
    Unknown(Vec<u8>),
    /// The parameter is known but the value is not accepted.
    Invalid { name: Vec<u8>, reason: String },
}

impl Config {
    /// `(name, value)` pairs for CONFIG GET's `pattern`: a name without
    /// glob characters is looked up ignoring case and reported as typed; a
    /// glob matches every parameter name (aliases included).
    pub fn get(&self, pattern: &[u8]) -> Vec<(Vec<u8>, String)> {
        if !pattern.iter().any(|c| matches!(c, b'[' | b'*' | b'?')) {
            return find_param(pattern).map(|p| (pattern.to_vec(), (p.get)(self))).into_iter().collect();
        }
        PARAMS
            .iter()
            .filter(|p| crate::glob::matches(pattern, p.name.as_bytes(), true))
            .map(|p| (p.name.as_bytes().to_vec(), (p.get)(self)))
            .collect()
    }

    /// Sets several parameters at once, as CONFIG SET in Redis 7.0: every
    /// name is checked first (unknown, immutable, given twice — the first
    /// problem wins), then values are applied in order; a bad value changes
    /// nothing. A parameter and its alias may both appear (the later wins).
    pub fn set_all(&mut self, pairs: &[(&[u8], &[u8])]) -> Result<(), ConfigError> {
        let mut params: Vec<&Param> = Vec::with_capacity(pairs.len());
        for (i, (name, _)) in pairs.iter().enumerate() {
            let param = find_param(name).ok_or_else(|| ConfigError::Unknown(name.to_vec()))?;
            let invalid = |reason: &str| ConfigError::Invalid { name: name.to_vec(), reason: String::from(reason) };
            if matches!(param.kind, Kind::Immutable) {
                return Err(invalid("can't set immutable config"));
            }
            if params[..i].iter().any(|p| core::ptr::eq(*p, param)) {
                return Err(invalid("duplicate parameter"));
            }
            params.push(param);
        }
        let mut staged = self.clone();
        for (param, (_, value)) in params.into_iter().zip(pairs) {
            // A bad value is reported under the parameter's own (lower-case) name.
            let invalid = |reason: String| ConfigError::Invalid { name: param.name.as_bytes().to_vec(), reason };
            match param.kind {
                Kind::Immutable => return Err(invalid(String::from("can't set immutable config"))),
                Kind::Policy => {
                    let lower = value.to_ascii_lowercase();
                    let policy = EVICTION_POLICIES
                        .iter()
                        .find(|p| p.as_bytes() == lower.as_slice())
                        .ok_or_else(|| invalid(format!("argument(s) must be one of the following: {}", EVICTION_POLICIES.join(", "))))?;
                    if *policy != "noeviction" {
                        return Err(invalid(String::from("redplay implements only the noeviction policy")));
                    }
                    (param.set)(&mut staged, 0, policy);
                }
                Kind::Text => staged.requirepass = value.to_vec(),
                Kind::Memory { min, max } => {
                    let bytes = parse_memory(value).ok_or_else(|| invalid(String::from("argument must be a memory value")))?;
                    if bytes < min || bytes > max {
                        return Err(invalid(format!("argument must be between {} and {} inclusive", min, max)));
                    }
                    (param.set)(&mut staged, bytes, "");
                }
                Kind::Integer { min, max } => {
                    let number = parse_i64(value)
                        .ok_or_else(|| invalid(String::from("argument couldn't be parsed into an integer")))?;
                    if number < min || number > max {
                        return Err(invalid(format!("argument must be between {} and {} inclusive", min, max)));
                    }
                    (param.set)(&mut staged, number, "");
                }
            }
        }
        *self = staged;
        Ok(())
    }
}

fn find_param(name: &[u8]) -> Option<&'static Param> {
    PARAMS.iter().find(|p| p.name.as_bytes().eq_ignore_ascii_case(name))
}

/// A memory value as Redis reads it: digits with an optional `b`, `k`, `kb`,
/// `m`, `mb`, `g`, `gb` suffix (any case); `k` is 1000 and `kb` 1024.
pub fn parse_memory(text: &[u8]) -> Option<i64> {
    let lower = text.to_ascii_lowercase();
    let digits_end = lower.iter().position(|c| !c.is_ascii_digit() && *c != b'-').unwrap_or(lower.len());
    let (number, unit) = lower.split_at(digits_end);
    let multiplier: i64 = match unit {
        b"" | b"b" => 1,
        b"k" => 1000,
        b"kb" => 1024,
        b"m" => 1000 * 1000,
        b"mb" => 1024 * 1024,
        b"g" => 1000 * 1000 * 1000,
        b"gb" => 1024 * 1024 * 1024,
        _ => return None,
    };
    // An empty value reads as 0, as Redis's memtoull does.
    if number.is_empty() && unit.is_empty() {
        return Some(0);
    }
    let value = parse_i64(number)?;
    if value < 0 {
        return None;
    }
    value.checked_mul(multiplier)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_values() {
        let cases: &[(&str, Option<i64>)] = &[
            ("0", Some(0)),
            ("10KB", Some(10240)),
            ("1gb", Some(1 << 30)),
            ("5k", Some(5000)),
            ("abc", None),
            ("-1", None),
            ("1.5gb", None),
            ("", Some(0)),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_memory(text.as_bytes()), *expected, "{}", text);
        }
    }

    #[test]
    fn set_checks_everything_before_changing_anything() {
        let mut config = Config::default();
        let result = config.set_all(&[(b"maxmemory", b"1mb"), (b"databases", b"3")]);
        assert!(matches!(result, Err(ConfigError::Invalid { ref name, .. }) if name == b"databases"));
        assert_eq!(config.maxmemory, 0);
        config.set_all(&[(b"MAXMEMORY", b"1mb")]).unwrap();
        assert_eq!(config.maxmemory, 1 << 20);
        assert_eq!(
            config.set_all(&[(b"maxmemory", b"1"), (b"MAXMEMORY", b"2")]),
            Err(ConfigError::Invalid { name: b"MAXMEMORY".to_vec(), reason: String::from("duplicate parameter") })
        );
        // A parameter and its alias are not duplicates: the later one wins.
        config.set_all(&[(b"list-max-listpack-size", b"3"), (b"list-max-ziplist-size", b"4")]).unwrap();
        assert_eq!(config.list_max_listpack_size, 4);
        // Names are all checked before any value.
        assert_eq!(
            config.set_all(&[(b"maxmemory", b"abc"), (b"databases", b"32")]),
            Err(ConfigError::Invalid { name: b"databases".to_vec(), reason: String::from("can't set immutable config") })
        );
        assert_eq!(config.set_all(&[(b"maxmemory", b"")]), Ok(()));
        assert_eq!(config.maxmemory, 0);
        assert_eq!(config.set_all(&[(b"nosuch", b"1")]), Err(ConfigError::Unknown(b"nosuch".to_vec())));
    }

    #[test]
    fn get_lists_matches_in_name_order() {
        let config = Config::default();
        let names: Vec<Vec<u8>> = config.get(b"list-max-*").into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, [b"list-max-listpack-size".to_vec(), b"list-max-ziplist-size".to_vec()]);
        assert_eq!(config.get(b"MaxMemory"), [(b"MaxMemory".to_vec(), String::from("0"))]);
    }
}
