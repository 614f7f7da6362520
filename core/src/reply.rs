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
    /// An array of bulk strings kept in their wire form (LRANGE's reply):
    /// the same frame as an `Array` of `Bulk`s, without an allocation per
    /// element. `Node`'s typed output hands it out as that `Array`.
    BulkArray(BulkArray),
}

/// Bulk strings already encoded (`$<len>\r\n<bytes>\r\n` each, the same in
/// RESP2 and RESP3), and how many there are.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct BulkArray {
    encoded: Vec<u8>,
    count: usize,
}

impl BulkArray {
    /// An empty array with room for `count` elements of about `value_len`
    /// bytes (a guess, so capped; the buffer grows past it as needed).
    pub fn with_capacity(count: usize, value_len: usize) -> BulkArray {
        const MAX_RESERVE: usize = 64 * 1024;
        let guess = count.saturating_mul(value_len.saturating_add(8)).min(MAX_RESERVE);
        BulkArray { encoded: Vec::with_capacity(guess), count: 0 }
    }

    pub fn push(&mut self, value: &[u8]) {
        self.encoded.push(b'$');
        crate::args::push_i64(value.len() as i64, &mut self.encoded);
        self.encoded.extend_from_slice(b"\r\n");
        self.encoded.extend_from_slice(value);
        self.encoded.extend_from_slice(b"\r\n");
        self.count += 1;
    }

    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The encoded elements, one after another.
    pub(crate) fn encoded(&self) -> &[u8] {
        &self.encoded
    }

    /// The elements as `Bulk` replies.
    pub fn to_replies(&self) -> Vec<Reply> {
        let mut items = Vec::with_capacity(self.count);
        let mut rest = self.encoded.as_slice();
        // Each element is `$`, digits, CRLF, the bytes, CRLF (written by `push`).
        while let Some(cr) = rest.iter().position(|&b| b == b'\r') {
            let len = rest.get(1..cr).and_then(crate::args::parse_i64).unwrap_or(0) as usize;
            let start = cr + 2;
            let end = (start + len).min(rest.len());
            items.push(Reply::Bulk(rest[start..end].to_vec()));
            rest = rest.get(end + 2..).unwrap_or(&[]);
        }
        items
    }
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

    /// The reply with every `BulkArray` in it turned into an `Array` of
    /// `Bulk`s, for consumers of typed replies.
    pub fn expanded(self) -> Reply {
        match self {
            Reply::BulkArray(array) => Reply::Array(array.to_replies()),
            Reply::Array(items) if items.iter().any(Reply::holds_bulk_array) => {
                Reply::Array(items.into_iter().map(Reply::expanded).collect())
            }
            Reply::Push(items) if items.iter().any(Reply::holds_bulk_array) => {
                Reply::Push(items.into_iter().map(Reply::expanded).collect())
            }
            other => other,
        }
    }

    fn holds_bulk_array(&self) -> bool {
        match self {
            Reply::BulkArray(_) => true,
            Reply::Array(items) | Reply::Push(items) => items.iter().any(Reply::holds_bulk_array),
            _ => false,
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    /// A `BulkArray` is the same frame as the `Array` of `Bulk`s it stands
    /// for, in both protocols, and expands back to it (binary values too).
    #[test]
    fn bulk_array_encodes_and_expands_like_an_array_of_bulks() {
        let cases: [&[&[u8]]; 4] = [&[b"a"], &[b"", b"x\r\ny", b"\r\n"], &[&[0u8, 255, b'$', b'\r']], &[b"0123456789abcdef".as_slice(); 12]];
        for values in cases {
            let mut array = BulkArray::with_capacity(values.len(), 1);
            values.iter().for_each(|v| array.push(v));
            let plain = Reply::Array(values.iter().map(|v| Reply::bulk(v)).collect());
            for protocol in [Protocol::Resp2, Protocol::Resp3] {
                let (mut packed_bytes, mut plain_bytes) = (Vec::new(), Vec::new());
                crate::resp::encode(&Reply::BulkArray(array.clone()), protocol, &mut packed_bytes);
                crate::resp::encode(&plain, protocol, &mut plain_bytes);
                assert_eq!(packed_bytes, plain_bytes);
            }
            assert_eq!(array.len(), values.len());
            assert_eq!(Reply::BulkArray(array.clone()).expanded(), plain);
            let nested = Reply::Array(vec![Reply::Integer(1), Reply::BulkArray(array)]);
            assert_eq!(nested.expanded(), Reply::Array(vec![Reply::Integer(1), plain]));
        }
    }
}
