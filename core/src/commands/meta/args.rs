//! The argument grammar of `commands.txt`: a compact line per command that
//! parses into the argument tree `COMMAND DOCS` reports and renders into the
//! syntax line redis-cli shows as hints and help.
//!
//! ```text
//! args     := arg (' ' arg)*
//! arg      := '[' item ']'          optional
//!           | item
//! item     := TOKEN '=' body mods   a value (or group) introduced by a token
//!           | TOKEN ('#' name)? mods   a pure token (named after the token
//!                                      in lower case unless `#name` says otherwise)
//!           | body mods
//! body     := name ':' type         k key, i integer, d double, p pattern, t unix-time
//!           | name                  a string
//!           | name '(' arg ('|' arg)* ')'   one of
//!           | name '{' arg (' ' arg)* '}'   a block
//! mods     := ('...' | '+...')? ('@' version)? ('!' version)?
//!                                   multiple (with the token repeated), since,
//!                                   deprecated since
//! TOKEN    := [A-Z][A-Z0-9_-]* | '\'' text '\''
//! name     := [a-z][a-z0-9_-]* | '"' text '"'
//! ```
//!
//! Key arguments are numbered in the order they appear (their key spec index).

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use crate::reply::Reply;

/// What kind of value an argument takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Key,
    String,
    Integer,
    Double,
    Pattern,
    UnixTime,
    PureToken,
    OneOf,
    Block,
}

impl Kind {
    /// The `type` field of `COMMAND DOCS`.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Key => "key",
            Kind::String => "string",
            Kind::Integer => "integer",
            Kind::Double => "double",
            Kind::Pattern => "pattern",
            Kind::UnixTime => "unix-time",
            Kind::PureToken => "pure-token",
            Kind::OneOf => "oneof",
            Kind::Block => "block",
        }
    }
}

/// One argument of a command, as `COMMAND DOCS` describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arg<'a> {
    /// Empty for a pure token named after its token.
    name: &'a str,
    pub kind: Kind,
    pub token: Option<&'a str>,
    pub since: Option<&'a str>,
    pub deprecated_since: Option<&'a str>,
    pub optional: bool,
    pub multiple: bool,
    pub multiple_token: bool,
    /// For keys: which key specification describes this key.
    pub key_spec_index: usize,
    /// The alternatives of a one-of, the parts of a block.
    pub children: Vec<Arg<'a>>,
}

impl Arg<'_> {
    pub fn name(&self) -> String {
        match (self.name, self.token) {
            ("", Some(token)) => token.to_ascii_lowercase(),
            (name, _) => String::from(name),
        }
    }

    /// This argument as one entry of `COMMAND DOCS`'s `arguments`.
    pub fn docs_reply(&self) -> Reply {
        let text = |s: &str| Reply::bulk(s.as_bytes());
        let mut fields = vec![(text("name"), Reply::Bulk(self.name().into_bytes())), (text("type"), text(self.kind.name()))];
        if self.kind == Kind::Key {
            fields.push((text("key_spec_index"), Reply::Integer(self.key_spec_index as i64)));
        }
        if let Some(token) = self.token {
            fields.push((text("token"), text(token)));
        }
        if let Some(since) = self.since {
            fields.push((text("since"), text(since)));
        }
        if let Some(since) = self.deprecated_since {
            fields.push((text("deprecated_since"), text(since)));
        }
        let flags: Vec<Reply> = [(self.optional, "optional"), (self.multiple, "multiple"), (self.multiple_token, "multiple_token")]
            .iter()
            .filter(|(set, _)| *set)
            .map(|(_, flag)| Reply::status(*flag))
            .collect();
        if !flags.is_empty() {
            fields.push((text("flags"), Reply::Set(flags)));
        }
        if !self.children.is_empty() {
            fields.push((text("arguments"), Reply::Array(self.children.iter().map(Arg::docs_reply).collect())));
        }
        Reply::Map(fields)
    }

    /// Appends this argument the way redis-cli 7.0 writes it in hints and
    /// help: `[TOKEN value]`, `a|b`, `key [key ...]`.
    fn render_into(&self, out: &mut String) {
        let mut repeated = String::new();
        match self.kind {
            Kind::OneOf => render_list(&self.children, "|", &mut repeated),
            Kind::Block => render_list(&self.children, " ", &mut repeated),
            Kind::PureToken => {}
            _ => {
                let name = self.name();
                repeated.push_str(if name.is_empty() { "\"\"" } else { &name });
            }
        }
        let mut token = String::from(self.token.unwrap_or(""));
        if token.is_empty() && self.token.is_some() {
            token.push_str("\"\"");
        }
        if !token.is_empty() && self.kind != Kind::PureToken {
            token.push(' ');
        }
        if self.optional {
            out.push('[');
        }
        out.push_str(&token);
        out.push_str(&repeated);
        if self.multiple {
            out.push_str(" [");
            if self.multiple_token {
                out.push_str(&token);
            }
            out.push_str(&repeated);
            out.push_str(" ...]");
        }
        if self.optional {
            out.push(']');
        }
    }
}

fn render_list(args: &[Arg], separator: &str, out: &mut String) {
    for (i, arg) in args.iter().enumerate() {
        if i > 0 {
            out.push_str(separator);
        }
        arg.render_into(out);
    }
}

/// The syntax line of an argument list (`key value [NX|XX] ...`).
pub fn render(args: &[Arg]) -> String {
    let mut out = String::new();
    render_list(args, " ", &mut out);
    out
}

/// Parses an `args` line; `None` if it does not follow the grammar.
pub fn parse(text: &str) -> Option<Vec<Arg<'_>>> {
    let mut parser = Parser { text, at: 0, keys: 0 };
    let args = parser.list(None, b' ')?;
    (parser.at == text.len()).then_some(args)
}

struct Parser<'a> {
    text: &'a str,
    at: usize,
    /// Key arguments seen so far.
    keys: usize,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn eat(&mut self, byte: u8) -> bool {
        let found = self.peek() == Some(byte);
        if found {
            self.at += 1;
        }
        found
    }

    fn eat_str(&mut self, s: &str) -> bool {
        let found = self.text[self.at..].starts_with(s);
        if found {
            self.at += s.len();
        }
        found
    }

    /// Arguments separated by `separator` up to `end` (or the end of text).
    fn list(&mut self, end: Option<u8>, separator: u8) -> Option<Vec<Arg<'a>>> {
        let mut args = Vec::new();
        loop {
            args.push(self.arg()?);
            if self.peek() == end {
                if end.is_some() {
                    self.at += 1;
                }
                return Some(args);
            }
            if !self.eat(separator) {
                return None;
            }
        }
    }

    fn arg(&mut self) -> Option<Arg<'a>> {
        if self.eat(b'[') {
            let mut arg = self.item()?;
            arg.optional = true;
            return self.eat(b']').then_some(arg);
        }
        self.item()
    }

    fn item(&mut self) -> Option<Arg<'a>> {
        let mut arg = match self.peek()? {
            b'A'..=b'Z' | b'\'' => {
                let token = self.quoted_or(b'\'', |c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == b'_' || c == b'-')?;
                if self.eat(b'=') {
                    let mut arg = self.body()?;
                    arg.token = Some(token);
                    arg
                } else {
                    let name = if self.eat(b'#') { self.name()? } else { "" };
                    Arg::new(name, Kind::PureToken, Some(token))
                }
            }
            _ => self.body()?,
        };
        if self.eat_str("+...") {
            arg.multiple = true;
            arg.multiple_token = true;
        } else if self.eat_str("...") {
            arg.multiple = true;
        }
        if self.eat(b'@') {
            arg.since = Some(self.version()?);
        }
        if self.eat(b'!') {
            arg.deprecated_since = Some(self.version()?);
        }
        Some(arg)
    }

    fn body(&mut self) -> Option<Arg<'a>> {
        let name = self.name()?;
        if self.eat(b'(') {
            let mut arg = Arg::new(name, Kind::OneOf, None);
            arg.children = self.list(Some(b')'), b'|')?;
            return Some(arg);
        }
        if self.eat(b'{') {
            let mut arg = Arg::new(name, Kind::Block, None);
            arg.children = self.list(Some(b'}'), b' ')?;
            return Some(arg);
        }
        let kind = if self.eat(b':') {
            let code = self.peek()?;
            self.at += 1;
            match code {
                b'k' => Kind::Key,
                b'i' => Kind::Integer,
                b'd' => Kind::Double,
                b'p' => Kind::Pattern,
                b't' => Kind::UnixTime,
                _ => return None,
            }
        } else {
            Kind::String
        };
        let mut arg = Arg::new(name, kind, None);
        if kind == Kind::Key {
            // `:k` takes the next key spec; `:kN` names spec N (LCS's two
            // keys share one spec).
            let mut explicit = None;
            while let Some(digit) = self.peek().filter(u8::is_ascii_digit) {
                self.at += 1;
                explicit = Some(explicit.unwrap_or(0) * 10 + usize::from(digit - b'0'));
            }
            arg.key_spec_index = explicit.unwrap_or(self.keys);
            self.keys = arg.key_spec_index + 1;
        }
        Some(arg)
    }

    fn name(&mut self) -> Option<&'a str> {
        let name = self.quoted_or(b'"', |c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_' || c == b'-')?;
        (!name.is_empty()).then_some(name)
    }

    fn version(&mut self) -> Option<&'a str> {
        let version = self.run(|c| c.is_ascii_digit() || c == b'.');
        (!version.is_empty()).then_some(version)
    }

    /// Text between two `quote`s, or a run of bytes that `plain` accepts.
    fn quoted_or(&mut self, quote: u8, plain: fn(u8) -> bool) -> Option<&'a str> {
        if !self.eat(quote) {
            return Some(self.run(plain));
        }
        let start = self.at;
        let len = self.text[start..].bytes().position(|c| c == quote)?;
        self.at = start + len + 1;
        Some(&self.text[start..start + len])
    }

    fn run(&mut self, accept: impl Fn(u8) -> bool) -> &'a str {
        let start = self.at;
        while self.peek().is_some_and(&accept) {
            self.at += 1;
        }
        &self.text[start..self.at]
    }
}

impl<'a> Arg<'a> {
    fn new(name: &'a str, kind: Kind, token: Option<&'a str>) -> Arg<'a> {
        Arg {
            name,
            kind,
            token,
            since: None,
            deprecated_since: None,
            optional: false,
            multiple: false,
            multiple_token: false,
            key_spec_index: 0,
            children: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_like_redis_cli() {
        let cases = [
            ("key:k value", "key value"),
            ("key:k...", "key [key ...]"),
            ("[condition(NX|XX)@2.6.12] [GET@6.2.0]", "[NX|XX] [GET]"),
            ("[EX=seconds:i]", "[EX seconds]"),
            ("field_value{field value}...", "field value [field value ...]"),
            ("[ID=id{client-id:i...}@6.2.0]", "[ID client-id [client-id ...]]"),
            ("[PREFIX=prefix+...]", "[PREFIX prefix [PREFIX prefix ...]]"),
            ("[operator('='#equal|'~'#approximately)]", "[=|~]"),
            ("[SKIPME=\"yes/no\"]", "[SKIPME yes/no]"),
        ];
        for (grammar, syntax) in cases {
            let args = parse(grammar).unwrap_or_else(|| panic!("{grammar} parses"));
            assert_eq!(render(&args), syntax, "{grammar}");
        }
    }

    #[test]
    fn parses_names_tokens_and_flags() {
        let args = parse("src:k dst:k [operator('='#equal|'~'#approximately)] [LIMIT=count:i@6.2.0] \"ip:port\"!2.8.12").unwrap();
        assert_eq!(args.len(), 5);
        assert_eq!((args[0].kind, args[0].key_spec_index), (Kind::Key, 0));
        assert_eq!((args[1].name(), args[1].key_spec_index), (String::from("dst"), 1));
        let shared = parse("key1:k key2:k0 other:k").unwrap();
        let specs: Vec<usize> = shared.iter().map(|a| a.key_spec_index).collect();
        assert_eq!(specs, [0, 0, 1]);
        let op = &args[2];
        assert!(op.optional && op.kind == Kind::OneOf);
        assert_eq!(op.children[0].name(), "equal");
        assert_eq!(op.children[0].token, Some("="));
        assert_eq!(op.children[1].kind, Kind::PureToken);
        let limit = &args[3];
        assert_eq!((limit.token, limit.since, limit.kind), (Some("LIMIT"), Some("6.2.0"), Kind::Integer));
        assert_eq!((args[4].name(), args[4].deprecated_since), (String::from("ip:port"), Some("2.8.12")));
        assert_eq!(parse("NX").unwrap()[0].name(), "nx");
    }

    #[test]
    fn rejects_malformed_lines() {
        for bad in ["", "[key", "key:z", "a(b|c", "a{b c", "key  value", "Nx", "x@", "'open"] {
            assert!(parse(bad).is_none(), "{bad:?}");
        }
    }
}
