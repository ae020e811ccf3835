//! The records plugin in Rust: the same service as the Go build
//! (examples/guests/records, package recordsvc), method for method, reason
//! for reason, key for key and byte for byte in what it stores, so that a
//! store written by one is read by the other and a hot reload from one
//! build to the other keeps the data. It exists to show what rpchost costs
//! on B's real job when the guest's code is lean (RATIONALE.md). The tests
//! that hold the two builds equal are sdk/rust/records_test.go and
//! records_test.go at the repository's root.
//!
//! Methods (help texts below; recordsvc's package documentation describes
//! the keys): ingest, ingestStrict, get, query, stats. It needs the grants
//! "kv" and "log". Build it with `go run ./examples/build
//! sdk/rust/examples/records`.

#[path = "../../src/lib.rs"]
mod rpchost;

mod gotables;
mod ingest;
mod keys;
mod read;
mod record;
mod text;

use record::Record;
use rpchost::{Fault, Plugin, Value};

/// A deployment's own validation rule, applied after the built-in checks
/// to the normalized record (recordsvc.Rule).
pub struct Rule {
    /// What check enforces; system.methodHelp shows it.
    pub doc: &'static str,
    /// Why r is refused (the reason sent back), or Ok to accept it.
    pub check: fn(&Record) -> Result<(), String>,
}

/// The deployment's validation rule: examples/guests/records/main.go's.
const RULE: Rule = Rule {
    doc: "value must be between -1e9 and 1e9",
    check: |r| {
        if r.value < -1e9 || r.value > 1e9 {
            return Err("value must be between -1e9 and 1e9".to_string());
        }
        Ok(())
    },
};

/// Fault code of get for an id that is not stored.
pub const CODE_NOT_FOUND: i32 = 404;
/// Query limits.
pub const DEFAULT_LIMIT: i64 = 100;
pub const MAX_LIMIT: i64 = 1000;
/// The most records of one ingest call.
pub const MAX_BATCH: usize = 10000;
/// The most sources stats lists.
pub const MAX_SOURCES: usize = 100000;

fn plugin() -> Plugin {
    let record_doc = "A record is a struct {id: string, source: string, at: dateTime.iso8601, \
                      value: double (an int is accepted), tags: array of strings (optional)}. ";
    let rule = RULE.doc;
    Plugin::new()
        .method("ingest", |p| ingest::store(p, false))
        .help(&format!(
            "Validates, normalizes and stores an array of records (at most {MAX_BATCH}). {record_doc}\
             id and source must not be empty after trimming, at must be a time, value a finite number; \
             strings are trimmed and tags lower-cased and deduplicated. Deployment rule: {rule}. \
             A record whose id is stored already replaces it. Invalid records are skipped: returns \
             {{stored: int, rejected: [{{index: int (0-based), reason: string}}]}}."
        ))
        .signature(&["struct", "array"])
        .method("ingestStrict", |p| ingest::store(p, true))
        .help(&format!(
            "Like ingest, but all or nothing: the first invalid record fails the whole call with \
             fault -32602 naming its index, and nothing of the call is stored (the host discards a \
             failing call's writes). Deployment rule: {rule}."
        ))
        .signature(&["struct", "array"])
        .method("get", read::get)
        .help(&format!(
            "Returns the record with the given id as a struct {{id, source, at, value, tags}}, \
             or fault {CODE_NOT_FOUND} \"no record with id ...\"."
        ))
        .signature(&["struct", "string"])
        .method("query", read::query)
        .help(&format!(
            "Returns the records matching a filter struct, sorted by (at, id). Members, all optional: \
             source (string), from and to (dateTime.iso8601; from inclusive, to exclusive), \
             limit (int, 1 to {MAX_LIMIT}, default {DEFAULT_LIMIT})."
        ))
        .signature(&["array", "struct"])
        .signature(&["array"])
        .method("stats", read::stats)
        .help(
            "Returns {count: int, bySource: struct of source → count, first: dateTime, last: dateTime} \
             (first and last, the earliest and latest at, only when there are records).",
        )
        .signature(&["struct"])
}

/// The fault for params the service cannot use (-32602).
fn invalid(msg: String) -> Fault {
    Fault::invalid_params(msg)
}

/// The fault for anything else that fails (a corrupt store): -32500, as
/// the Go SDK turns a plain error into.
fn failure(msg: String) -> Fault {
    Fault::application(msg)
}

/// The XML-RPC type name of v as the Go SDK names it (abi.TypeName): an
/// int outside 32 bits is "i8".
fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Int(n) if *n < i32::MIN as i64 || *n > i32::MAX as i64 => "i8",
        v => v.type_name(),
    }
}

/// The fault of a param of the wrong type, as the Go SDK words it.
fn wrong_param(i: usize, want: &str, got: &Value) -> Fault {
    invalid(format!("param {}: want {want}, got {}", i + 1, type_name(got)))
}
