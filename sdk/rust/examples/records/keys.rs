//! The key layout, recordsvc's (examples/guests/records/recordsvc/keys.go):
//!
//!     rec/<id>                  the record: [1, source, at, value, tags]
//!     src/<source>/<at>/<id>    "" (an index: one source's records by time)
//!     at/<at>/<id>              "" (an index: all records by time)
//!     count/<source>            that source's number of records, in decimal
//!     total                     the number of records, in decimal
//!
//! <at> is the time in UTC as 23 digits, YYYYMMDDhhmmssnnnnnnnnn, so that
//! byte order is time order; <source> is escaped ("%" → "%25", "/" →
//! "%2F") so that one source's keys are never a prefix of another's.

use crate::rpchost::DateTime;

pub const REC_PREFIX: &str = "rec/";
pub const SRC_PREFIX: &str = "src/";
pub const TIME_BASE: &str = "at/";
pub const COUNT_PREFIX: &str = "count/";
pub const TOTAL_KEY: &str = "total";

/// The length of an encoded time.
pub const AT_LEN: usize = 23;

/// The first and last seconds of years 1 to 9999.
pub const MIN_UNIX: i64 = -62135596800;
pub const MAX_UNIX: i64 = 253402300799;

/// Appends source escaped.
pub fn push_escaped(out: &mut String, source: &str) {
    for c in source.chars() {
        match c {
            '%' => out.push_str("%25"),
            '/' => out.push_str("%2F"),
            c => out.push(c),
        }
    }
}

pub fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        if rest.starts_with("%25") {
            out.push('%');
            rest = &rest[3..];
        } else if rest.starts_with("%2F") {
            out.push('/');
            rest = &rest[3..];
        } else {
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

/// The prefix of one source's index.
pub fn source_base(source: &str) -> String {
    let mut b = String::from(SRC_PREFIX);
    push_escaped(&mut b, source);
    b.push('/');
    b
}

pub fn count_key(source: &str) -> String {
    let mut b = String::from(COUNT_PREFIX);
    push_escaped(&mut b, source);
    b
}

/// Appends t (years 0 to 9999) as 23 digits.
pub fn push_at(out: &mut String, t: DateTime) {
    let (y, mo, d, h, mi, s) = t.civil();
    let mut b = [0u8; AT_LEN];
    put_digits(&mut b[0..4], y as u64);
    put_digits(&mut b[4..6], mo as u64);
    put_digits(&mut b[6..8], d as u64);
    put_digits(&mut b[8..10], h as u64);
    put_digits(&mut b[10..12], mi as u64);
    put_digits(&mut b[12..14], s as u64);
    put_digits(&mut b[14..23], t.nanos as u64);
    out.extend(b.iter().map(|&c| c as char));
}

pub fn encode_at(t: DateTime) -> String {
    let mut s = String::with_capacity(AT_LEN);
    push_at(&mut s, t);
    s
}

fn put_digits(d: &mut [u8], mut n: u64) {
    for c in d.iter_mut().rev() {
        *c = b'0' + (n % 10) as u8;
        n /= 10;
    }
}

/// Reads what encode_at wrote (bytes: a corrupt key may cut a rune); the
/// error is recordsvc's.
pub fn decode_at(s: &[u8]) -> Result<DateTime, String> {
    let bad = || format!("time {}: want {AT_LEN} digits of a valid time", crate::text::quote_bytes(s));
    if s.len() != AT_LEN || !s.iter().all(|c| c.is_ascii_digit()) {
        return Err(bad());
    }
    let n = |from: usize, to: usize| s[from..to].iter().fold(0u32, |n, &c| n * 10 + (c - b'0') as u32);
    let t = DateTime::from_civil(n(0, 4) as i64, n(4, 6), n(6, 8), n(8, 10), n(10, 12), n(12, 14), n(14, 23));
    match t {
        // from_civil takes day 31 of any month: the round trip refuses it
        // as Go's time.Date normalizing it does.
        Some(t) if encode_at(t).as_bytes() == s => Ok(t),
        _ => Err(bad()),
    }
}

/// The id at the end of an index key under base.
pub fn id_of<'a>(base: &str, key: &'a str) -> Option<&'a str> {
    let b = key.as_bytes();
    if b.len() < base.len() + AT_LEN + 2 || b[base.len() + AT_LEN] != b'/' {
        return None;
    }
    key.get(base.len() + AT_LEN + 1..)
}

/// In order, the fewest digit strings p such that an encoded time lies in
/// [lo, hi) exactly when it starts with one of them (recordsvc.atPrefixes;
/// lo "" means no lower bound, hi "" no upper bound).
pub fn at_prefixes(lo: &str, hi: &str) -> Vec<String> {
    let mut out = Vec::new();
    if !hi.is_empty() && lo >= hi {
        return out;
    }
    walk(String::new(), lo, hi, &mut out);
    out
}

fn walk(p: String, lo: &str, hi: &str, out: &mut Vec<String>) {
    let mut first = p.clone();
    let mut last = p.clone();
    for _ in p.len()..AT_LEN {
        first.push('0');
        last.push('9');
    }
    if !possible(&p) || last.as_str() < lo || (!hi.is_empty() && first.as_str() >= hi) {
        return;
    }
    if first.as_str() >= lo && (hi.is_empty() || last.as_str() < hi) {
        out.push(p);
        return;
    }
    for d in b'0'..=b'9' {
        let mut q = p.clone();
        q.push(d as char);
        walk(q, lo, hi, out);
    }
}

/// The two-digit fields after the year: offset, min, max.
const FIELDS: [(usize, u32, u32); 5] = [(4, 1, 12), (6, 1, 31), (8, 0, 23), (10, 0, 59), (12, 0, 59)];

/// Whether some valid encoded time starts with the digit string p.
fn possible(p: &str) -> bool {
    let b = p.as_bytes();
    for &(at, min, max) in FIELDS.iter() {
        if b.len() <= at {
            return true;
        }
        if b.len() == at + 1 {
            let tens = (b[at] - b'0') as u32;
            return tens * 10 <= max && tens * 10 + 9 >= min;
        }
        let n = (b[at] - b'0') as u32 * 10 + (b[at + 1] - b'0') as u32;
        if n < min || n > max {
            return false;
        }
    }
    true
}
