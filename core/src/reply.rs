//! The reply value a command produces, able to express every RESP2 and RESP3 type.
//!
//! Handlers build protocol-neutral replies (a map is a `Map`); [`Reply::for_protocol`]
//! lowers RESP3-only types to what a RESP2 client receives on the wire.

use alloc::string::String;
use alloc::vec::Vec;

/// Which protocol a client speaks (`HELLO 2` / `HELLO 3`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    Resp2,
    Resp3,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Reply {
    /// `+OK` — a status line. Never contains CR or LF.
    Status(String),
    /// `-ERR ...` — the full error text without the leading `-`; bytes, because
    /// errors can echo binary arguments.
    Error(Vec<u8>),
    Integer(i64),
    Bulk(Vec<u8>),
    /// A missing value: `$-1` in RESP2, `_` in RESP3.
    Nil,
    /// A missing aggregate: `*-1` in RESP2, `_` in RESP3.
    NilArray,
    Array(Vec<Reply>),
    Map(Vec<(Reply, Reply)>),
    Set(Vec<Reply>),
    Double(f64),
    Boolean(bool),
    /// Out-of-band data (pub/sub messages, invalidations); an array in RESP2.
    Push(Vec<Reply>),
    /// A string with a three-letter format such as `txt`; a bulk string in RESP2.
    Verbatim { format: [u8; 3], text: Vec<u8> },
    /// An arbitrary-precision integer in decimal; a bulk string in RESP2.
    BigNumber(String),
}

impl Reply {
    pub fn ok() -> Reply {
        Reply::Status(String::from("OK"))
    }

    pub fn status(text: &str) -> Reply {
        Reply::Status(String::from(text))
    }

    pub fn bulk(bytes: &[u8]) -> Reply {
        Reply::Bulk(bytes.to_vec())
    }

    pub fn error(text: &str) -> Reply {
        Reply::Error(text.as_bytes().to_vec())
    }

    pub fn is_error(&self) -> bool {
        matches!(self, Reply::Error(_))
    }

    /// The reply as a client speaking `protocol` receives it.
    pub fn for_protocol(self, protocol: Protocol) -> Reply {
        if protocol == Protocol::Resp3 {
            return self;
        }
        match self {
            Reply::Array(items) => Reply::Array(lower_all(items)),
            Reply::Set(items) | Reply::Push(items) => Reply::Array(lower_all(items)),
            Reply::Map(pairs) => {
                let mut flat = Vec::with_capacity(pairs.len() * 2);
                for (k, v) in pairs {
                    flat.push(k.for_protocol(Protocol::Resp2));
                    flat.push(v.for_protocol(Protocol::Resp2));
                }
                Reply::Array(flat)
            }
            Reply::Double(d) => Reply::Bulk(format_double(d).into_bytes()),
            Reply::Boolean(b) => Reply::Integer(b as i64),
            Reply::Verbatim { text, .. } => Reply::Bulk(text),
            Reply::BigNumber(n) => Reply::Bulk(n.into_bytes()),
            other => other,
        }
    }
}

fn lower_all(items: Vec<Reply>) -> Vec<Reply> {
    items.into_iter().map(|r| r.for_protocol(Protocol::Resp2)).collect()
}

/// Formats a double the way Redis 7.0 does in replies (`%.17g`, `inf`, `-inf`, `nan`).
pub fn format_double(d: f64) -> String {
    crate::args::format_g17(d)
}
