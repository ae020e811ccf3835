//! Text as Go's standard library treats it, where Rust's differs: the
//! records' reasons and stored tags must be the Go build's, byte for byte.
//!
//! - Trimming: Go's unicode.IsSpace is the Unicode White_Space property,
//!   as Rust's char::is_whitespace (and str::trim) is.
//! - Control characters: Go's unicode.IsControl is the Cc category, as
//!   Rust's char::is_control is.
//! - Lower case: Go's strings.ToLower maps rune by rune with
//!   unicode.ToLower, the simple mapping of Go's Unicode version. Rust's
//!   char::to_lowercase is the full mapping of Rust's (U+0130 'İ' becomes
//!   two runes) and its Unicode version differs with the toolchain, so the
//!   map is Go's own, generated into gotables.rs.
//! - Quoting: strconv.Quote escapes what strconv.IsPrint refuses, also a
//!   table generated from Go (gotables.rs).

use crate::gotables::{LOWER, NOT_PRINT};

/// Whether s holds a control character (Go's unicode.IsControl).
pub fn has_control(s: &str) -> bool {
    s.bytes().any(|c| c < 0x20 || c == 0x7f) || (!s.is_ascii() && s.chars().any(|c| c.is_control()))
}

/// Appends s lower-cased as Go's strings.ToLower does.
pub fn push_lower(out: &mut String, s: &str) {
    if s.is_ascii() {
        out.extend(s.bytes().map(|c| c.to_ascii_lowercase() as char));
        return;
    }
    for c in s.chars() {
        out.push(lower(c));
    }
}

/// Go's unicode.ToLower(c).
fn lower(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    match LOWER.binary_search_by_key(&(c as u32), |&(from, _)| from) {
        Ok(i) => char::from_u32(LOWER[i].1).unwrap_or(c),
        Err(_) => c,
    }
}

/// Go's strconv.IsPrint(c).
fn is_print(c: char) -> bool {
    let r = c as u32;
    if r <= 0xff {
        return (0x20..=0x7e).contains(&r) || (0xa1..=0xff).contains(&r) && r != 0xad;
    }
    // NOT_PRINT: the sorted, disjoint ranges of runes above 0xFF that Go
    // does not print.
    let i = NOT_PRINT.partition_point(|&(_, hi)| hi < r);
    !(i < NOT_PRINT.len() && NOT_PRINT[i].0 <= r)
}

const HEX: &[u8; 16] = b"0123456789abcdef";

fn push_hex(out: &mut String, n: u32, digits: u32) {
    for k in (0..digits).rev() {
        out.push(HEX[(n >> (4 * k) & 0xf) as usize] as char);
    }
}

/// Go's strconv.Quote(s) for bytes that may not be UTF-8 (a corrupt
/// counter's): a byte that starts no valid rune is written \xNN.
pub fn quote_bytes(b: &[u8]) -> String {
    let mut out = String::with_capacity(b.len() + 2);
    out.push('"');
    let mut i = 0;
    while i < b.len() {
        // The shortest valid UTF-8 prefix of up to 4 bytes is the rune Go's
        // utf8.DecodeRune reads; none means an invalid byte.
        let c = (1..=4.min(b.len() - i)).find_map(|n| std::str::from_utf8(&b[i..i + n]).ok());
        match c.and_then(|s| s.chars().next()) {
            Some(c) => {
                push_quoted_rune(&mut out, c);
                i += c.len_utf8();
            }
            None => {
                out.push_str("\\x");
                push_hex(&mut out, b[i] as u32, 2);
                i += 1;
            }
        }
    }
    out.push('"');
    out
}

/// Go's strconv.Quote(s).
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        push_quoted_rune(&mut out, c);
    }
    out.push('"');
    out
}

fn push_quoted_rune(out: &mut String, c: char) {
    match c {
        '"' | '\\' => {
            out.push('\\');
            out.push(c);
        }
        c if is_print(c) => out.push(c),
        '\u{7}' => out.push_str("\\a"),
        '\u{8}' => out.push_str("\\b"),
        '\u{c}' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\u{b}' => out.push_str("\\v"),
        c if (c as u32) < 0x20 || c as u32 == 0x7f => {
            out.push_str("\\x");
            push_hex(out, c as u32, 2);
        }
        c if (c as u32) < 0x10000 => {
            out.push_str("\\u");
            push_hex(out, c as u32, 4);
        }
        c => {
            out.push_str("\\U");
            push_hex(out, c as u32, 8);
        }
    }
}
