//! Fidelity of `cli` against the real redis-cli 7.0.15.
//!
//! A fake RESP server on loopback answers `CASE <n>` with a scripted frame and
//! any other command with its own arguments as an array; redis-cli prints what
//! it gets, and its output must equal `format_tty` / `format_raw` (and
//! `split_args`) byte for byte. `run_line` is compared with redis-cli talking to
//! a private real redis-server. Missing binaries fail the tests, never skip them.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use redplay_core::cli::{self, format_raw, format_tty, split_args, LineEffect};
use redplay_core::reply::Protocol;
use redplay_core::resp::{decode_reply, encode, RequestDecoder};
use redplay_core::{Node, Reply};

/// Finds a Redis binary (overridable with `env`) and checks it is the 7.0 oracle.
fn redis_binary(name: &str, env: &str) -> PathBuf {
    let path = PathBuf::from(std::env::var_os(env).unwrap_or_else(|| name.into()));
    let output = Command::new(&path).arg("--version").output().unwrap_or_else(|e| {
        panic!("{} is required for this test (install Redis 7.0.15 or set {}): {}", name, env, e)
    });
    let version = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        version.contains(" 7.0.") || version.contains(" v=7.0."),
        "{} must be Redis 7.0.x, the oracle this project matches; found {:?}",
        name,
        version
    );
    path
}

fn redis_cli() -> PathBuf {
    redis_binary("redis-cli", "REDIS_CLI")
}

/// Binds a loopback listener on the first free port in `ports` (part of the
/// range set aside for tests). Fake and real servers use separate ranges so a
/// fake server can never take the port reserved for a real one.
fn listen(ports: std::ops::Range<u16>) -> TcpListener {
    ports
        .clone()
        .find_map(|port| TcpListener::bind(("127.0.0.1", port)).ok())
        .unwrap_or_else(|| panic!("no free loopback port in {:?}", ports))
}

/// Starts the fake server; returns its port. Threads live until the test process exits.
fn fake_server(frames: Vec<Vec<u8>>) -> u16 {
    let listener = listen(6520..6560);
    let port = listener.local_addr().map(|a| a.port()).expect("listener address");
    let frames = Arc::new(frames);
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let frames = Arc::clone(&frames);
            thread::spawn(move || serve(stream, &frames));
        }
    });
    port
}

fn serve(mut stream: TcpStream, frames: &[Vec<u8>]) {
    let mut decoder = RequestDecoder::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        decoder.feed(&buf[..n]);
        while let Ok(Some(argv)) = decoder.next_command() {
            let reply = answer(&argv, frames);
            if stream.write_all(&reply).is_err() {
                return;
            }
        }
    }
}

fn answer(argv: &[Vec<u8>], frames: &[Vec<u8>]) -> Vec<u8> {
    let name = argv[0].to_ascii_uppercase();
    // redis-cli asks for COMMAND DOCS on connect to build its help; no docs is fine.
    if name == b"COMMAND" {
        return b"*0\r\n".to_vec();
    }
    if name == b"CASE" && argv.len() == 2 {
        let index: Option<usize> = std::str::from_utf8(&argv[1]).ok().and_then(|s| s.parse().ok());
        if let Some(frame) = index.and_then(|i| frames.get(i)) {
            return frame.clone();
        }
    }
    let mut out = Vec::new();
    encode(&Reply::Array(argv.iter().map(|a| Reply::Bulk(a.clone())).collect()), Protocol::Resp2, &mut out);
    out
}

/// What a redis-cli run printed: stdout followed by stderr, as a terminal shows them.
struct Run {
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    success: bool,
}

impl Run {
    fn shown(&self) -> Vec<u8> {
        [self.stdout.as_slice(), self.stderr.as_slice()].concat()
    }
}

/// Runs redis-cli with `args`, `stdin` piped in, stdout and stderr piped out.
fn run_cli(cli: &PathBuf, args: &[&str], stdin: &[u8]) -> Run {
    let mut child = Command::new(cli)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn redis-cli");
    let mut input = child.stdin.take().expect("stdin");
    let stdin = stdin.to_vec();
    let writer = thread::spawn(move || {
        let _ = input.write_all(&stdin);
    });
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let out_reader = thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out.read_to_end(&mut v);
        v
    });
    let err_reader = thread::spawn(move || {
        let mut v = Vec::new();
        let _ = err.read_to_end(&mut v);
        v
    });
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for redis-cli") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("redis-cli {:?} did not finish within 20s", args);
        }
        thread::sleep(Duration::from_millis(2));
    };
    let _ = writer.join();
    Run {
        stdout: out_reader.join().expect("stdout reader"),
        stderr: err_reader.join().expect("stderr reader"),
        success: status.success(),
    }
}

fn show(bytes: &[u8]) -> String {
    bytes.escape_ascii().to_string()
}

fn bulk(bytes: &[u8]) -> Reply {
    Reply::Bulk(bytes.to_vec())
}

fn ints(range: std::ops::Range<i64>) -> Vec<Reply> {
    range.map(Reply::Integer).collect()
}

fn resp3(reply: &Reply) -> Vec<u8> {
    let mut out = Vec::new();
    encode(reply, Protocol::Resp3, &mut out);
    out
}

/// Scripted frames, each as the server would put it on the wire. Frames built
/// with our encoder use Redis 7.0's own number formatting (`%.17g` doubles).
fn cases() -> Vec<(&'static str, Vec<u8>)> {
    let all_bytes: Vec<u8> = (0..=255u8).collect();
    let map = |pairs: Vec<(Reply, Reply)>| Reply::Map(pairs);
    let mut cases: Vec<(&'static str, Vec<u8>)> = vec![
        ("status", b"+OK\r\n".to_vec()),
        ("status with quotes and backslash", b"+a \"b\" \\c 'd'\r\n".to_vec()),
        ("empty status", b"+\r\n".to_vec()),
        ("error", b"-ERR unknown command 'x'\r\n".to_vec()),
        ("wrongtype error", b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n".to_vec()),
        ("error with quotes", b"-ERR \"q\" \\\r\n".to_vec()),
        ("zero", b":0\r\n".to_vec()),
        ("negative integer", b":-42\r\n".to_vec()),
        ("i64 min", b":-9223372036854775808\r\n".to_vec()),
        ("i64 max", b":9223372036854775807\r\n".to_vec()),
        ("bulk", b"$11\r\nhello world\r\n".to_vec()),
        ("empty bulk", b"$0\r\n\r\n".to_vec()),
        ("bulk with quotes", b"$9\r\na\"b\\c'd\\\"\r\n".to_vec()),
        ("bulk with CRLF", b"$4\r\na\r\nb\r\n".to_vec()),
        ("bulk UTF-8", "$6\r\nh\u{e9}llo\r\n".as_bytes().to_vec()),
        ("bulk all 256 bytes", resp3(&bulk(&all_bytes))),
        ("nil RESP2", b"$-1\r\n".to_vec()),
        ("nil array RESP2", b"*-1\r\n".to_vec()),
        ("nil RESP3", b"_\r\n".to_vec()),
        ("empty array", b"*0\r\n".to_vec()),
        ("array", b"*2\r\n$1\r\na\r\n:1\r\n".to_vec()),
        ("array of nil, error, empty array", b"*4\r\n$-1\r\n-ERR x\r\n*0\r\n*-1\r\n".to_vec()),
        ("nested 3 levels", resp3(&Reply::Array(vec![
            bulk(b"top"),
            Reply::Array(vec![bulk(b"mid"), Reply::Array(vec![bulk(b"low"), Reply::Integer(3)]), bulk(b"mid2")]),
            Reply::Array(vec![]),
            bulk(b"end"),
        ]))),
        ("9 elements", resp3(&Reply::Array(ints(0..9)))),
        ("10 elements", resp3(&Reply::Array(ints(0..10)))),
        ("11 elements", resp3(&Reply::Array(ints(0..11)))),
        ("100 elements", resp3(&Reply::Array(ints(0..100)))),
        ("101 elements", resp3(&Reply::Array(ints(0..101)))),
        ("10 nested in 2", resp3(&Reply::Array(vec![Reply::Array(ints(0..10)), bulk(b"x")]))),
        ("2 nested in 10", resp3(&Reply::Array((0..10).map(|i| Reply::Array(ints(i..i + 2))).collect()))),
        ("11 in 11 in 11", resp3(&Reply::Array(vec![
            Reply::Array(vec![Reply::Array(ints(0..11)); 11]),
            bulk(b"tail"),
        ]))),
        ("101 nested", resp3(&Reply::Array(vec![bulk(b"a"), Reply::Array(ints(0..101))]))),
        ("map", b"%2\r\n$1\r\nk\r\n:1\r\n$2\r\nk2\r\n$1\r\nv\r\n".to_vec()),
        ("map with bool values", b"%3\r\n:0\r\n#f\r\n:1\r\n#t\r\n:2\r\n#f\r\n".to_vec()),
        ("empty map", b"%0\r\n".to_vec()),
        ("map in array", resp3(&Reply::Array(vec![
            map(vec![(bulk(b"name"), bulk(b"a")), (bulk(b"n"), Reply::Integer(1))]),
            map(vec![]),
            bulk(b"after"),
        ]))),
        ("array in map", resp3(&map(vec![
            (bulk(b"list"), Reply::Array(vec![bulk(b"x"), Reply::Array(vec![bulk(b"y")])])),
            (bulk(b"empty"), Reply::Array(vec![])),
            (bulk(b"last"), bulk(b"z")),
        ]))),
        ("map in map", resp3(&map(vec![(bulk(b"outer"), map(vec![(bulk(b"inner"), Reply::Integer(1)), (bulk(b"i2"), Reply::Nil)]))]))),
        ("aggregate values", resp3(&map(vec![
            (bulk(b"empty set"), Reply::Set(vec![])),
            (bulk(b"empty map"), map(vec![])),
            (bulk(b"set"), Reply::Set(vec![bulk(b"m")])),
            (bulk(b"nil"), Reply::NilArray),
            (bulk(b"map"), map(vec![(bulk(b"a"), Reply::Array(vec![bulk(b"b"), map(vec![(bulk(b"c"), bulk(b"d"))])]))])),
        ]))),
        ("array > map > array > map", resp3(&Reply::Array(vec![
            bulk(b"first"),
            map(vec![
                (bulk(b"k"), Reply::Array(vec![map(vec![(bulk(b"x"), Reply::Array(vec![bulk(b"y")]))]), bulk(b"z")])),
                (bulk(b"k2"), bulk(b"v2")),
            ]),
        ]))),
        ("wide map with aggregate values", resp3(&map((0..11).map(|i| (Reply::Integer(i), Reply::Array(ints(0..i % 3)))).collect()))),
        ("map value: one array holding an array", resp3(&map(vec![(bulk(b"m"), Reply::Array(vec![Reply::Array(ints(0..3))]))]))),
        ("map value: one array holding a one-element array", resp3(&map(vec![(bulk(b"m"), Reply::Array(vec![Reply::Array(ints(0..1))]))]))),
        ("map value: array in array in array", resp3(&map(vec![(bulk(b"m"), Reply::Array(vec![Reply::Array(vec![Reply::Array(ints(0..2))])]))]))),
        ("map value: array in array in one-element array", resp3(&map(vec![(bulk(b"m"), Reply::Array(vec![Reply::Array(vec![Reply::Array(ints(0..1))])]))]))),
        ("map value: one map holding an array", resp3(&map(vec![(bulk(b"m"), map(vec![(bulk(b"a"), Reply::Array(ints(0..2)))]))]))),
        ("map value: verbatim text over lines", resp3(&map(vec![(bulk(b"m"), Reply::Verbatim { format: *b"txt", text: b"a\nb\n".to_vec() })]))),
        ("aggregate keys", resp3(&map(vec![(Reply::Array(vec![bulk(b"k1"), bulk(b"k2")]), bulk(b"v"))]))),
        ("map with 10 entries", resp3(&map((0..10).map(|i| (Reply::Integer(i), Reply::Double(i as f64 / 2.0))).collect()))),
        ("set", b"~3\r\n:0\r\n:1\r\n:2\r\n".to_vec()),
        ("empty set", b"~0\r\n".to_vec()),
        ("set in array", resp3(&Reply::Array(vec![Reply::Set(vec![bulk(b"m1"), bulk(b"m2")]), Reply::Set(vec![])]))),
        ("double 1.5", resp3(&Reply::Double(1.5))),
        ("double 0.1", resp3(&Reply::Double(0.1))),
        ("double 1e300", resp3(&Reply::Double(1e300))),
        ("double 3", resp3(&Reply::Double(3.0))),
        ("double 1e-5", resp3(&Reply::Double(1e-5))),
        ("double inf", resp3(&Reply::Double(f64::INFINITY))),
        ("double -inf", resp3(&Reply::Double(f64::NEG_INFINITY))),
        ("double -0", resp3(&Reply::Double(-0.0))),
        ("doubles in array", resp3(&Reply::Array(vec![Reply::Double(2.5), Reply::Double(f64::NEG_INFINITY)]))),
        ("true", b"#t\r\n".to_vec()),
        ("false", b"#f\r\n".to_vec()),
        ("booleans in array", b"*2\r\n#t\r\n#f\r\n".to_vec()),
        ("verbatim", b"=15\r\ntxt:hello world\r\n".to_vec()),
        ("verbatim multiline", b"=29\r\ntxt:This is a verbatim\nstring\r\n".to_vec()),
        ("verbatim mkd", b"=11\r\nmkd:# title\r\n".to_vec()),
        ("empty verbatim", b"=4\r\ntxt:\r\n".to_vec()),
        ("verbatim in array", b"*2\r\n=7\r\ntxt:a\"b\r\n:1\r\n".to_vec()),
        ("big number", b"(1234567999999999999999999999999999999\r\n".to_vec()),
        ("big number in array", b"*2\r\n:1\r\n(-12\r\n".to_vec()),
    ];
    // Pushes arrive before the command's reply; redis-cli prints them when
    // asked to (`--show-pushes yes`, its default on a terminal).
    let with_ok = |push: Reply| [resp3(&push), b"+OK\r\n".to_vec()].concat();
    cases.extend([
        ("push", with_ok(Reply::Push(vec![bulk(b"message"), bulk(b"ch"), bulk(b"hi")]))),
        ("empty push", with_ok(Reply::Push(vec![]))),
        ("push with nesting", with_ok(Reply::Push(vec![bulk(b"x"), Reply::Array(ints(0..10))]))),
        ("invalidate push", with_ok(Reply::Push(vec![bulk(b"invalidate"), Reply::Array(vec![bulk(b"k1"), bulk(b"k2")])]))),
        ("invalidate push quoting", with_ok(Reply::Push(vec![
            bulk(b"invalidate"),
            Reply::Array(vec![bulk(b"a'b\"c\\\n\x00z\xff"), bulk(b""), bulk(b"k")]),
        ]))),
        ("invalidate push no keys", with_ok(Reply::Push(vec![bulk(b"invalidate"), Reply::Array(vec![])]))),
        ("invalidate push as set", with_ok(Reply::Push(vec![bulk(b"invalidate"), Reply::Set(vec![bulk(b"k")])]))),
        ("invalidate push uppercase", with_ok(Reply::Push(vec![bulk(b"INVALIDATE"), Reply::Array(vec![bulk(b"k")])]))),
        ("invalidate push status", with_ok(Reply::Push(vec![Reply::status("invalidate"), Reply::Array(vec![bulk(b"k")])]))),
        ("invalidate push 3 elements", with_ok(Reply::Push(vec![bulk(b"invalidate"), Reply::Array(vec![bulk(b"k")]), bulk(b"x")]))),
        ("invalidate array not push", b"*2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nk\r\n".to_vec()),
        ("big number in push", with_ok(Reply::Push(vec![bulk(b"x"), Reply::BigNumber("5".into())]))),
        ("invalidate all push", with_ok(Reply::Push(vec![bulk(b"invalidate"), Reply::Nil]))),
    ]);
    cases
}

/// Every reply in `frame`, in order.
fn decode_all(name: &str, frame: &[u8]) -> Vec<Reply> {
    let mut replies = Vec::new();
    let mut rest = frame;
    while !rest.is_empty() {
        match decode_reply(rest) {
            Ok(Some((reply, used))) => {
                replies.push(reply);
                rest = &rest[used..];
            }
            other => panic!("case {:?}: frame does not decode: {:?}", name, other),
        }
    }
    replies
}

#[test]
fn formatting_matches_redis_cli_for_every_reply_type() {
    let cli = redis_cli();
    let cases = cases();
    let port = fake_server(cases.iter().map(|(_, frame)| frame.clone()).collect());
    let port_arg = port.to_string();
    let mut failures = Vec::new();
    for (index, (name, frame)) in cases.iter().enumerate() {
        let replies = decode_all(name, frame);
        let input = format!("CASE {}\n", index);
        for raw in [false, true] {
            let mut args = vec!["-p", port_arg.as_str(), "--show-pushes", "yes"];
            if !raw {
                args.push("--no-raw");
            }
            let run = run_cli(&cli, &args, input.as_bytes());
            // redis-cli exits at the first reply it cannot print.
            let shown_replies = match replies.iter().position(cli::is_unprintable) {
                Some(last) => &replies[..=last],
                None => &replies[..],
            };
            let expected: Vec<u8> =
                shown_replies.iter().flat_map(|r| if raw { format_raw(r) } else { format_tty(r) }).collect();
            if run.shown() != expected {
                failures.push(format!(
                    "{} ({}):\n  redis-cli: {}\n  ours:      {}",
                    name,
                    if raw { "raw" } else { "tty" },
                    show(&run.shown()),
                    show(&expected)
                ));
            }
            let has_big_number = replies.iter().any(cli::is_unprintable);
            if run.success == has_big_number {
                failures.push(format!("{}: redis-cli exit status success={}", name, run.success));
            }
        }
    }
    assert!(failures.is_empty(), "{} of {} outputs differ:\n{}", failures.len(), cases.len() * 2, failures.join("\n"));
}

/// Lines typed at the prompt, split by redis-cli and by `split_args`; the fake
/// server echoes the arguments back so both splits can be compared exactly.
#[test]
fn splitting_matches_redis_cli() {
    let cli = redis_cli();
    let port = fake_server(Vec::new());
    let port_arg = port.to_string();
    let mut lines: Vec<Vec<u8>> = [
        "ECHO plain words",
        "ECHO   many    spaces   ",
        "ECHO\ttab\x0bvtab\x0cformfeed",
        "ECHO \"double quoted\" 'single quoted'",
        "ECHO \"\" ''",
        "ECHO \"a\\\"b\" 'a\\'b'",
        "ECHO \"\\n\\r\\t\\b\\a\\\\\\q\\z\\0\\'\"",
        "ECHO '\\n\\r\\t\\\\\\q\\\"'",
        "ECHO \"\\x41\\x4a\\x4A\\x00\\xff\\xFf\"",
        "ECHO \"\\x4G\\xg1\\x\\x4\"",
        "ECHO '\\x41'",
        "ECHO a\"b c\"d",
        "ECHO a'b c'",
        "ECHO \"a\"b",
        "ECHO 'a'b",
        "ECHO \"a\"'b'",
        "ECHO \"a\" \"b\"c",
        "ECHO \"unterminated",
        "ECHO 'unterminated",
        "ECHO \"ends with backslash\\\"",
        "ECHO '\\\\'",
        "ECHO a\\\"b \\x41",
        "ECHO \"a\"\t'b'",
        "ECHO caf\u{e9} \"\u{e9}\"",
        "ECHO \"a\rb\" c\rd",
        "  ECHO leading",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect();
    lines.push(b"ECHO \x01\x7f\x80\xfe".to_vec());
    lines.push(b"ECHO a\x00b c".to_vec());
    lines.push(b"ECHO \"a\"\x0bb 'c'\x0cd".to_vec());
    lines.push(b"ECHO a\x0b \x0b\x0c b\x0c".to_vec());
    lines.push(b"ECHO \"a\"\tb".to_vec());
    lines.push(b"ECHO \"a\x00b\" c".to_vec());
    let mut failures = Vec::new();
    for line in &lines {
        let run = run_cli(&cli, &["-p", &port_arg, "--no-raw"], &[line.as_slice(), b"\n"].concat());
        let expected = match split_args(line) {
            Some(argv) => format_tty(&Reply::Array(argv.into_iter().map(Reply::Bulk).collect())),
            None => b"Invalid argument(s)\n".to_vec(),
        };
        if run.shown() != expected {
            failures.push(format!("line {}:\n  redis-cli: {}\n  ours:      {}", show(line), show(&run.shown()), show(&expected)));
        }
    }
    assert!(failures.is_empty(), "{} of {} lines split differently:\n{}", failures.len(), lines.len(), failures.join("\n"));
}

/// A private real redis-server, stopped when dropped.
struct RealServer {
    child: Child,
    port: u16,
}

impl RealServer {
    fn start() -> RealServer {
        let server = redis_binary("redis-server", "REDIS_SERVER");
        // Reserve a port by binding it, then hand it to redis-server.
        let port = {
            let probe = listen(6560..6600);
            probe.local_addr().map(|a| a.port()).expect("probe address")
        };
        let child = Command::new(server)
            .args(["--port", &port.to_string(), "--save", "", "--appendonly", "no", "--bind", "127.0.0.1"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start redis-server");
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "redis-server did not start on port {}", port);
            thread::sleep(Duration::from_millis(20));
        }
        RealServer { child, port }
    }
}

impl Drop for RealServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whole typed lines (repeat counts, quit/clear, errors) through `run_line`
/// against our node, and through redis-cli against real Redis.
#[test]
fn run_line_matches_redis_cli_against_real_redis() {
    let cli = redis_cli();
    let server = RealServer::start();
    let port_arg = server.port.to_string();
    let lines = [
        "PING",
        "ping hello",
        "3 PING",
        "0 PING",
        "-1 PING",
        "-0 PING",
        "+2 PING",
        "00 PING",
        "02 PING",
        "2",
        "99999999999999999999 PING",
        "-9223372036854775808 PING",
        "\" 2\" PING",
        "\"2 \" PING",
        "\"\" PING",
        "2x PING",
        "0x2 PING",
        "1e2 PING",
        "2 ECHO \"a\"b",
        "ECHO \"a",
        "ECHO a b",
        "3 ECHO \"x y\"",
        "ECHO \"\\x41\\xff\"",
        "",
        "   ",
        "GET k",
        "SET k \"v 1\"",
        "GET k",
        "2 EXISTS k nope k",
        "DEL k",
        "NOSUCHCMD a 'b c'",
        "exit now",
        "QUIT",
        "quit",
        "clear",
    ];
    let mut node = Node::new();
    let client = node.connect(0);
    let mut failures = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        for raw in [false, true] {
            let mut args = vec!["-p", port_arg.as_str()];
            if !raw {
                args.push("--no-raw");
            }
            let run = run_cli(&cli, &args, format!("{}\n", line).as_bytes());
            let ours = cli::run_line(&mut node, client, line.as_bytes(), i as u64, raw);
            let expected_effect = match line.split_whitespace().next().map(str::to_ascii_lowercase).as_deref() {
                Some("quit") | Some("exit") => LineEffect::Exit,
                Some("clear") => LineEffect::Clear,
                _ => LineEffect::None,
            };
            assert_eq!(ours.effect, expected_effect, "line {:?}", line);
            // redis-cli clears the screen with ANSI codes; front ends do that on `Clear`.
            let shown = match ours.effect {
                LineEffect::Clear => b"\x1b[H\x1b[2J".to_vec(),
                _ => ours.text,
            };
            if run.shown() != shown {
                failures.push(format!(
                    "line {:?} ({}):\n  redis-cli: {}\n  ours:      {}",
                    line,
                    if raw { "raw" } else { "tty" },
                    show(&run.shown()),
                    show(&shown)
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{} lines differ:\n{}", failures.len(), failures.join("\n"));
}

/// redis-cli left running in its reading mode: typed `input`, then the
/// `publishes` sent from another connection once it is listening. It never
/// exits on its own, so it is killed after the messages had time to arrive.
fn run_cli_reading(cli: &PathBuf, args: &[&str], input: &[u8], port: u16, publishes: &[&[&str]]) -> Vec<u8> {
    let mut child = Command::new(cli)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn redis-cli");
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(input).expect("typing into redis-cli");
    let mut out = child.stdout.take().expect("stdout");
    let reader = thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out.read_to_end(&mut v);
        v
    });
    // Subscribing is quick; a generous pause keeps the test stable.
    thread::sleep(Duration::from_millis(400));
    let mut publisher = TcpStream::connect(("127.0.0.1", port)).expect("publisher connection");
    for argv in publishes {
        let mut frame = format!("*{}\r\n", argv.len()).into_bytes();
        for arg in argv.iter() {
            frame.extend_from_slice(format!("${}\r\n{}\r\n", arg.len(), arg).as_bytes());
        }
        publisher.write_all(&frame).expect("publishing");
        let mut reply = [0u8; 64];
        let _ = publisher.read(&mut reply);
    }
    thread::sleep(Duration::from_millis(300));
    let _ = child.kill();
    let _ = child.wait();
    drop(stdin);
    reader.join().expect("stdout reader")
}

/// SUBSCRIBE and friends: the banner, confirmations and later messages, in
/// terminal and raw form, RESP2 and RESP3, and the ways redis-cli leaves (a
/// refused SUBSCRIBE) or never leaves (a SUBSCRIBE queued in MULTI) its
/// reading mode — against `run_line` plus the front end printing what arrives.
#[test]
fn reading_mode_matches_redis_cli_against_real_redis() {
    let cli = redis_cli();
    let server = RealServer::start();
    let port_arg = server.port.to_string();
    type Case = (&'static [&'static str], bool, &'static [&'static [&'static str]], LineEffect);
    let cases: &[Case] = &[
        (&["SUBSCRIBE c1 c2"], false, &[&["PUBLISH", "c1", "hello world"], &["PUBLISH", "c2", ""]], LineEffect::Subscribed),
        (&["psubscribe c*"], false, &[&["PUBLISH", "c1", "a\nb"]], LineEffect::Subscribed),
        (&["SSUBSCRIBE s"], false, &[&["SPUBLISH", "s", "x"], &["PUBLISH", "s", "not for shard subscribers"]], LineEffect::Subscribed),
        (&["SUBSCRIBE c"], true, &[&["PUBLISH", "c", "x"]], LineEffect::Subscribed),
        (&["SUBSCRIBE", "PING"], false, &[], LineEffect::None),
        (&["2 SUBSCRIBE", "PING"], false, &[], LineEffect::None),
        (&["MULTI", "SUBSCRIBE c", "EXEC"], false, &[&["PUBLISH", "c", "x"]], LineEffect::Subscribed),
    ];
    let mut failures = Vec::new();
    for &(lines, resp3_mode, publishes, last_effect) in cases {
        for raw in [false, true] {
            let mut args = vec!["-p", port_arg.as_str()];
            if !raw {
                args.push("--no-raw");
            }
            if resp3_mode {
                args.push("-3");
            }
            let typed: Vec<u8> = lines.iter().flat_map(|l| format!("{}\n", l).into_bytes()).collect();
            let theirs = run_cli_reading(&cli, &args, &typed, server.port, publishes);

            let mut node = Node::new();
            let client = node.connect(0);
            let publisher = node.connect(0);
            if resp3_mode {
                node.call(client, &[b"HELLO", b"3"], 0);
            }
            let mut ours = Vec::new();
            let mut effect = LineEffect::None;
            for line in lines {
                let out = cli::run_line(&mut node, client, line.as_bytes(), 0, raw);
                ours.extend_from_slice(&out.text);
                effect = out.effect;
                if effect == LineEffect::Subscribed {
                    break;
                }
            }
            assert_eq!(effect, last_effect, "{:?}", lines);
            if effect == LineEffect::Subscribed {
                for argv in publishes {
                    let argv: Vec<&[u8]> = argv.iter().map(|a| a.as_bytes()).collect();
                    node.call(publisher, &argv, 0);
                }
                for reply in node.take_output(client) {
                    ours.extend_from_slice(&if raw { format_raw(&reply) } else { format_tty(&reply) });
                }
            }
            if theirs != ours {
                failures.push(format!(
                    "{:?} ({}{}):\n  redis-cli: {}\n  ours:      {}",
                    lines,
                    if raw { "raw" } else { "tty" },
                    if resp3_mode { ", -3" } else { "" },
                    show(&theirs),
                    show(&ours)
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{} cases differ:\n{}", failures.len(), failures.join("\n"));
}
