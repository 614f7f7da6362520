//! The RESP wire format: encoding replies (RESP2 and RESP3), decoding client
//! requests exactly as a Redis 7.0 server parses its query buffer (multibulk and
//! inline, with the same protocol errors), and decoding reply frames for clients
//! and tests.
//!
//! Every decoder is incremental (feed bytes in any chunks) and total: no input,
//! however malformed, makes it panic.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::args::parse_i64;
use crate::cli::split_args;
use crate::reply::{format_double, Protocol, Reply};

// ---------------------------------------------------------------------------
// Reply encoding
// ---------------------------------------------------------------------------

/// Appends `reply` to `out` as `protocol` puts it on the wire.
///
/// Replies are normally lowered by [`Reply::for_protocol`] first; RESP3-only
/// types given with [`Protocol::Resp2`] are lowered the same way here, so the
/// output is always a valid frame for the protocol.
pub fn encode(reply: &Reply, protocol: Protocol, out: &mut Vec<u8>) {
    let resp3 = protocol == Protocol::Resp3;
    match reply {
        Reply::Status(text) => line(b'+', text.as_bytes(), out),
        Reply::Error(text) => line(b'-', text, out),
        Reply::Integer(n) => header(b':', *n, out),
        Reply::Bulk(bytes) => bulk(b'$', &[], bytes, out),
        Reply::Nil if resp3 => out.extend_from_slice(b"_\r\n"),
        Reply::Nil => out.extend_from_slice(b"$-1\r\n"),
        Reply::NilArray if resp3 => out.extend_from_slice(b"_\r\n"),
        Reply::NilArray => out.extend_from_slice(b"*-1\r\n"),
        Reply::Array(items) => aggregate(b'*', items, protocol, out),
        Reply::BulkArray(array) => {
            header(b'*', array.len() as i64, out);
            out.extend_from_slice(array.encoded());
        }
        Reply::Set(items) => aggregate(if resp3 { b'~' } else { b'*' }, items, protocol, out),
        Reply::Push(items) => aggregate(if resp3 { b'>' } else { b'*' }, items, protocol, out),
        Reply::Map(pairs) => {
            if resp3 {
                header(b'%', pairs.len() as i64, out);
            } else {
                header(b'*', pairs.len() as i64 * 2, out);
            }
            for (key, value) in pairs {
                encode(key, protocol, out);
                encode(value, protocol, out);
            }
        }
        Reply::Double(d) if resp3 => line(b',', format_double(*d).as_bytes(), out),
        Reply::Double(d) => bulk(b'$', &[], format_double(*d).as_bytes(), out),
        Reply::Boolean(b) if resp3 => out.extend_from_slice(if *b { b"#t\r\n" } else { b"#f\r\n" }),
        Reply::Boolean(b) => header(b':', *b as i64, out),
        Reply::Verbatim { format, text } if resp3 => {
            let mut prefix = [b':'; 4];
            prefix[..3].copy_from_slice(format);
            bulk(b'=', &prefix, text, out);
        }
        Reply::Verbatim { text, .. } => bulk(b'$', &[], text, out),
        Reply::BigNumber(n) if resp3 => line(b'(', n.as_bytes(), out),
        Reply::BigNumber(n) => bulk(b'$', &[], n.as_bytes(), out),
    }
}

/// Appends a push of bulk strings (a pub/sub message), as `encode` writes
/// `Reply::Push` of `Reply::Bulk`s: `>` in RESP3, an array in RESP2.
pub(crate) fn encode_push_of_bulks(items: &[&[u8]], protocol: Protocol, out: &mut Vec<u8>) {
    header(if protocol == Protocol::Resp3 { b'>' } else { b'*' }, items.len() as i64, out);
    for item in items {
        bulk(b'$', &[], item, out);
    }
}

/// Appends a command as a multibulk request, the way clients send commands.
pub fn encode_command<A: AsRef<[u8]>>(argv: &[A], out: &mut Vec<u8>) {
    header(b'*', argv.len() as i64, out);
    for arg in argv {
        bulk(b'$', &[], arg.as_ref(), out);
    }
}

/// A one-line frame. CR and LF would end the line early and desynchronise the
/// client, so (as Redis does for error texts) they become spaces.
fn line(kind: u8, text: &[u8], out: &mut Vec<u8>) {
    out.push(kind);
    out.extend(text.iter().map(|&b| if b == b'\r' || b == b'\n' { b' ' } else { b }));
    out.extend_from_slice(b"\r\n");
}

fn header(kind: u8, n: i64, out: &mut Vec<u8>) {
    out.push(kind);
    crate::args::push_i64(n, out);
    out.extend_from_slice(b"\r\n");
}

fn bulk(kind: u8, prefix: &[u8], body: &[u8], out: &mut Vec<u8>) {
    header(kind, (prefix.len() + body.len()) as i64, out);
    out.extend_from_slice(prefix);
    crate::short_copy::extend(out, body);
    out.extend_from_slice(b"\r\n");
}

fn aggregate(kind: u8, items: &[Reply], protocol: Protocol, out: &mut Vec<u8>) {
    header(kind, items.len() as i64, out);
    for item in items {
        encode(item, protocol, out);
    }
}

// ---------------------------------------------------------------------------
// Request decoding (server side)
// ---------------------------------------------------------------------------

/// Longest inline request, or multibulk/bulk length line, Redis buffers while
/// waiting for its terminator (`PROTO_INLINE_MAX_SIZE`).
pub const INLINE_MAX_SIZE: usize = 64 * 1024;

/// Default `proto-max-bulk-len`: the largest bulk argument a client may send.
pub const DEFAULT_MAX_BULK_LEN: u64 = 512 * 1024 * 1024;

/// Largest multibulk count Redis accepts (C's `INT_MAX`).
const MAX_MULTIBULK_COUNT: i64 = i32::MAX as i64;

/// Why Redis rejects a client's input. The server replies with
/// `-` + [`ProtocolError::to_bytes`] and then closes the connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProtocolError {
    /// `*` followed by something that is not an integer up to `INT_MAX`.
    InvalidMultibulkLength,
    /// `$` followed by something that is not an integer in `0..=proto-max-bulk-len`.
    InvalidBulkLength,
    /// An argument of a multibulk request does not start with `$`; holds the byte found.
    ExpectedDollar(u8),
    /// An inline request whose quotes do not balance.
    UnbalancedQuotes,
    /// More than 64KB buffered without finding the end of an inline request.
    TooBigInlineRequest,
    /// More than 64KB buffered without finding the end of a `*` line.
    TooBigMbulkCount,
    /// More than 64KB buffered without finding the end of a `$` line.
    TooBigBulkCount,
}

impl ProtocolError {
    /// The exact error text after the `-`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::from(&b"ERR Protocol error: "[..]);
        let detail: &[u8] = match self {
            ProtocolError::InvalidMultibulkLength => b"invalid multibulk length",
            ProtocolError::InvalidBulkLength => b"invalid bulk length",
            ProtocolError::ExpectedDollar(found) => {
                // Redis turns CR and LF in error texts into spaces.
                let shown = if *found == b'\r' || *found == b'\n' { b' ' } else { *found };
                out.extend_from_slice(b"expected '$', got '");
                out.push(shown);
                out.push(b'\'');
                return out;
            }
            ProtocolError::UnbalancedQuotes => b"unbalanced quotes in request",
            ProtocolError::TooBigInlineRequest => b"too big inline request",
            ProtocolError::TooBigMbulkCount => b"too big mbulk count string",
            ProtocolError::TooBigBulkCount => b"too big bulk count string",
        };
        out.extend_from_slice(detail);
        out
    }

    /// The error reply the server sends before closing the connection.
    pub fn to_reply(&self) -> Reply {
        Reply::Error(self.to_bytes())
    }
}

impl fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&String::from_utf8_lossy(&self.to_bytes()))
    }
}

#[cfg(feature = "std")]
impl std::error::Error for ProtocolError {}

/// Appends input to a decoder's buffer, first dropping what was consumed
/// (`..pos`) once that is half of it, so the buffer stays bounded by the
/// unparsed input. Shared by the request and reply decoders.
fn append_compacting(buf: &mut Vec<u8>, pos: &mut usize, bytes: &[u8]) {
    if *pos == buf.len() {
        buf.clear();
        *pos = 0;
    } else if *pos > 0 && *pos * 2 >= buf.len() {
        buf.drain(..*pos);
        *pos = 0;
    }
    buf.extend_from_slice(bytes);
}

/// A multibulk request whose arguments are still arriving.
struct Multibulk {
    /// Arguments still to read.
    remaining: usize,
    /// Length of the argument being read, once its `$` line has arrived.
    bulk_len: Option<usize>,
    argv: Vec<Vec<u8>>,
}

/// Splits a client's byte stream into commands the way Redis 7.0 does.
///
/// A request starting with `*` is multibulk; anything else is an inline line,
/// ended by `\n` (an `\r` before it is dropped) and split like redis-cli splits
/// typed lines. Quirks kept on purpose because clients can observe them:
/// - `*0`, and any negative count, is an empty request that is skipped;
/// - the two bytes after a length line's `\r`, and after a bulk's data, are
///   skipped without checking they are `\n` / `\r\n`;
/// - lines are searched like C strings, so a NUL byte before the terminator
///   hides it: the request waits until the 64KB limit turns it into an error;
/// - the 64KB limits apply to whatever is buffered when parsing runs, as Redis
///   checks after each read.
///
/// After a [`ProtocolError`] the decoder stays failed, as the connection is closed.
pub struct RequestDecoder {
    buf: Vec<u8>,
    pos: usize,
    max_bulk_len: u64,
    pending: Option<Multibulk>,
    failed: Option<ProtocolError>,
    spare: SpareArgs,
}

/// Buffers of commands that already ran, reused for the next arguments (see
/// [`RequestDecoder::recycle`]) instead of allocating each one.
#[derive(Default)]
struct SpareArgs {
    /// Vectors of commands that ran, their buffers overwritten by the next
    /// ones (a session reads a few commands ahead, so several wait here).
    argvs: Vec<Vec<Vec<u8>>>,
    /// Loose buffers, always empty (cleared when put here).
    args: Vec<Vec<u8>>,
}

impl SpareArgs {
    /// An argument holding `data`, in a spare buffer when there is one.
    fn arg_with(&mut self, data: &[u8]) -> Vec<u8> {
        match self.args.pop() {
            Some(mut buffer) => {
                crate::short_copy::extend(&mut buffer, data);
                buffer
            }
            None => crate::short_copy::to_vec(data),
        }
    }

    /// Keeps `arg`'s buffer for a later argument (up to `SPARE_ARGS_MAX`).
    fn keep(&mut self, mut arg: Vec<u8>) {
        if self.args.len() < SPARE_ARGS_MAX {
            arg.clear();
            self.args.push(arg);
        }
    }
}

/// Most argument buffers a decoder keeps for reuse, and the largest one it
/// keeps (a big value's buffer is freed rather than held by an idle client).
const SPARE_ARGS_MAX: usize = 64;
/// Most argument vectors kept for reuse: one per command a session reads
/// ahead (see `session::READ_AHEAD`).
const SPARE_ARGVS_MAX: usize = 16;
const SPARE_ARG_CAPACITY_MAX: usize = 512;

impl Default for RequestDecoder {
    fn default() -> Self {
        RequestDecoder::new()
    }
}

impl RequestDecoder {
    pub fn new() -> RequestDecoder {
        RequestDecoder::with_max_bulk_len(DEFAULT_MAX_BULK_LEN)
    }

    /// A decoder enforcing `proto-max-bulk-len` = `limit`.
    pub fn with_max_bulk_len(limit: u64) -> RequestDecoder {
        RequestDecoder {
            buf: Vec::new(),
            pos: 0,
            max_bulk_len: limit,
            pending: None,
            failed: None,
            spare: SpareArgs::default(),
        }
    }

    /// Takes back a command's arguments once it ran. The next request
    /// overwrites them in place (the common pipeline repeats one command
    /// shape); buffers grown past a small size are freed instead of kept.
    pub fn recycle(&mut self, mut argv: Vec<Vec<u8>>) {
        if argv.len() > SPARE_ARGS_MAX {
            return;
        }
        for arg in argv.iter_mut() {
            if arg.capacity() > SPARE_ARG_CAPACITY_MAX {
                *arg = Vec::new();
            }
        }
        if self.spare.argvs.len() < SPARE_ARGVS_MAX {
            self.spare.argvs.push(argv);
        }
    }

    /// An empty argument vector for the incremental parser, its old
    /// buffers moved to the spare stack.
    fn empty_argv(&mut self, wanted: usize) -> Vec<Vec<u8>> {
        let mut argv = self.spare.argvs.pop().unwrap_or_default();
        for arg in argv.drain(..) {
            self.spare.keep(arg);
        }
        argv.reserve(wanted);
        argv
    }

    pub fn feed(&mut self, bytes: &[u8]) {
        if self.failed.is_some() {
            return;
        }
        append_compacting(&mut self.buf, &mut self.pos, bytes);
    }

    /// Bytes received but not yet part of a returned command.
    pub fn buffered(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// The next complete command, `Ok(None)` when more input is needed.
    pub fn next_command(&mut self) -> Result<Option<Vec<Vec<u8>>>, ProtocolError> {
        if let Some(error) = &self.failed {
            return Err(error.clone());
        }
        let result = self.parse();
        if let Err(error) = &result {
            self.failed = Some(error.clone());
            self.pending = None;
        }
        result
    }

    fn parse(&mut self) -> Result<Option<Vec<Vec<u8>>>, ProtocolError> {
        loop {
            if self.pending.is_none() {
                match self.buf.get(self.pos) {
                    None => return Ok(None),
                    Some(b'*') => {
                        let rest = self.buf.get(self.pos..).unwrap_or(&[]);
                        if let Some((argv, used)) = whole_multibulk(rest, self.max_bulk_len, &mut self.spare) {
                            self.pos += used;
                            return Ok(Some(argv));
                        }
                        if !self.start_multibulk()? {
                            return Ok(None);
                        }
                        // A count of zero or less: an empty request, skipped.
                        if self.pending.is_none() {
                            continue;
                        }
                    }
                    Some(_) => match self.inline()? {
                        None => return Ok(None),
                        Some(argv) if argv.is_empty() => continue,
                        Some(argv) => return Ok(Some(argv)),
                    },
                }
            }
            return self.continue_multibulk();
        }
    }

    /// The next request read straight from `input` (not copied into the
    /// buffer first) when nothing is buffered and it is a whole, well-formed
    /// multibulk request; with the bytes it used. Otherwise `None`, and the
    /// input goes through [`feed`](Self::feed) and [`next_command`](Self::next_command).
    pub fn command_from(&mut self, input: &[u8]) -> Option<(Vec<Vec<u8>>, usize)> {
        if self.failed.is_some() || self.pending.is_some() || self.pos < self.buf.len() || input.first() != Some(&b'*') {
            return None;
        }
        whole_multibulk(input, self.max_bulk_len, &mut self.spare)
    }

    /// The unread input.
    fn rest(&self) -> &[u8] {
        self.buf.get(self.pos..).unwrap_or(&[])
    }

    /// Parses an inline request line; `None` until its `\n` arrives.
    fn inline(&mut self) -> Result<Option<Vec<Vec<u8>>>, ProtocolError> {
        let rest = self.rest();
        let Some(newline) = c_find(rest, b'\n') else {
            return if rest.len() > INLINE_MAX_SIZE { Err(ProtocolError::TooBigInlineRequest) } else { Ok(None) };
        };
        let mut end = newline;
        if end > 0 && rest.get(end - 1) == Some(&b'\r') {
            end -= 1;
        }
        let argv = split_args(rest.get(..end).unwrap_or(&[])).ok_or(ProtocolError::UnbalancedQuotes)?;
        self.pos += newline + 1;
        Ok(Some(argv))
    }

    /// Finds the end of a `*`/`$` length line. Returns the line's content
    /// (after the type byte) length, or `None` while incomplete.
    fn length_line(&self, too_big: ProtocolError) -> Result<Option<usize>, ProtocolError> {
        let rest = self.rest();
        match c_find(rest, b'\r') {
            // Redis also waits for the byte after `\r`, though it never looks at it.
            Some(cr) if cr + 2 <= rest.len() => Ok(Some(cr)),
            Some(_) => Ok(None),
            None if rest.len() > INLINE_MAX_SIZE => Err(too_big),
            None => Ok(None),
        }
    }

    /// Reads the `*N` line. `false` while incomplete.
    fn start_multibulk(&mut self) -> Result<bool, ProtocolError> {
        let Some(cr) = self.length_line(ProtocolError::TooBigMbulkCount)? else {
            return Ok(false);
        };
        let digits = self.rest().get(1..cr).unwrap_or(&[]);
        let count = match parse_i64(digits) {
            Some(n) if n <= MAX_MULTIBULK_COUNT => n,
            _ => return Err(ProtocolError::InvalidMultibulkLength),
        };
        self.pos += cr + 2;
        if count > 0 {
            // Sized up front (bounded: the count is the client's claim, not
            // yet backed by bytes), so argv does not regrow per argument.
            let argv = self.empty_argv((count as usize).min(1024));
            self.pending = Some(Multibulk { remaining: count as usize, bulk_len: None, argv });
        }
        Ok(true)
    }

    /// Reads arguments of the pending multibulk request.
    fn continue_multibulk(&mut self) -> Result<Option<Vec<Vec<u8>>>, ProtocolError> {
        loop {
            let Some(pending) = &self.pending else {
                return Ok(None);
            };
            if pending.remaining == 0 {
                return Ok(self.pending.take().map(|p| p.argv));
            }
            match pending.bulk_len {
                None => {
                    let Some(cr) = self.length_line(ProtocolError::TooBigBulkCount)? else {
                        return Ok(None);
                    };
                    let rest = self.rest();
                    let first = rest.first().copied().unwrap_or(b'\r');
                    if first != b'$' {
                        return Err(ProtocolError::ExpectedDollar(first));
                    }
                    let len = match parse_i64(rest.get(1..cr).unwrap_or(&[])) {
                        Some(n) if n >= 0 && n as u64 <= self.max_bulk_len => n,
                        _ => return Err(ProtocolError::InvalidBulkLength),
                    };
                    let len = usize::try_from(len).map_err(|_| ProtocolError::InvalidBulkLength)?;
                    self.pos += cr + 2;
                    if let Some(p) = &mut self.pending {
                        p.bulk_len = Some(len);
                    }
                }
                Some(len) => {
                    // The data plus two terminator bytes that Redis skips unchecked.
                    let needed = len.checked_add(2).ok_or(ProtocolError::InvalidBulkLength)?;
                    let rest = self.buf.get(self.pos..).unwrap_or(&[]);
                    if rest.len() < needed {
                        return Ok(None);
                    }
                    let data = rest.get(..len).unwrap_or(&[]);
                    let arg = self.spare.arg_with(data);
                    self.pos += needed;
                    if let Some(p) = &mut self.pending {
                        p.argv.push(arg);
                        p.remaining -= 1;
                        p.bulk_len = None;
                    }
                }
            }
        }
    }
}

/// The common case of a pipeline, in one pass: a well-formed multibulk
/// request that is all in `input` (`*N`, then N times `$len` and the data,
/// lengths in canonical digits within the limits); with the bytes it used.
/// Anything else (incomplete, malformed, an empty request) returns `None`
/// and the incremental parser takes it, errors included: both read the same
/// requests the same way.
fn whole_multibulk(input: &[u8], max_bulk_len: u64, spare: &mut SpareArgs) -> Option<(Vec<Vec<u8>>, usize)> {
    let (count, mut at) = canonical_length(input, 1)?;
    if count == 0 || count > MAX_MULTIBULK_COUNT as u64 {
        return None;
    }
    let count = count as usize;
    // A vector of a command that ran: its buffers are overwritten in place.
    let mut argv = spare.argvs.pop().unwrap_or_default();
    let mut filled = 0;
    while filled < count {
        let bulk = match input.get(at) {
            Some(b'$') => canonical_length(input, at + 1),
            _ => None,
        };
        let span = bulk
            .filter(|&(len, _)| len <= max_bulk_len)
            .and_then(|(len, start)| Some((start, start.checked_add(usize::try_from(len).ok()?)?)))
            .filter(|&(_, end)| end + 2 <= input.len());
        let Some((start, end)) = span else {
            // Incomplete or unusual: the incremental parser reads it.
            spare.argvs.push(argv);
            return None;
        };
        let bytes = &input[start..end];
        at = end + 2;
        match argv.get_mut(filled) {
            Some(arg) => {
                arg.clear();
                crate::short_copy::extend(arg, bytes);
            }
            None => argv.push(spare.arg_with(bytes)),
        }
        filled += 1;
    }
    while argv.len() > count {
        if let Some(extra) = argv.pop() {
            spare.keep(extra);
        }
    }
    Some((argv, at))
}

/// A length line's number read from `at` in `bytes`, if it is 1 to 18
/// digits without a leading zero (what `string2ll` accepts for a count or a
/// length, short of the limits) followed by `\r` and one more byte; with the
/// position after those two bytes.
#[inline]
fn canonical_length(bytes: &[u8], at: usize) -> Option<(u64, usize)> {
    let mut value: u64 = 0;
    let mut i = at;
    loop {
        let byte = *bytes.get(i)?;
        if byte.is_ascii_digit() {
            value = value * 10 + u64::from(byte - b'0');
            i += 1;
            if i - at > 18 {
                return None;
            }
        } else if byte == b'\r' && i > at && (i - at == 1 || bytes[at] != b'0') && i + 1 < bytes.len() {
            return Some((value, i + 2));
        } else {
            return None;
        }
    }
}

/// C's `strchr` over a buffer: the first `needle`, unless a NUL comes first.
fn c_find(hay: &[u8], needle: u8) -> Option<usize> {
    for (i, &b) in hay.iter().enumerate() {
        if b == needle {
            return Some(i);
        }
        if b == 0 {
            return None;
        }
    }
    None
}

// ---------------------------------------------------------------------------
// Reply decoding (client side)
// ---------------------------------------------------------------------------

/// Deepest aggregate nesting the reply decoder accepts; bounds the recursion
/// that dropping, comparing or printing a decoded reply needs.
pub const MAX_REPLY_DEPTH: usize = 512;

/// Why a byte stream is not a valid reply frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReplyError {
    /// The first byte of a frame is not a RESP2/RESP3 type byte.
    UnknownType(u8),
    /// A length or count that is not an integer, or negative (other than -1 where allowed).
    InvalidLength,
    InvalidInteger,
    InvalidDouble,
    InvalidBoolean,
    InvalidBigNumber,
    /// A verbatim string without its `xxx:` format prefix.
    InvalidVerbatim,
    /// A `_` frame with content, or bulk data not followed by CRLF.
    MissingCrlf,
    /// Aggregates nested deeper than [`MAX_REPLY_DEPTH`].
    TooDeep,
}

impl fmt::Display for ReplyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReplyError::UnknownType(b) => write!(f, "Protocol error, got {:?} as reply type byte", char::from(*b)),
            ReplyError::InvalidLength => f.write_str("Protocol error, bad length"),
            ReplyError::InvalidInteger => f.write_str("Protocol error, bad integer value"),
            ReplyError::InvalidDouble => f.write_str("Protocol error, bad double value"),
            ReplyError::InvalidBoolean => f.write_str("Protocol error, bad bool value"),
            ReplyError::InvalidBigNumber => f.write_str("Protocol error, bad big number value"),
            ReplyError::InvalidVerbatim => f.write_str("Protocol error, bad verbatim string"),
            ReplyError::MissingCrlf => f.write_str("Protocol error, expected CRLF"),
            ReplyError::TooDeep => f.write_str("Protocol error, reply nested too deep"),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for ReplyError {}

/// Reads reply frames (RESP2 and RESP3) from a byte stream fed in chunks.
/// Attribute frames (`|`) are read and dropped. After an error it stays failed.
#[derive(Default)]
pub struct ReplyDecoder {
    buf: Vec<u8>,
    pos: usize,
    failed: Option<ReplyError>,
}

impl ReplyDecoder {
    pub fn new() -> ReplyDecoder {
        ReplyDecoder::default()
    }

    pub fn feed(&mut self, bytes: &[u8]) {
        if self.failed.is_some() {
            return;
        }
        append_compacting(&mut self.buf, &mut self.pos, bytes);
    }

    /// Bytes received but not yet part of a returned reply.
    pub fn buffered(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// The next complete reply, `Ok(None)` when more input is needed.
    ///
    /// An incomplete frame is parsed again from its start on the next call,
    /// which is simple and fine for replies that arrive in a few chunks.
    pub fn next_reply(&mut self) -> Result<Option<Reply>, ReplyError> {
        if let Some(error) = &self.failed {
            return Err(error.clone());
        }
        match decode_reply(self.buf.get(self.pos..).unwrap_or(&[])) {
            Ok(Some((reply, used))) => {
                self.pos += used;
                Ok(Some(reply))
            }
            Ok(None) => Ok(None),
            Err(error) => {
                self.failed = Some(error.clone());
                Err(error)
            }
        }
    }
}

/// An aggregate whose elements are still being read.
struct Open {
    kind: u8,
    remaining: usize,
    items: Vec<Reply>,
}

/// What one frame header turned out to be.
enum Frame {
    Value(Reply),
    Aggregate { kind: u8, count: usize },
}

/// Decodes one reply frame from the start of `bytes`: the reply and how many
/// bytes it used, or `None` if the frame is not complete yet.
pub fn decode_reply(bytes: &[u8]) -> Result<Option<(Reply, usize)>, ReplyError> {
    // An explicit stack instead of recursion, so nesting depth costs no call stack.
    let mut stack: Vec<Open> = Vec::new();
    let mut pos = 0;
    loop {
        let Some((frame, next)) = frame_at(bytes, pos)? else {
            return Ok(None);
        };
        pos = next;
        let mut value = match frame {
            Frame::Value(reply) => reply,
            Frame::Aggregate { kind, count } if count > 0 => {
                if stack.len() >= MAX_REPLY_DEPTH {
                    return Err(ReplyError::TooDeep);
                }
                // The count is untrusted: reserve only what a sane reply needs.
                stack.push(Open { kind, remaining: count, items: Vec::with_capacity(count.min(64)) });
                continue;
            }
            Frame::Aggregate { kind, .. } => close(kind, Vec::new()),
        };
        loop {
            let Some(top) = stack.last_mut() else {
                return Ok(Some((value, pos)));
            };
            top.items.push(value);
            top.remaining -= 1;
            if top.remaining > 0 {
                break;
            }
            let Some(done) = stack.pop() else {
                break;
            };
            if done.kind == b'|' {
                // Attributes annotate the frame that follows; that frame takes
                // the attribute's place in its parent.
                break;
            }
            value = close(done.kind, done.items);
        }
    }
}

/// Builds the reply of a complete aggregate.
fn close(kind: u8, items: Vec<Reply>) -> Reply {
    match kind {
        b'~' => Reply::Set(items),
        b'>' => Reply::Push(items),
        b'%' => {
            let mut pairs = Vec::with_capacity(items.len() / 2);
            let mut iter = items.into_iter();
            while let (Some(k), Some(v)) = (iter.next(), iter.next()) {
                pairs.push((k, v));
            }
            Reply::Map(pairs)
        }
        _ => Reply::Array(items),
    }
}

/// Reads the frame header (and body, for scalars) at `pos`.
fn frame_at(bytes: &[u8], pos: usize) -> Result<Option<(Frame, usize)>, ReplyError> {
    let Some(&kind) = bytes.get(pos) else {
        return Ok(None);
    };
    let Some((text, after)) = crlf_line(bytes, pos + 1) else {
        // Reject a bad type byte early rather than waiting for a line end.
        return if is_type_byte(kind) { Ok(None) } else { Err(ReplyError::UnknownType(kind)) };
    };
    let frame = match kind {
        b'+' => Frame::Value(Reply::Status(String::from_utf8_lossy(text).into_owned().into())),
        b'-' => Frame::Value(Reply::Error(text.to_vec())),
        b':' => Frame::Value(Reply::Integer(parse_i64(text).ok_or(ReplyError::InvalidInteger)?)),
        b'_' if text.is_empty() => Frame::Value(Reply::Nil),
        b'_' => return Err(ReplyError::MissingCrlf),
        b',' => Frame::Value(Reply::Double(parse_double(text).ok_or(ReplyError::InvalidDouble)?)),
        b'#' => Frame::Value(Reply::Boolean(match text {
            b"t" => true,
            b"f" => false,
            _ => return Err(ReplyError::InvalidBoolean),
        })),
        b'(' => {
            let digits = text.strip_prefix(b"-").unwrap_or(text);
            if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
                return Err(ReplyError::InvalidBigNumber);
            }
            Frame::Value(Reply::BigNumber(String::from_utf8_lossy(text).into_owned()))
        }
        b'$' | b'!' | b'=' => {
            let len = parse_i64(text).ok_or(ReplyError::InvalidLength)?;
            if len == -1 && kind == b'$' {
                return Ok(Some((Frame::Value(Reply::Nil), after)));
            }
            let len = usize::try_from(len).map_err(|_| ReplyError::InvalidLength)?;
            let end = after.checked_add(len).ok_or(ReplyError::InvalidLength)?;
            let Some(body) = bytes.get(after..end) else {
                return Ok(None);
            };
            match bytes.get(end..end + 2) {
                None if bytes.len() < end + 2 => return Ok(None),
                Some(b"\r\n") => {}
                _ => return Err(ReplyError::MissingCrlf),
            }
            let value = match kind {
                b'$' => Reply::Bulk(body.to_vec()),
                b'!' => Reply::Error(body.to_vec()),
                _ => match (body.get(..3), body.get(3), body.get(4..)) {
                    (Some(format), Some(b':'), Some(text)) => Reply::Verbatim {
                        format: <[u8; 3]>::try_from(format).map_err(|_| ReplyError::InvalidVerbatim)?,
                        text: text.to_vec(),
                    },
                    _ => return Err(ReplyError::InvalidVerbatim),
                },
            };
            return Ok(Some((Frame::Value(value), end + 2)));
        }
        b'*' | b'~' | b'>' | b'%' | b'|' => {
            let count = parse_i64(text).ok_or(ReplyError::InvalidLength)?;
            if count == -1 && kind == b'*' {
                return Ok(Some((Frame::Value(Reply::NilArray), after)));
            }
            let count = usize::try_from(count).map_err(|_| ReplyError::InvalidLength)?;
            let count = if kind == b'%' || kind == b'|' { count.checked_mul(2).ok_or(ReplyError::InvalidLength)? } else { count };
            Frame::Aggregate { kind, count }
        }
        other => return Err(ReplyError::UnknownType(other)),
    };
    Ok(Some((frame, after)))
}

fn is_type_byte(b: u8) -> bool {
    b"+-:$*_,#(!=%~>|".contains(&b)
}

/// The line starting at `start` up to CRLF, and the position after the CRLF.
fn crlf_line(bytes: &[u8], start: usize) -> Option<(&[u8], usize)> {
    let rest = bytes.get(start..)?;
    let cr = rest.windows(2).position(|w| w == b"\r\n")?;
    Some((rest.get(..cr)?, start + cr + 2))
}

/// A RESP3 double: decimal or exponent notation, `inf`, `-inf`, `nan`
/// (also `infinity` and a leading `+`, which no server sends; accepting
/// them is harmless for a client).
fn parse_double(text: &[u8]) -> Option<f64> {
    crate::float_text::parse_f64(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn bulk(s: &[u8]) -> Reply {
        Reply::Bulk(s.to_vec())
    }

    fn encoded(reply: &Reply, protocol: Protocol) -> Vec<u8> {
        let mut out = Vec::new();
        encode(reply, protocol, &mut out);
        out
    }

    #[test]
    fn encodes_every_type_in_both_protocols() {
        use Protocol::{Resp2, Resp3};
        let cases: Vec<(Reply, &[u8], &[u8])> = vec![
            (Reply::ok(), b"+OK\r\n", b"+OK\r\n"),
            (Reply::error("ERR x"), b"-ERR x\r\n", b"-ERR x\r\n"),
            (Reply::Integer(-5), b":-5\r\n", b":-5\r\n"),
            (Reply::Integer(i64::MIN), b":-9223372036854775808\r\n", b":-9223372036854775808\r\n"),
            (bulk(b""), b"$0\r\n\r\n", b"$0\r\n\r\n"),
            (bulk(b"a\r\nb"), b"$4\r\na\r\nb\r\n", b"$4\r\na\r\nb\r\n"),
            (Reply::Nil, b"$-1\r\n", b"_\r\n"),
            (Reply::NilArray, b"*-1\r\n", b"_\r\n"),
            (Reply::Array(vec![]), b"*0\r\n", b"*0\r\n"),
            (Reply::Array(vec![Reply::Integer(1), Reply::Nil]), b"*2\r\n:1\r\n$-1\r\n", b"*2\r\n:1\r\n_\r\n"),
            (Reply::Set(vec![bulk(b"m")]), b"*1\r\n$1\r\nm\r\n", b"~1\r\n$1\r\nm\r\n"),
            (Reply::Push(vec![bulk(b"m")]), b"*1\r\n$1\r\nm\r\n", b">1\r\n$1\r\nm\r\n"),
            (
                Reply::Map(vec![(bulk(b"k"), Reply::Boolean(true))]),
                b"*2\r\n$1\r\nk\r\n:1\r\n",
                b"%1\r\n$1\r\nk\r\n#t\r\n",
            ),
            (Reply::Map(vec![]), b"*0\r\n", b"%0\r\n"),
            (Reply::Double(1.5), b"$3\r\n1.5\r\n", b",1.5\r\n"),
            (Reply::Double(0.1), b"$19\r\n0.10000000000000001\r\n", b",0.10000000000000001\r\n"),
            (Reply::Double(f64::INFINITY), b"$3\r\ninf\r\n", b",inf\r\n"),
            (Reply::Double(f64::NEG_INFINITY), b"$4\r\n-inf\r\n", b",-inf\r\n"),
            (Reply::Boolean(false), b":0\r\n", b"#f\r\n"),
            (
                Reply::Verbatim { format: *b"txt", text: b"hello world".to_vec() },
                b"$11\r\nhello world\r\n",
                b"=15\r\ntxt:hello world\r\n",
            ),
            (Reply::BigNumber("-123".into()), b"$4\r\n-123\r\n", b"(-123\r\n"),
            // CR/LF cannot travel in a line frame.
            (Reply::Error(b"ERR a\r\nb".to_vec()), b"-ERR a  b\r\n", b"-ERR a  b\r\n"),
        ];
        for (reply, resp2, resp3) in &cases {
            assert_eq!(encoded(reply, Resp2), *resp2, "RESP2 {:?}", reply);
            assert_eq!(encoded(reply, Resp3), *resp3, "RESP3 {:?}", reply);
            // Encoding RESP3 types as RESP2 agrees with lowering first.
            assert_eq!(encoded(&reply.clone().for_protocol(Resp2), Resp2), *resp2, "lowered {:?}", reply);
        }
    }

    #[test]
    fn encodes_commands_as_multibulk() {
        let mut out = Vec::new();
        encode_command(&[&b"SET"[..], b"k", b""], &mut out);
        assert_eq!(out, b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n");
    }

    fn decode_requests(input: &[u8]) -> (Vec<Vec<Vec<u8>>>, Option<ProtocolError>) {
        let mut decoder = RequestDecoder::new();
        decoder.feed(input);
        let mut commands = Vec::new();
        loop {
            match decoder.next_command() {
                Ok(Some(argv)) => commands.push(argv),
                Ok(None) => return (commands, None),
                Err(e) => return (commands, Some(e)),
            }
        }
    }

    fn argv(list: &[&[u8]]) -> Vec<Vec<u8>> {
        list.iter().map(|a| a.to_vec()).collect()
    }

    /// Each input was sent to a real Redis 7.0.15 over TCP; the expected commands
    /// (seen through their replies) and errors are what it did.
    #[test]
    fn request_parsing_matches_redis() {
        use ProtocolError::*;
        let ping = || argv(&[b"PING"]);
        type Case<'a> = (&'a [u8], Vec<Vec<Vec<u8>>>, Option<ProtocolError>);
        let cases: Vec<Case> = vec![
            (b"*1\r\n$4\r\nPING\r\n", vec![ping()], None),
            (b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n", vec![argv(&[b"SET", b"k", b"v"])], None),
            (b"*2\r\n$4\r\nECHO\r\n$1\r\n\x00\r\n", vec![argv(&[b"ECHO", b"\x00"])], None),
            (b"*2\r\n$4\r\nECHO\r\n$0\r\n\r\n", vec![argv(&[b"ECHO", b""])], None),
            // Empty and negative counts are skipped requests.
            (b"*0\r\nPING\r\n", vec![ping()], None),
            (b"*-1\r\nPING\r\n", vec![ping()], None),
            (b"*-2\r\nPING\r\n", vec![ping()], None),
            (b"*\r\nPING\r\n", vec![], Some(InvalidMultibulkLength)),
            (b"*x\r\n", vec![], Some(InvalidMultibulkLength)),
            (b"*+1\r\n", vec![], Some(InvalidMultibulkLength)),
            (b"*01\r\n", vec![], Some(InvalidMultibulkLength)),
            (b"*-0\r\n", vec![], Some(InvalidMultibulkLength)),
            (b"* 1\r\n", vec![], Some(InvalidMultibulkLength)),
            (b"*1 \r\n", vec![], Some(InvalidMultibulkLength)),
            (b"*1x\r\n", vec![], Some(InvalidMultibulkLength)),
            (b"*2147483648\r\n", vec![], Some(InvalidMultibulkLength)),
            (b"*2147483647\r\n", vec![], None),
            (b"*1\r\n$-1\r\n", vec![], Some(InvalidBulkLength)),
            (b"*1\r\n$-0\r\n", vec![], Some(InvalidBulkLength)),
            (b"*1\r\n$x\r\n", vec![], Some(InvalidBulkLength)),
            (b"*1\r\n$+4\r\n", vec![], Some(InvalidBulkLength)),
            (b"*1\r\n$4x\r\n", vec![], Some(InvalidBulkLength)),
            (b"*1\r\n$\r\n", vec![], Some(InvalidBulkLength)),
            (b"*1\r\n$536870912\r\n", vec![], None),
            (b"*1\r\n$536870913\r\n", vec![], Some(InvalidBulkLength)),
            (b"*1\r\nx4\r\n", vec![], Some(ExpectedDollar(b'x'))),
            (b"*1\r\n\r\n", vec![], Some(ExpectedDollar(b'\r'))),
            (b"*1\r\n\n\r\n", vec![], Some(ExpectedDollar(b'\n'))),
            (b"*1\r\n\xff\r\n", vec![], Some(ExpectedDollar(0xff))),
            // The byte after `\r` and the two after bulk data are not checked.
            (b"*1\rx$4\rxPINGxx", vec![ping()], None),
            (b"*1\r\n$4\r\nPINGxx", vec![ping()], None),
            // Without `\r`, a multibulk line never ends.
            (b"*1\n$4\nPING\n", vec![], None),
            (b"*1\r", vec![], None),
            (b"*1\r\n$4\r\nPING\r", vec![], None),
            // A NUL hides the terminator from Redis's C-string search.
            (b"*1\x00\r\n$4\r\nPING\r\n", vec![], None),
            (b"*1\r\n\x00\r\n", vec![], None),
            (b"PI\x00NG\r\n", vec![], None),
            // Inline requests.
            (b"PING\r\n", vec![ping()], None),
            (b"\r\n\nPING\n", vec![ping()], None),
            (b"PING\r\r\n", vec![ping()], None),
            (b"   \r\n", vec![], None),
            (b"SET k \"a b\"\r\n", vec![argv(&[b"SET", b"k", b"a b"])], None),
            (b"ECHO \"a\r\n", vec![], Some(UnbalancedQuotes)),
            (b"ECHO \"a\"b\r\n", vec![], Some(UnbalancedQuotes)),
            (b"ECHO a\x0bb \x0c\x0cc\x0c\r\n", vec![argv(&[b"ECHO", b"a\x0bb", b"c\x0c"])], None),
            (b"ECHO \"a\"\x0c\r\n", vec![argv(&[b"ECHO", b"a"])], None),
            // Commands before an error still run.
            (b"*1\r\n$4\r\nPING\r\n*1\r\n$x\r\n", vec![ping()], Some(InvalidBulkLength)),
        ];
        for (input, commands, error) in &cases {
            assert_eq!(decode_requests(input), (commands.clone(), error.clone()), "input {:?}", String::from_utf8_lossy(input));
        }
    }

    #[test]
    fn size_limits_match_redis() {
        use ProtocolError::*;
        let cases: Vec<(Vec<u8>, Option<ProtocolError>)> = vec![
            (vec![b'a'; 65536], None),
            (vec![b'a'; 65537], Some(TooBigInlineRequest)),
            ([&b"*"[..], &[b'1'; 65535]].concat(), None),
            ([&b"*"[..], &[b'1'; 65536]].concat(), Some(TooBigMbulkCount)),
            ([&b"*1\r\n$"[..], &[b'1'; 65535]].concat(), None),
            ([&b"*1\r\n$"[..], &[b'1'; 65536]].concat(), Some(TooBigBulkCount)),
            // The size check comes before the `$` check.
            ([&b"*1\r\n"[..], &[b'x'; 65536]].concat(), None),
            ([&b"*1\r\n"[..], &[b'x'; 65537]].concat(), Some(TooBigBulkCount)),
        ];
        for (input, error) in &cases {
            assert_eq!(decode_requests(input), (vec![], error.clone()), "input of {} bytes", input.len());
        }
        let mut small = RequestDecoder::with_max_bulk_len(3);
        small.feed(b"*1\r\n$3\r\nabc\r\n*1\r\n$4\r\n");
        assert_eq!(small.next_command(), Ok(Some(argv(&[b"abc"]))));
        assert_eq!(small.next_command(), Err(InvalidBulkLength));
    }

    #[test]
    fn protocol_error_texts() {
        let cases: Vec<(ProtocolError, &[u8])> = vec![
            (ProtocolError::InvalidMultibulkLength, b"ERR Protocol error: invalid multibulk length"),
            (ProtocolError::InvalidBulkLength, b"ERR Protocol error: invalid bulk length"),
            (ProtocolError::ExpectedDollar(b'x'), b"ERR Protocol error: expected '$', got 'x'"),
            (ProtocolError::ExpectedDollar(b'\r'), b"ERR Protocol error: expected '$', got ' '"),
            (ProtocolError::ExpectedDollar(0xff), b"ERR Protocol error: expected '$', got '\xff'"),
            (ProtocolError::UnbalancedQuotes, b"ERR Protocol error: unbalanced quotes in request"),
            (ProtocolError::TooBigInlineRequest, b"ERR Protocol error: too big inline request"),
            (ProtocolError::TooBigMbulkCount, b"ERR Protocol error: too big mbulk count string"),
            (ProtocolError::TooBigBulkCount, b"ERR Protocol error: too big bulk count string"),
        ];
        for (error, text) in &cases {
            assert_eq!(error.to_bytes(), *text);
            assert_eq!(error.to_reply(), Reply::Error(text.to_vec()));
        }
        assert_eq!(alloc::format!("{}", ProtocolError::InvalidBulkLength), "ERR Protocol error: invalid bulk length");
    }

    #[test]
    fn recycled_argument_buffers_never_leak_into_later_requests() {
        let mut stream = b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$600\r\n".to_vec();
        stream.extend_from_slice(&[b'x'; 600]);
        stream.extend_from_slice(b"\r\n*1\r\n$4\r\nPING\r\n*5\r\n$4\r\nMSET\r\n$1\r\na\r\n$1\r\nb\r\n$2\r\ncc\r\n$0\r\n\r\n");
        stream.extend_from_slice(b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\nECHO 'a b'\n*2\r\n$4\r\nECHO\r\n$3\r\nxyz\r\n");
        let (whole, error) = decode_requests(&stream);
        assert_eq!(error, None);
        assert_eq!(whole.len(), 6);
        for chunk in 1..=stream.len() {
            let mut decoder = RequestDecoder::new();
            let mut got = Vec::new();
            for piece in stream.chunks(chunk) {
                decoder.feed(piece);
                while let Ok(Some(argv)) = decoder.next_command() {
                    got.push(argv.clone());
                    decoder.recycle(argv);
                }
            }
            assert_eq!(got, whole, "chunk size {}", chunk);
        }
    }

    #[test]
    fn requests_decode_the_same_in_any_chunking() {
        let stream: &[u8] = b"*2\r\n$4\r\nECHO\r\n$5\r\nhe\x00lo\r\nSET a 'b c'\n*0\r\n\r\n*1\r\n$4\r\nPING\r\n";
        let (whole, error) = decode_requests(stream);
        assert_eq!(error, None);
        assert_eq!(whole, vec![argv(&[b"ECHO", b"he\x00lo"]), argv(&[b"SET", b"a", b"b c"]), argv(&[b"PING"])]);
        for chunk in 1..stream.len() {
            let mut decoder = RequestDecoder::new();
            let mut got = Vec::new();
            for piece in stream.chunks(chunk) {
                decoder.feed(piece);
                while let Ok(Some(argv)) = decoder.next_command() {
                    got.push(argv);
                }
            }
            assert_eq!(got, whole, "chunk size {}", chunk);
            assert_eq!(decoder.buffered(), 0);
        }
    }

    #[test]
    fn request_decoder_stays_failed() {
        let mut decoder = RequestDecoder::new();
        decoder.feed(b"*x\r\n");
        assert_eq!(decoder.next_command(), Err(ProtocolError::InvalidMultibulkLength));
        decoder.feed(b"PING\r\n");
        assert_eq!(decoder.next_command(), Err(ProtocolError::InvalidMultibulkLength));
    }

    fn decode_one(bytes: &[u8]) -> Result<Option<(Reply, usize)>, ReplyError> {
        decode_reply(bytes)
    }

    #[test]
    fn decodes_reply_frames() {
        let cases: Vec<(&[u8], Reply)> = vec![
            (b"+OK\r\n", Reply::ok()),
            (b"-ERR x\r\n", Reply::error("ERR x")),
            (b":-12\r\n", Reply::Integer(-12)),
            (b"$3\r\na\r\n\r\n", bulk(b"a\r\n")),
            (b"$-1\r\n", Reply::Nil),
            (b"*-1\r\n", Reply::NilArray),
            (b"_\r\n", Reply::Nil),
            (b",3.25\r\n", Reply::Double(3.25)),
            (b",-inf\r\n", Reply::Double(f64::NEG_INFINITY)),
            (b",1e300\r\n", Reply::Double(1e300)),
            (b"#t\r\n", Reply::Boolean(true)),
            (b"(1234567999999999999999999999999999999\r\n", Reply::BigNumber("1234567999999999999999999999999999999".into())),
            (b"!5\r\nERR x\r\n", Reply::error("ERR x")),
            (b"=29\r\ntxt:This is a verbatim\nstring\r\n", Reply::Verbatim { format: *b"txt", text: b"This is a verbatim\nstring".to_vec() }),
            (b"~3\r\n:0\r\n:1\r\n:2\r\n", Reply::Set(vec![Reply::Integer(0), Reply::Integer(1), Reply::Integer(2)])),
            (
                b"%2\r\n:0\r\n#f\r\n$1\r\nk\r\n*1\r\n%0\r\n",
                Reply::Map(vec![
                    (Reply::Integer(0), Reply::Boolean(false)),
                    (bulk(b"k"), Reply::Array(vec![Reply::Map(vec![])])),
                ]),
            ),
            (b">2\r\n$16\r\nserver-cpu-usage\r\n:42\r\n", Reply::Push(vec![bulk(b"server-cpu-usage"), Reply::Integer(42)])),
            // What real Redis sends for DEBUG PROTOCOL attrib: the attribute is dropped.
            (
                b"|1\r\n$14\r\nkey-popularity\r\n*2\r\n$7\r\nkey:123\r\n:90\r\n$39\r\nSome real reply following the attribute\r\n",
                bulk(b"Some real reply following the attribute"),
            ),
            (b"*2\r\n|1\r\n+a\r\n+b\r\n:1\r\n:2\r\n", Reply::Array(vec![Reply::Integer(1), Reply::Integer(2)])),
        ];
        for (bytes, reply) in &cases {
            match decode_one(bytes) {
                Ok(Some((got, used))) => {
                    assert_eq!(&got, reply, "frame {:?}", String::from_utf8_lossy(bytes));
                    assert_eq!(used, bytes.len(), "frame {:?}", String::from_utf8_lossy(bytes));
                }
                other => panic!("frame {:?} decoded as {:?}", String::from_utf8_lossy(bytes), other),
            }
            // Every strict prefix is incomplete, not an error.
            for cut in 0..bytes.len() {
                assert_eq!(decode_one(&bytes[..cut]), Ok(None), "prefix {:?}", String::from_utf8_lossy(&bytes[..cut]));
            }
        }
        let nan = decode_one(b",nan\r\n");
        assert!(matches!(nan, Ok(Some((Reply::Double(d), 6))) if d.is_nan()), "{:?}", nan);
    }

    #[test]
    fn rejects_malformed_replies() {
        let cases: Vec<(&[u8], ReplyError)> = vec![
            (b"?", ReplyError::UnknownType(b'?')),
            (b"x\r\n", ReplyError::UnknownType(b'x')),
            (b":1.5\r\n", ReplyError::InvalidInteger),
            (b"$-2\r\n", ReplyError::InvalidLength),
            (b"~-1\r\n", ReplyError::InvalidLength),
            (b"$1\r\nab\r\n", ReplyError::MissingCrlf),
            (b"_x\r\n", ReplyError::MissingCrlf),
            (b"#x\r\n", ReplyError::InvalidBoolean),
            (b",abc\r\n", ReplyError::InvalidDouble),
            (b"(12a\r\n", ReplyError::InvalidBigNumber),
            (b"=3\r\ntxt\r\n", ReplyError::InvalidVerbatim),
            (b"*1\r\n?\r\n", ReplyError::UnknownType(b'?')),
        ];
        for (bytes, error) in &cases {
            assert_eq!(decode_one(bytes), Err(error.clone()), "frame {:?}", String::from_utf8_lossy(bytes));
        }
        let deep: Vec<u8> = b"*1\r\n".repeat(MAX_REPLY_DEPTH + 1);
        assert_eq!(decode_one(&deep), Err(ReplyError::TooDeep));
        let ok_deep = [b"*1\r\n".repeat(MAX_REPLY_DEPTH - 1), b":1\r\n".to_vec()].concat();
        assert!(matches!(decode_one(&ok_deep), Ok(Some(_))));
    }

    fn sample_replies() -> Vec<Reply> {
        vec![
            Reply::ok(),
            Reply::error("ERR x"),
            Reply::Integer(i64::MAX),
            bulk(&(0..=255u8).collect::<Vec<u8>>()),
            Reply::Nil,
            Reply::Array(vec![Reply::Array(vec![Reply::Array(vec![bulk(b"deep")])]), Reply::Array(vec![])]),
            Reply::Map(vec![(bulk(b"k"), Reply::Set(vec![Reply::Integer(1)])), (Reply::Integer(2), Reply::Map(vec![]))]),
            Reply::Double(0.1),
            Reply::Double(-1e300),
            Reply::Double(f64::INFINITY),
            Reply::Boolean(false),
            Reply::Push(vec![bulk(b"message"), bulk(b"ch"), bulk(b"hi")]),
            Reply::Verbatim { format: *b"mkd", text: b"# title".to_vec() },
            Reply::BigNumber("-98765432109876543210".into()),
        ]
    }

    #[test]
    fn resp3_round_trips() {
        for reply in sample_replies() {
            let bytes = encoded(&reply, Protocol::Resp3);
            assert_eq!(decode_one(&bytes), Ok(Some((reply.clone(), bytes.len()))), "{:?}", reply);
        }
    }

    #[test]
    fn resp2_round_trips_lowered_replies() {
        for reply in sample_replies() {
            let lowered = reply.clone().for_protocol(Protocol::Resp2);
            let bytes = encoded(&reply, Protocol::Resp2);
            assert_eq!(decode_one(&bytes), Ok(Some((lowered, bytes.len()))), "{:?}", reply);
        }
        let nil_array = encoded(&Reply::NilArray, Protocol::Resp2);
        assert_eq!(decode_one(&nil_array), Ok(Some((Reply::NilArray, 5))));
    }

    #[test]
    fn reply_decoder_handles_streams_in_chunks() {
        let replies = sample_replies();
        let mut stream = Vec::new();
        for reply in &replies {
            encode(reply, Protocol::Resp3, &mut stream);
        }
        for chunk in [1, 2, 3, 7, 64, stream.len()] {
            let mut decoder = ReplyDecoder::new();
            let mut got = Vec::new();
            for piece in stream.chunks(chunk) {
                decoder.feed(piece);
                while let Ok(Some(reply)) = decoder.next_reply() {
                    got.push(reply);
                }
            }
            assert_eq!(got, replies, "chunk size {}", chunk);
            assert_eq!(decoder.buffered(), 0);
        }
        let mut decoder = ReplyDecoder::new();
        decoder.feed(b"+OK\r\n?");
        assert_eq!(decoder.next_reply(), Ok(Some(Reply::ok())));
        assert_eq!(decoder.next_reply(), Err(ReplyError::UnknownType(b'?')));
        decoder.feed(b"+OK\r\n");
        assert_eq!(decoder.next_reply(), Err(ReplyError::UnknownType(b'?')));
    }

    /// xorshift64*: a fixed-seed generator so the fuzz loop is reproducible.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }

        /// Random bytes biased towards protocol characters, so the parsers get
        /// past their first checks.
        fn bytes(&mut self) -> Vec<u8> {
            const ALPHABET: &[u8] = b"*$+-:_,#%~>|=(!\r\n0123456789-\"' \\x\x00ab";
            let len = (self.next() % 40) as usize;
            (0..len)
                .map(|_| {
                    let r = self.next();
                    if r & 3 == 0 {
                        (r >> 8) as u8
                    } else {
                        ALPHABET[((r >> 8) as usize) % ALPHABET.len()]
                    }
                })
                .collect()
        }
    }

    #[test]
    fn any_bytes_never_panic() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for _ in 0..20_000 {
            let input = rng.bytes();
            let split = (rng.next() as usize) % (input.len() + 1);
            let mut requests = RequestDecoder::with_max_bulk_len(16);
            let mut replies = ReplyDecoder::new();
            for part in [&input[..split], &input[split..]] {
                requests.feed(part);
                replies.feed(part);
                for _ in 0..input.len() + 2 {
                    if !matches!(requests.next_command(), Ok(Some(_))) {
                        break;
                    }
                }
                for _ in 0..input.len() + 2 {
                    match replies.next_reply() {
                        Ok(Some(reply)) => {
                            // Whatever decodes re-encodes to a frame that decodes and
                            // encodes to the same bytes (line frames lose lone CRs once).
                            let bytes = encoded(&reply, Protocol::Resp3);
                            let again = match decode_one(&bytes) {
                                Ok(Some((r, used))) if used == bytes.len() => r,
                                other => panic!("{:?} re-decoded as {:?}", reply, other),
                            };
                            assert_eq!(encoded(&again, Protocol::Resp3), bytes, "{:?}", reply);
                        }
                        _ => break,
                    }
                }
            }
        }
    }
}
