//! Readable diffs of expected vs actual output, for failure messages.
//! Bytes that would not survive a terminal (control bytes, invalid UTF-8,
//! trailing spaces) are shown escaped so a mismatch is always visible.

/// One line, printable: escapes control bytes and non-UTF-8, marks the end.
fn show_line(line: &[u8]) -> String {
    let mut out = String::new();
    for chunk in line.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\t' => out.push_str("\\t"),
                '\r' => out.push_str("\\r"),
                c if c.is_control() => out.push_str(&format!("\\x{:02x}", c as u32)),
                c => out.push(c),
            }
        }
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{:02x}", b));
        }
    }
    out.push('⏎');
    out
}

fn lines(text: &[u8]) -> Vec<&[u8]> {
    if text.is_empty() {
        return Vec::new();
    }
    let body = text.strip_suffix(b"\n").unwrap_or(text);
    let mut lines: Vec<&[u8]> = body.split(|&b| b == b'\n').collect();
    if !text.ends_with(b"\n") {
        // Mark a missing final newline: it is a real difference.
        lines.push(b"<no newline at end>");
    }
    lines
}

/// A unified-style diff: common leading and trailing lines are trimmed to a
/// little context, the differing middle is shown as `-expected` / `+got`.
pub fn diff(expected: &[u8], got: &[u8]) -> String {
    let (a, b) = (lines(expected), lines(got));
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..].iter().rev().zip(b[prefix..].iter().rev()).take_while(|(x, y)| x == y).count();
    const CONTEXT: usize = 2;
    let mut out = String::new();
    let start = prefix.saturating_sub(CONTEXT);
    out.push_str(&format!("@@ line {} @@\n", start + 1));
    for line in &a[start..prefix] {
        out.push_str(&format!(" {}\n", show_line(line)));
    }
    for line in &a[prefix..a.len() - suffix] {
        out.push_str(&format!("-{}\n", show_line(line)));
    }
    for line in &b[prefix..b.len() - suffix] {
        out.push_str(&format!("+{}\n", show_line(line)));
    }
    for line in a[a.len() - suffix..].iter().take(CONTEXT) {
        out.push_str(&format!(" {}\n", show_line(line)));
    }
    if a.is_empty() && b.is_empty() {
        out.push_str(" (both empty)\n");
    }
    out
}

/// Text as an indented block, for "expected" / "got" sections.
pub fn block(text: &[u8]) -> String {
    let shown: Vec<String> = lines(text).iter().map(|l| format!("    {}", show_line(l))).collect();
    if shown.is_empty() {
        "    (nothing)".to_string()
    } else {
        shown.join("\n")
    }
}
