//! get, query and stats (recordsvc's service.go).

use crate::ingest::{parse_count, read_count};
use crate::keys::{self, AT_LEN, COUNT_PREFIX, REC_PREFIX, TIME_BASE, TOTAL_KEY};
use crate::record::{self, Record};
use crate::rpchost::{kv, DateTime, Fault, Params, Value};
use crate::text::quote;
use crate::{failure, invalid, type_name, wrong_param, CODE_NOT_FOUND, DEFAULT_LIMIT, MAX_LIMIT, MAX_SOURCES};

fn load(id: &str) -> Result<Option<Record>, Fault> {
    match kv::get(&format!("{REC_PREFIX}{id}"))? {
        None => Ok(None),
        Some(b) => record::decode(id, &b).map(Some).map_err(failure),
    }
}

pub fn get(p: &Params) -> Result<Value, Fault> {
    p.want(1)?;
    let id = match p.get(0)? {
        Value::Str(s) => s.trim(),
        v => return Err(wrong_param(0, "string", v)),
    };
    match load(id)? {
        Some(r) => Ok(r.to_value()),
        None => Err(Fault::new(CODE_NOT_FOUND, format!("no record with id {}", quote(id)))),
    }
}

/// A parsed query filter.
struct Filter {
    source: String,
    /// Encoded times; "" = unbounded.
    from: String,
    to: String,
    /// The range holds no time at all.
    empty: bool,
    limit: usize,
}

fn parse_filter(p: &Params) -> Result<Filter, Fault> {
    let mut f = Filter { source: String::new(), from: String::new(), to: String::new(), empty: false, limit: DEFAULT_LIMIT as usize };
    if p.is_empty() {
        return Ok(f);
    }
    p.want(1)?;
    let members = match p.get(0)? {
        Value::Struct(m) => m,
        v => return Err(wrong_param(0, "struct", v)),
    };
    let bad = |reason: String| invalid(format!("filter: {reason}"));
    for (name, v) in members {
        match name.as_str() {
            "source" => match v {
                Value::Str(s) => f.source = s.trim().to_string(),
                v => return Err(bad(format!("source must be a string, got {}", type_name(v)))),
            },
            "from" | "to" => {
                let t = match v {
                    Value::DateTime(t) => *t,
                    v => return Err(bad(format!("{name} must be a dateTime.iso8601, got {}", type_name(v)))),
                };
                let year = t.civil().0;
                let enc = if year < 1 {
                    // before every time: from is unbounded, to excludes all
                    f.empty |= name == "to";
                    String::new()
                } else if year > 9999 {
                    f.empty |= name == "from";
                    String::new()
                } else {
                    keys::encode_at(t)
                };
                if name == "from" {
                    f.from = enc;
                } else {
                    f.to = enc;
                }
            }
            "limit" => {
                let n = match v {
                    Value::Int(n) => *n,
                    v => return Err(bad(format!("limit must be an int, got {}", type_name(v)))),
                };
                if !(1..=MAX_LIMIT).contains(&n) {
                    return Err(bad(format!("limit must be between 1 and {MAX_LIMIT}, got {n}")));
                }
                f.limit = n as usize;
            }
            _ => {
                return Err(bad(format!(
                    "unknown member {} (a filter has source, from, to and limit)",
                    quote(name)
                )))
            }
        }
    }
    Ok(f)
}

pub fn query(p: &Params) -> Result<Value, Fault> {
    let f = parse_filter(p)?;
    let mut out: Vec<Value> = Vec::new();
    if f.empty {
        return Ok(Value::Array(out));
    }
    let base = if f.source.is_empty() { TIME_BASE.to_string() } else { keys::source_base(&f.source) };
    for prefix in keys::at_prefixes(&f.from, &f.to) {
        for (key, _) in kv::scan(&format!("{base}{prefix}"), f.limit - out.len())? {
            let id = match keys::id_of(&base, &key) {
                Some(id) => id,
                None => continue,
            };
            // An entry that does not match its record (left by two calls
            // replacing one id at once) is skipped rather than shown twice.
            if let Some(r) = load(id)? {
                if key == format!("{base}{}/{}", keys::encode_at(r.at), r.id) && (f.source.is_empty() || r.source == f.source) {
                    out.push(r.to_value());
                }
            }
        }
        if out.len() >= f.limit {
            break;
        }
    }
    Ok(Value::Array(out))
}

pub fn stats(p: &Params) -> Result<Value, Fault> {
    p.want(0)?;
    let total = read_count(TOTAL_KEY)?;
    let mut by_source = Vec::new();
    for (key, value) in kv::scan(COUNT_PREFIX, MAX_SOURCES)? {
        let n = parse_count(&key, &value)?;
        by_source.push((keys::unescape(&key[COUNT_PREFIX.len()..]), Value::Int(n)));
    }
    let mut out = vec![("count".to_string(), Value::Int(total)), ("bySource".to_string(), Value::Struct(by_source))];
    if let Some(first) = first_at()? {
        // Go's zero time (year 1) when the index emptied in between.
        let last = last_at()?.unwrap_or(DateTime { secs: keys::MIN_UNIX, nanos: 0 });
        out.push(("first".to_string(), Value::DateTime(first)));
        out.push(("last".to_string(), Value::DateTime(last)));
    }
    Ok(Value::Struct(out))
}

/// The earliest time in the index: one scan.
fn first_at() -> Result<Option<DateTime>, Fault> {
    match kv::scan(TIME_BASE, 1)?.into_iter().next() {
        None => Ok(None),
        Some((key, _)) => at_of(&key).map(Some),
    }
}

/// The latest time in the index. kv_scan only goes forwards, so it finds
/// the time digit by digit, probing 9 down to 0 with one-key scans.
fn last_at() -> Result<Option<DateTime>, Fault> {
    let mut prefix = TIME_BASE.to_string();
    while prefix.len() < TIME_BASE.len() + AT_LEN {
        let mut found = false;
        for d in (b'0'..=b'9').rev() {
            prefix.push(d as char);
            if !kv::scan(&prefix, 1)?.is_empty() {
                found = true;
                break;
            }
            prefix.pop();
        }
        if !found {
            return Ok(None);
        }
    }
    prefix.push('/');
    at_of(&prefix).map(Some)
}

fn at_of(key: &str) -> Result<DateTime, Fault> {
    let b = key.as_bytes();
    if b.len() < TIME_BASE.len() + AT_LEN {
        return Err(failure(format!("index key {} is corrupt", quote(key))));
    }
    keys::decode_at(&b[TIME_BASE.len()..TIME_BASE.len() + AT_LEN]).map_err(failure)
}
