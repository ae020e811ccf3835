//! A record and its stored form: the MessagePack array
//! [1, source, at, value, tags] (1 is the format's version; the id is the
//! key's suffix), as recordsvc writes it (record.go, ingest.go's value).

use crate::rpchost::{msgpack, DateTime, Value};
use crate::text::quote;

/// One reading as it is stored: normalized and validated.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    pub id: String,
    pub source: String,
    pub at: DateTime,
    pub value: f64,
    /// Lower case, no duplicates.
    pub tags: Vec<String>,
}

const FORMAT_VERSION: i64 = 1;

impl Record {
    /// The record as XML-RPC returns it: id, source, at, value, tags.
    pub fn to_value(&self) -> Value {
        Value::Struct(vec![
            ("id".to_string(), Value::Str(self.id.clone())),
            ("source".to_string(), Value::Str(self.source.clone())),
            ("at".to_string(), Value::DateTime(self.at)),
            ("value".to_string(), Value::Double(self.value)),
            ("tags".to_string(), Value::Array(self.tags.iter().map(|t| Value::Str(t.clone())).collect())),
        ])
    }
}

/// Appends the stored form of a record to out, in the shortest forms
/// (the Go SDK's Writer writes the same bytes).
pub fn encode(out: &mut Vec<u8>, source: &str, at: DateTime, value: f64, tags: &[String]) {
    msgpack::put_array_len(out, 5);
    msgpack::put_int(out, FORMAT_VERSION);
    msgpack::put_str(out, source);
    msgpack::put_time(out, at);
    out.push(0xcb);
    out.extend_from_slice(&value.to_bits().to_be_bytes());
    msgpack::put_array_len(out, tags.len());
    for t in tags {
        msgpack::put_str(out, t);
    }
}

/// Reads a stored record whose id is id. The error is recordsvc's
/// decodeRecord's, but for the reason a malformed encoding gives, which
/// is each SDK's decoder's own.
pub fn decode(id: &str, b: &[u8]) -> Result<Record, String> {
    let corrupt = |why: &str| format!("stored record {} is corrupt: {why}", quote(id));
    let mut r = msgpack::Reader::new(b);
    let v = r.value(0).map_err(|e| corrupt(&e))?;
    if !r.done() {
        return Err(corrupt("trailing bytes"));
    }
    let a = match v {
        Value::Array(a) if a.len() == 5 && a[0] == Value::Int(FORMAT_VERSION) => a,
        _ => return Err(corrupt("not a version 1 record")),
    };
    let mut a = a.into_iter().skip(1);
    match (a.next(), a.next(), a.next(), a.next()) {
        (Some(Value::Str(source)), Some(Value::DateTime(at)), Some(Value::Double(value)), Some(Value::Array(raw))) => {
            let mut tags = Vec::with_capacity(raw.len());
            for (i, t) in raw.into_iter().enumerate() {
                match t {
                    Value::Str(t) => tags.push(t),
                    t => return Err(corrupt(&format!("tag {i} is {}", crate::type_name(&t)))),
                }
            }
            Ok(Record { id: id.to_string(), source, at, value, tags })
        }
        _ => Err(corrupt("wrong member types")),
    }
}
