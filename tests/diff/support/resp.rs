//! A minimal RESP client for talking to the real server: encodes commands as
//! RESP arrays and reads every RESP2 and RESP3 reply type into core's `Reply`,
//! so real and core replies compare as values, not as printed text.
//!
//! It is written independently of core's codec on purpose: the oracle side of
//! the comparison must not share code with the side under test.

use std::io::{self, BufRead, BufReader, Write};
use std::net::TcpStream;
use std::time::Duration;

use redplay_core::Reply;

pub struct Conn {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
    out: Vec<u8>,
}

impl Conn {
    pub fn connect(port: u16) -> io::Result<Conn> {
        let stream = TcpStream::connect(("127.0.0.1", port))?;
        stream.set_nodelay(true)?;
        let writer = stream.try_clone()?;
        Ok(Conn { reader: BufReader::with_capacity(1 << 16, stream), writer, out: Vec::new() })
    }

    /// Queues one command; `flush` sends everything queued in one write (pipelining).
    pub fn queue(&mut self, argv: &[Vec<u8>]) {
        encode_into(argv, &mut self.out);
    }

    pub fn flush(&mut self) -> io::Result<()> {
        self.writer.write_all(&self.out)?;
        self.out.clear();
        Ok(())
    }

    pub fn send(&mut self, argv: &[Vec<u8>]) -> io::Result<()> {
        self.queue(argv);
        self.flush()
    }

    pub fn call(&mut self, argv: &[Vec<u8>]) -> io::Result<Reply> {
        self.send(argv)?;
        self.read_reply()
    }

    pub fn call_str(&mut self, argv: &[&str]) -> io::Result<Reply> {
        let owned: Vec<Vec<u8>> = argv.iter().map(|a| a.as_bytes().to_vec()).collect();
        self.call(&owned)
    }

    /// `None` waits forever; a timeout turns a missing reply into an error
    /// instead of a hung test.
    pub fn set_timeout(&mut self, timeout: Option<Duration>) {
        self.reader.get_ref().set_read_timeout(timeout).expect("set_read_timeout");
    }

    /// Whether reply bytes are already here or arrive within `grace`.
    pub fn has_pending(&mut self, grace: Duration) -> bool {
        if !self.reader.buffer().is_empty() {
            return true;
        }
        self.set_timeout(Some(grace));
        let pending = matches!(self.reader.fill_buf(), Ok(bytes) if !bytes.is_empty());
        self.set_timeout(None);
        pending
    }

    /// Whether reply bytes are already here, without waiting at all.
    pub fn pending_now(&mut self) -> bool {
        if !self.reader.buffer().is_empty() {
            return true;
        }
        let socket = self.reader.get_ref();
        socket.set_nonblocking(true).expect("set_nonblocking");
        let mut byte = [0u8; 1];
        let pending = matches!(socket.peek(&mut byte), Ok(n) if n > 0);
        socket.set_nonblocking(false).expect("set_nonblocking");
        pending
    }

    /// This end's address, as the server's CLIENT LIST shows it (`addr=`).
    pub fn local_addr(&self) -> std::net::SocketAddr {
        self.writer.local_addr().expect("local_addr")
    }

    pub fn read_reply(&mut self) -> io::Result<Reply> {
        read_reply(&mut self.reader)
    }
}

/// Appends `argv` as a RESP array of bulk strings.
pub fn encode_into(argv: &[Vec<u8>], out: &mut Vec<u8>) {
    out.extend_from_slice(format!("*{}\r\n", argv.len()).as_bytes());
    for arg in argv {
        out.extend_from_slice(format!("${}\r\n", arg.len()).as_bytes());
        out.extend_from_slice(arg);
        out.extend_from_slice(b"\r\n");
    }
}

fn bad(what: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.into())
}

fn read_line(r: &mut impl BufRead) -> io::Result<Vec<u8>> {
    let mut line = Vec::new();
    r.read_until(b'\n', &mut line)?;
    if !line.ends_with(b"\r\n") {
        return Err(bad(format!("connection closed or bad line {:?}", String::from_utf8_lossy(&line))));
    }
    line.truncate(line.len() - 2);
    Ok(line)
}

fn number(bytes: &[u8]) -> io::Result<i64> {
    std::str::from_utf8(bytes).ok().and_then(|s| s.parse().ok()).ok_or_else(|| bad("bad number"))
}

fn read_exact(r: &mut impl BufRead, len: usize) -> io::Result<Vec<u8>> {
    let mut data = vec![0; len + 2];
    r.read_exact(&mut data)?;
    if !data.ends_with(b"\r\n") {
        return Err(bad("bulk not terminated by CRLF"));
    }
    data.truncate(len);
    Ok(data)
}

fn read_items(r: &mut impl BufRead, count: i64) -> io::Result<Vec<Reply>> {
    (0..count).map(|_| read_reply(r)).collect()
}

pub fn read_reply(r: &mut impl BufRead) -> io::Result<Reply> {
    let line = read_line(r)?;
    let (&kind, rest) = line.split_first().ok_or_else(|| bad("empty reply line"))?;
    let text = || String::from_utf8_lossy(rest).into_owned();
    Ok(match kind {
        b'+' => Reply::Status(text().into()),
        b'-' => Reply::Error(rest.to_vec()),
        b':' => Reply::Integer(number(rest)?),
        b'$' => match number(rest)? {
            -1 => Reply::Nil,
            len => Reply::Bulk(read_exact(r, len as usize)?),
        },
        b'*' => match number(rest)? {
            -1 => Reply::NilArray,
            n => Reply::Array(read_items(r, n)?),
        },
        b'_' => Reply::Nil,
        b',' => Reply::Double(match rest {
            b"inf" => f64::INFINITY,
            b"-inf" => f64::NEG_INFINITY,
            b"nan" => f64::NAN,
            _ => text().parse().map_err(|_| bad("bad double"))?,
        }),
        b'#' => Reply::Boolean(rest == b"t"),
        b'(' => Reply::BigNumber(text()),
        b'!' => Reply::Error(read_exact(r, number(rest)? as usize)?),
        b'=' => {
            let data = read_exact(r, number(rest)? as usize)?;
            let mut format = [0u8; 3];
            format.copy_from_slice(data.get(..3).ok_or_else(|| bad("short verbatim"))?);
            Reply::Verbatim { format, text: data.get(4..).unwrap_or_default().to_vec() }
        }
        b'~' => Reply::Set(read_items(r, number(rest)?)?),
        b'>' => Reply::Push(read_items(r, number(rest)?)?),
        b'%' => {
            let flat = read_items(r, number(rest)? * 2)?;
            let mut pairs = Vec::new();
            let mut it = flat.into_iter();
            while let (Some(k), Some(v)) = (it.next(), it.next()) {
                pairs.push((k, v));
            }
            Reply::Map(pairs)
        }
        // Attributes annotate the reply that follows; nothing here compares them.
        b'|' => {
            read_items(r, number(rest)? * 2)?;
            read_reply(r)?
        }
        other => return Err(bad(format!("unknown RESP type byte {:?}", other as char))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_reply_type() {
        let wire: &[u8] = b"+OK\r\n-ERR x\r\n:-5\r\n$3\r\na\r\n\r\n$-1\r\n*-1\r\n*2\r\n:1\r\n$0\r\n\r\n_\r\n,1.5\r\n#t\r\n%1\r\n+k\r\n:2\r\n=7\r\ntxt:abc\r\n";
        let mut r = io::BufReader::new(wire);
        let expected = vec![
            Reply::status("OK"),
            Reply::error("ERR x"),
            Reply::Integer(-5),
            Reply::bulk(b"a\r\n"),
            Reply::Nil,
            Reply::NilArray,
            Reply::Array(vec![Reply::Integer(1), Reply::bulk(b"")]),
            Reply::Nil,
            Reply::Double(1.5),
            Reply::Boolean(true),
            Reply::Map(vec![(Reply::status("k"), Reply::Integer(2))]),
            Reply::Verbatim { format: *b"txt", text: b"abc".to_vec() },
        ];
        for want in expected {
            assert_eq!(read_reply(&mut r).unwrap(), want);
        }
    }
}
