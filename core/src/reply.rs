//! The reply value a command produces, able to express every RESP2 and RESP3 type.
//!
//! Handlers build protocol-neutral replies (a map is a `Map`); [`Reply::for_protocol`]
//! lowers RESP3-only types to what a RESP2 client receives on the wire.

use alloc::borrow::Cow;
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
    /// `+OK` — a status line. Never contains CR or LF. Borrowed for the
    /// fixed ones (`OK`, `QUEUED`, `PONG`): no allocation per reply.
    Status(Cow<'static, str>),
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
    /// An array kept in its wire form (LRANGE's and XRANGE's replies): its
    /// elements are bulk strings or arrays of them, the same frames in RESP2
    /// and RESP3, written without an allocation per element. `Node`'s typed
    /// output hands it out as the `Array` it stands for.
    BulkArray(BulkArray),
}

/// Elements already encoded (`$<len>\r\n<bytes>\r\n` for a bulk string,
/// `*<len>\r\n` and its items for an array of them), and how many there are.
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

    /// Appends a bulk string element.
    pub fn push(&mut self, value: &[u8]) {
        self.push_item(value);
        self.count += 1;
    }

    /// Appends an element that is an array of `len` items: the next `len`
    /// items written with [`push_item`](Self::push_item) or
    /// [`push_item_array`](Self::push_item_array) (whose own items follow it).
    pub fn push_array(&mut self, len: usize) {
        self.push_item_array(len);
        self.count += 1;
    }

    /// Writes a bulk string inside an element started by `push_array`.
    pub fn push_item(&mut self, value: &[u8]) {
        self.push_item_with(value.len(), |out| crate::short_copy::extend(out, value));
    }

    /// Writes a bulk string of `len` bytes that `write` appends, inside an
    /// element started by `push_array` (for values formatted in place).
    pub fn push_item_with(&mut self, len: usize, write: impl FnOnce(&mut Vec<u8>)) {
        self.encoded.push(b'$');
        crate::args::push_i64(len as i64, &mut self.encoded);
        self.encoded.extend_from_slice(b"\r\n");
        let before = self.encoded.len();
        write(&mut self.encoded);
        debug_assert_eq!(self.encoded.len() - before, len);
        self.encoded.extend_from_slice(b"\r\n");
    }

    /// Writes the header of an array of `len` items inside an element.
    pub fn push_item_array(&mut self, len: usize) {
        self.encoded.push(b'*');
        crate::args::push_i64(len as i64, &mut self.encoded);
        self.encoded.extend_from_slice(b"\r\n");
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

    /// The elements as `Bulk` (or `Array`) replies.
    pub fn to_replies(&self) -> Vec<Reply> {
        let mut items = Vec::with_capacity(self.count);
        let mut at = 0;
        while let Some((item, next)) = decode_element(&self.encoded, at) {
            items.push(item);
            at = next;
        }
        items
    }
}

/// The element (as `BulkArray` writes them) starting at `at`, and where the
/// next one starts; `None` at the end.
fn decode_element(bytes: &[u8], at: usize) -> Option<(Reply, usize)> {
    let rest = bytes.get(at..)?;
    let cr = rest.iter().position(|&b| b == b'\r')?;
    let len = rest.get(1..cr).and_then(crate::args::parse_i64).unwrap_or(0).max(0) as usize;
    let body = at + cr + 2;
    match rest.first()? {
        b'*' => {
            let mut items = Vec::with_capacity(len.min(1024));
            let mut next = body;
            for _ in 0..len {
                let (item, after) = decode_element(bytes, next)?;
                items.push(item);
                next = after;
            }
            Some((Reply::Array(items), next))
        }
        _ => {
            let end = body.checked_add(len)?.min(bytes.len());
            Some((Reply::Bulk(bytes.get(body..end)?.to_vec()), end + 2))
        }
    }
}

impl Reply {
    pub fn ok() -> Reply {
        Reply::Status(Cow::Borrowed("OK"))
    }

    pub fn status(text: impl Into<Cow<'static, str>>) -> Reply {
        Reply::Status(text.into())
    }

    pub fn bulk(bytes: &[u8]) -> Reply {
        Reply::Bulk(crate::short_copy::to_vec(bytes))
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
            Reply::Map(pairs) if pairs.iter().any(|(k, v)| k.holds_bulk_array() || v.holds_bulk_array()) => {
                Reply::Map(pairs.into_iter().map(|(k, v)| (k.expanded(), v.expanded())).collect())
            }
            other => other,
        }
    }

    fn holds_bulk_array(&self) -> bool {
        match self {
            Reply::BulkArray(_) => true,
            Reply::Array(items) | Reply::Push(items) => items.iter().any(Reply::holds_bulk_array),
            Reply::Map(pairs) => pairs.iter().any(|(k, v)| k.holds_bulk_array() || v.holds_bulk_array()),
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
        // Lengths around the one- and two-digit length lines too.
        let long = [b'v'; 101];
        let around_digits: &[&[u8]] = &[&long[..9], &long[..10], &long[..99], &long[..100], &long[..101]];
        let cases: [&[&[u8]]; 5] =
            [&[b"a"], &[b"", b"x\r\ny", b"\r\n"], &[&[0u8, 255, b'$', b'\r']], &[b"0123456789abcdef".as_slice(); 12], around_digits];
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

    /// Elements that are arrays (XRANGE's `[id, [field, value]]`) encode
    /// as the nested `Array`s they stand for, in both protocols and inside a
    /// map (XREAD's RESP3 reply), and expand back to them.
    #[test]
    fn bulk_array_with_nested_arrays_encodes_and_expands_like_arrays() {
        let mut array = BulkArray::with_capacity(2, 8);
        array.push_array(2);
        array.push_item(b"1-0");
        array.push_item_array(4);
        for value in [b"f".as_slice(), b"\r\n", b"", b"*2"] {
            array.push_item(value);
        }
        array.push(b"plain");
        array.push_array(0);
        let entry = Reply::Array(vec![
            Reply::bulk(b"1-0"),
            Reply::Array(vec![Reply::bulk(b"f"), Reply::bulk(b"\r\n"), Reply::bulk(b""), Reply::bulk(b"*2")]),
        ]);
        let plain = Reply::Array(vec![entry, Reply::bulk(b"plain"), Reply::Array(vec![])]);
        assert_eq!(array.len(), 3);
        for protocol in [Protocol::Resp2, Protocol::Resp3] {
            let (mut packed_bytes, mut plain_bytes) = (Vec::new(), Vec::new());
            crate::resp::encode(&Reply::BulkArray(array.clone()), protocol, &mut packed_bytes);
            crate::resp::encode(&plain, protocol, &mut plain_bytes);
            assert_eq!(packed_bytes, plain_bytes);
        }
        assert_eq!(Reply::BulkArray(array.clone()).expanded(), plain);
        let map = Reply::Map(vec![(Reply::bulk(b"s"), Reply::BulkArray(array))]);
        assert_eq!(map.expanded(), Reply::Map(vec![(Reply::bulk(b"s"), plain)]));
    }
}
