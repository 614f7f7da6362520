//! Typed command errors. `Display` (and [`Error::to_bytes`], which is exact for
//! binary arguments too) produce the text Redis 7.0 sends after the `-`.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    /// The command name is not in the table.
    UnknownCommand { name: Vec<u8>, args: Vec<Vec<u8>> },
    /// `CONFIG FOO`: the container command exists, the subcommand does not.
    UnknownSubcommand { sub: Vec<u8>, container: String },
    /// Argument count does not satisfy the arity; holds the command's full name (`config|get`).
    WrongArity(String),
    Syntax,
    WrongType,
    NotInteger,
    NotFloat,
    /// A numeric argument that is an integer but outside what the command accepts.
    OutOfRange(&'static str),
    /// INCR and friends overflowing `i64`.
    IncrOverflow,
    InvalidExpireTime(String),
    NoSuchKey,
    DbIndexOutOfRange,
    /// RENAME/COPY/MOVE onto the same key in the same database.
    SameObject,
    /// SCAN's cursor is not an unsigned 64-bit number.
    InvalidCursor,
    /// An EXPIRE-family option that is not NX, XX, GT or LT (the argument as given).
    UnsupportedOption(Vec<u8>),
    /// A string would grow past 512 MB (`proto-max-bulk-len`).
    StringTooLong,
    /// A numeric argument outside `i32` where Redis reads a C `int`.
    NotInt32,
    /// An error that echoes one argument byte for byte (as C's `%s` does:
    /// the argument ends at a NUL byte): `prefix`, the argument, `suffix`.
    WithArg { prefix: &'static str, arg: Vec<u8>, suffix: &'static str },
    /// A command other than AUTH/HELLO/QUIT/RESET before AUTH succeeded.
    NoAuth,
    /// AUTH (or HELLO AUTH) with a wrong user name or password.
    WrongPass,
    /// Any other error, given as its complete text (including the `ERR ` prefix).
    Text(String),
}

impl Error {
    /// Builds an error whose full text is given (prefix included), for rare one-off messages.
    pub fn text(message: impl Into<String>) -> Error {
        Error::Text(message.into())
    }

    /// The exact bytes Redis sends after `-` (no CR or LF inside).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        match self {
            Error::UnknownCommand { name, args } => {
                out.extend_from_slice(b"ERR unknown command '");
                out.extend_from_slice(c_string_prefix(name, 128));
                out.extend_from_slice(b"', with args beginning with: ");
                // Redis appends `'arg' ` while the list is shorter than 128 bytes,
                // each argument cut to what is left of those 128 bytes.
                let mut listed = 0usize;
                for arg in args {
                    if listed >= 128 {
                        break;
                    }
                    let piece = c_string_prefix(arg, 128 - listed);
                    out.push(b'\'');
                    out.extend_from_slice(piece);
                    out.extend_from_slice(b"' ");
                    listed += piece.len() + 3;
                }
            }
            Error::UnknownSubcommand { sub, container } => {
                out.extend_from_slice(b"ERR unknown subcommand '");
                out.extend_from_slice(c_string_prefix(sub, 128));
                out.extend_from_slice(b"'. Try ");
                out.extend_from_slice(container.to_ascii_uppercase().as_bytes());
                out.extend_from_slice(b" HELP.");
            }
            Error::WithArg { prefix, arg, suffix } => {
                out.extend_from_slice(prefix.as_bytes());
                out.extend_from_slice(c_string_prefix(arg, usize::MAX));
                out.extend_from_slice(suffix.as_bytes());
            }
            Error::UnsupportedOption(option) => {
                out.extend_from_slice(b"ERR Unsupported option ");
                out.extend_from_slice(c_string_prefix(option, usize::MAX));
            }
            other => out.extend_from_slice(alloc::format!("{}", DisplayFixed(other)).as_bytes()),
        }
        for byte in out.iter_mut() {
            if *byte == b'\r' || *byte == b'\n' {
                *byte = b' ';
            }
        }
        out
    }
}

/// `%.Ns` of a C string: stops at the first NUL and after `max` bytes.
fn c_string_prefix(bytes: &[u8], max: usize) -> &[u8] {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len()).min(max);
    &bytes[..end]
}

struct DisplayFixed<'a>(&'a Error);

impl fmt::Display for DisplayFixed<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Error::WrongArity(name) => {
                write!(f, "ERR wrong number of arguments for '{}' command", name)
            }
            Error::Syntax => f.write_str("ERR syntax error"),
            Error::WrongType => {
                f.write_str("WRONGTYPE Operation against a key holding the wrong kind of value")
            }
            Error::NotInteger => f.write_str("ERR value is not an integer or out of range"),
            Error::NotFloat => f.write_str("ERR value is not a valid float"),
            Error::OutOfRange(what) => write!(f, "ERR {}", what),
            Error::IncrOverflow => f.write_str("ERR increment or decrement would overflow"),
            Error::InvalidExpireTime(cmd) => {
                write!(f, "ERR invalid expire time in '{}' command", cmd)
            }
            Error::NoSuchKey => f.write_str("ERR no such key"),
            Error::DbIndexOutOfRange => f.write_str("ERR DB index is out of range"),
            Error::SameObject => f.write_str("ERR source and destination objects are the same"),
            Error::InvalidCursor => f.write_str("ERR invalid cursor"),
            Error::StringTooLong => {
                f.write_str("ERR string exceeds maximum allowed size (proto-max-bulk-len)")
            }
            Error::NotInt32 => {
                f.write_str("ERR value is out of range, value must between -2147483648 and 2147483647")
            }
            Error::NoAuth => f.write_str("NOAUTH Authentication required."),
            Error::WrongPass => f.write_str("WRONGPASS invalid username-password pair or user is disabled."),
            Error::Text(text) => f.write_str(text),
            Error::UnknownCommand { .. }
            | Error::UnknownSubcommand { .. }
            | Error::UnsupportedOption(_)
            | Error::WithArg { .. } => {
                f.write_str(&String::from_utf8_lossy(&self.0.to_bytes()))
            }
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&String::from_utf8_lossy(&self.to_bytes()))
    }
}

#[cfg(feature = "std")]
impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn texts_match_redis() {
        let cases: &[(Error, &str)] = &[
            (Error::Syntax, "ERR syntax error"),
            (Error::WrongType, "WRONGTYPE Operation against a key holding the wrong kind of value"),
            (Error::WrongArity("get".into()), "ERR wrong number of arguments for 'get' command"),
            (
                Error::UnknownCommand { name: b"foo".to_vec(), args: vec![b"a".to_vec(), b"b c".to_vec()] },
                "ERR unknown command 'foo', with args beginning with: 'a' 'b c' ",
            ),
            (
                Error::UnknownCommand { name: b"x\ny".to_vec(), args: vec![] },
                "ERR unknown command 'x y', with args beginning with: ",
            ),
            (Error::NoAuth, "NOAUTH Authentication required."),
            (Error::WrongPass, "WRONGPASS invalid username-password pair or user is disabled."),
            (Error::SameObject, "ERR source and destination objects are the same"),
            (Error::InvalidCursor, "ERR invalid cursor"),
            (Error::UnsupportedOption(b"x\0y".to_vec()), "ERR Unsupported option x"),
            (Error::UnsupportedOption(b"x\ny".to_vec()), "ERR Unsupported option x y"),
            (Error::StringTooLong, "ERR string exceeds maximum allowed size (proto-max-bulk-len)"),
            (Error::NotInt32, "ERR value is out of range, value must between -2147483648 and 2147483647"),
            (
                Error::UnknownSubcommand { sub: b"nope".to_vec(), container: "config".into() },
                "ERR unknown subcommand 'nope'. Try CONFIG HELP.",
            ),
        ];
        for (error, text) in cases {
            assert_eq!(alloc::format!("{}", error), *text);
        }
    }

    #[test]
    fn unknown_command_args_are_capped_near_128_bytes() {
        let long = vec![b'a'; 200];
        let error = Error::UnknownCommand { name: b"x".to_vec(), args: vec![long.clone(), long] };
        let text = error.to_bytes();
        let list = &text[b"ERR unknown command 'x', with args beginning with: ".len()..];
        assert_eq!(list.len(), 128 + 3);
    }
}
