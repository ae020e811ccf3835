//! ingest and ingestStrict (recordsvc's ingest.go): validate, normalize
//! and store a batch of readings. Every record is parsed and checked
//! first, so that the old versions of all ids are read with one
//! kv::get_many per 1,000 rather than one host call each; the writes go to
//! the host in one kv_write when the call returns (the SDK's write set).

use std::collections::{HashMap, HashSet};

use crate::keys::{self, MAX_UNIX, MIN_UNIX, REC_PREFIX, SRC_PREFIX, TIME_BASE, TOTAL_KEY};
use crate::record::{self, Record};
use crate::rpchost::{kv, log, DateTime, Fault, Params, Value};
use crate::text::{has_control, push_lower, quote, quote_bytes};
use crate::{failure, invalid, type_name, wrong_param, MAX_BATCH, RULE};

const MAX_ID_BYTES: usize = 200;
const MAX_SOURCE_BYTES: usize = 200;
const MAX_TAGS: usize = 32;
const MAX_TAG_BYTES: usize = 64;

/// How many old records one kv::get_many reads: one answer is bounded by
/// store.max_scan_bytes (8 MiB by default), which 1,000 records of the
/// largest size stay well under.
const GET_MANY_CHUNK: usize = 1000;

/// A valid record of the batch and its keys.
struct Parsed {
    r: Record,
    rec: String,
    src: String,
    at: String,
}

/// The change a call makes to the sources' counts, in the order the
/// sources first appear.
#[derive(Default)]
struct Deltas {
    list: Vec<(String, i64)>,
    index: HashMap<String, usize>,
}

impl Deltas {
    fn add(&mut self, source: &str, delta: i64) {
        if let Some(&i) = self.index.get(source) {
            self.list[i].1 += delta;
            return;
        }
        self.index.insert(source.to_string(), self.list.len());
        self.list.push((source.to_string(), delta));
    }
}

/// ingest (strict false) and ingestStrict (strict true).
pub fn store(p: &Params, strict: bool) -> Result<Value, Fault> {
    p.want(1)?;
    let batch = match p.get(0)? {
        Value::Array(a) => a,
        v => return Err(wrong_param(0, "array", v)),
    };
    if batch.len() > MAX_BATCH {
        return Err(invalid(format!(
            "{} records in one call, at most {MAX_BATCH}: send smaller batches",
            batch.len()
        )));
    }
    let mut rejected: Vec<Value> = Vec::new();
    let mut valid: Vec<Parsed> = Vec::with_capacity(batch.len());
    for (i, e) in batch.iter().enumerate() {
        let checked = parse(e).and_then(|p| (RULE.check)(&p.r).map(|()| p));
        match checked {
            Ok(p) => valid.push(p),
            Err(why) if strict => {
                return Err(invalid(format!("record {i}{}: {why}; nothing was stored", id_note(e))));
            }
            Err(why) => rejected.push(Value::Struct(vec![
                ("index".to_string(), Value::Int(i as i64)),
                ("reason".to_string(), Value::Str(why)),
            ])),
        }
    }
    let mut olds: Vec<Option<Vec<u8>>> = Vec::with_capacity(valid.len());
    for chunk in valid.chunks(GET_MANY_CHUNK) {
        let keys: Vec<&str> = chunk.iter().map(|p| p.rec.as_str()).collect();
        olds.extend(kv::get_many(&keys)?);
    }
    let mut deltas = Deltas::default();
    let mut seen: HashSet<&str> = HashSet::with_capacity(valid.len());
    let (mut total, mut stored, mut replaced) = (0i64, 0i64, 0i64);
    let mut value = Vec::with_capacity(256);
    for (p, old) in valid.iter().zip(olds.iter_mut()) {
        let r = &p.r;
        // An id repeated in the batch: its old version is the one this
        // call wrote, which only a read after that write sees.
        let old = if !seen.insert(r.id.as_str()) { kv::get(&p.rec)? } else { old.take() };
        if let Some(b) = old {
            let old = record::decode(&r.id, &b).map_err(failure)?;
            let (src, at) = index_keys(&old.source, old.at, &r.id);
            kv::delete(&src)?;
            kv::delete(&at)?;
            deltas.add(&old.source, -1);
            total -= 1;
            replaced += 1;
        }
        value.clear();
        record::encode(&mut value, &r.source, r.at, r.value, &r.tags);
        kv::put(&p.rec, &value)?;
        kv::put(&p.src, b"")?;
        kv::put(&p.at, b"")?;
        deltas.add(&r.source, 1);
        total += 1;
        stored += 1;
    }
    for (source, delta) in &deltas.list {
        if *delta != 0 {
            add_to(&keys::count_key(source), *delta)?;
        }
    }
    if total != 0 {
        add_to(TOTAL_KEY, total)?;
    }
    log::with(
        log::INFO,
        "ingest",
        &[
            ("stored", Value::Int(stored)),
            ("replaced", Value::Int(replaced)),
            ("rejected", Value::Int(rejected.len() as i64)),
            ("strict", Value::Bool(strict)),
        ],
    );
    Ok(Value::Struct(vec![
        ("stored".to_string(), Value::Int(stored)),
        ("rejected".to_string(), Value::Array(rejected)),
    ]))
}

/// Reads a decimal counter; a missing one is 0.
pub fn read_count(key: &str) -> Result<i64, Fault> {
    match kv::get(key)? {
        None => Ok(0),
        Some(b) => parse_count(key, &b),
    }
}

pub fn parse_count(key: &str, b: &[u8]) -> Result<i64, Fault> {
    std::str::from_utf8(b)
        .ok()
        .and_then(|s| s.parse::<i64>().ok())
        .ok_or_else(|| failure(format!("counter {key} is corrupt: {}", quote_bytes(b))))
}

/// Adds delta to a counter, which is deleted when it reaches 0. The host
/// sums it at the commit (kv::add) rather than the call reading it: every
/// ingest changes the same counters, and a read of them would make
/// concurrent ingests conflict and run again, validating their whole batch
/// a second time.
fn add_to(key: &str, delta: i64) -> Result<(), Fault> {
    kv::add(key, delta)
}

/// Names a rejected record's id when it has a readable one.
fn id_note(e: &Value) -> String {
    match e.member("id") {
        Some(Value::Str(s)) if !s.trim().is_empty() => format!(" (id {})", quote(s.trim())),
        _ => String::new(),
    }
}

/// Reads one element of an ingest array, checks it and normalizes it
/// (strings trimmed; tags trimmed, lower-cased, empty ones dropped and
/// duplicates removed, first occurrence kept) and builds its keys. The
/// error is the reason reported to the client.
fn parse(e: &Value) -> Result<Parsed, String> {
    let members = match e {
        Value::Struct(m) => m,
        v => return Err(format!("want a struct, got {}", type_name(v))),
    };
    let (mut id, mut source, mut at, mut value) = (None, None, None, None);
    let mut tags: Vec<String> = Vec::new();
    for (name, v) in members {
        match name.as_str() {
            "id" => id = Some(text("id", v, MAX_ID_BYTES)?),
            "source" => source = Some(text("source", v, MAX_SOURCE_BYTES)?),
            "at" => {
                let t = match v {
                    Value::DateTime(t) => *t,
                    v => return Err(format!("at must be a dateTime.iso8601, got {}", type_name(v))),
                };
                if t.secs < MIN_UNIX || t.secs > MAX_UNIX {
                    return Err(format!("at is in year {}, outside 0001-9999", t.civil().0));
                }
                at = Some(t);
            }
            "value" => {
                let f = match v {
                    Value::Double(f) => *f,
                    Value::Int(n) => *n as f64,
                    v => return Err(format!("value must be a number, got {}", type_name(v))),
                };
                if !f.is_finite() {
                    return Err("value must be a finite number".to_string());
                }
                value = Some(f);
            }
            "tags" => tags = parse_tags(v)?,
            _ => {
                return Err(format!(
                    "unknown member {} (a record has id, source, at, value and tags)",
                    quote(name)
                ))
            }
        }
    }
    let id = id.ok_or("id is missing")?;
    let source = source.ok_or("source is missing")?;
    let at = at.ok_or("at is missing")?;
    let value = value.ok_or("value is missing")?;
    let mut rec = String::with_capacity(REC_PREFIX.len() + id.len());
    rec.push_str(REC_PREFIX);
    rec.push_str(id);
    let (src, at_key) = index_keys(source, at, id);
    let r = Record { id: id.to_string(), source: source.to_string(), at, value, tags };
    Ok(Parsed { r, rec, src, at: at_key })
}

/// The index keys of a record: src/<source>/<at>/<id> and at/<at>/<id>.
fn index_keys(source: &str, at: DateTime, id: &str) -> (String, String) {
    let mut src = String::with_capacity(SRC_PREFIX.len() + source.len() + keys::AT_LEN + id.len() + 8);
    src.push_str(SRC_PREFIX);
    keys::push_escaped(&mut src, source);
    src.push('/');
    let from = src.len();
    keys::push_at(&mut src, at);
    let mut at_key = String::with_capacity(TIME_BASE.len() + keys::AT_LEN + 1 + id.len());
    at_key.push_str(TIME_BASE);
    at_key.push_str(&src[from..]);
    src.push('/');
    src.push_str(id);
    at_key.push('/');
    at_key.push_str(id);
    (src, at_key)
}

/// Checks a string member that must not be empty after trimming, and
/// returns it trimmed.
fn text<'a>(name: &str, v: &'a Value, max_bytes: usize) -> Result<&'a str, String> {
    let s = match v {
        Value::Str(s) => s.trim(),
        v => return Err(format!("{name} must be a string, got {}", type_name(v))),
    };
    if s.is_empty() {
        Err(format!("{name} is empty"))
    } else if s.len() > max_bytes {
        Err(format!("{name} is {} bytes, at most {max_bytes}", s.len()))
    } else if has_control(s) {
        Err(format!("{name} contains a control character"))
    } else {
        Ok(s)
    }
}

/// Checks tags, an array of strings (nil counts as none), and normalizes
/// them.
fn parse_tags(v: &Value) -> Result<Vec<String>, String> {
    let a = match v {
        Value::Nil => return Ok(Vec::new()),
        Value::Array(a) => a,
        v => return Err(format!("tags must be an array of strings, got {}", type_name(v))),
    };
    let mut tags: Vec<String> = Vec::new();
    // Past MAX_TAGS the record is refused, but only once every tag is
    // checked (a later tag's own reason comes first): a set keeps a
    // request of a million distinct tags linear.
    let mut many: Option<HashSet<String>> = None;
    for (i, e) in a.iter().enumerate() {
        let s = match e {
            Value::Str(s) => s,
            e => return Err(format!("tags[{i}] must be a string, got {}", type_name(e))),
        };
        let mut t = String::with_capacity(s.len());
        push_lower(&mut t, s.trim());
        let seen = match &many {
            Some(set) => set.contains(&t),
            None => tags.contains(&t),
        };
        if t.is_empty() || seen {
            continue;
        }
        if t.len() > MAX_TAG_BYTES {
            return Err(format!("tags[{i}] is {} bytes, at most {MAX_TAG_BYTES}", t.len()));
        }
        if has_control(&t) {
            return Err(format!("tags[{i}] contains a control character"));
        }
        if let Some(set) = &mut many {
            set.insert(t.clone());
        } else if tags.len() == MAX_TAGS {
            many = Some(tags.iter().cloned().chain(std::iter::once(t.clone())).collect());
        }
        tags.push(t);
    }
    if tags.len() > MAX_TAGS {
        return Err(format!("{} distinct tags, at most {MAX_TAGS}", tags.len()));
    }
    Ok(tags)
}
