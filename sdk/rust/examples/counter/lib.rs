//! A per-name counter kept in the plugin's key-value store: count(name)
//! adds one and returns the new count, get(name) reads it, reset(name)
//! forgets it, all() lists every counter, and count_all(names) counts several at once, all or none:
//! its writes are kept only if it returns a value, so a bad name in the
//! middle of the list leaves every counter as it was. It needs the "kv" grant (plugin.counter.grants: [kv]).
//! Build it with `go run ./examples/build counter` from the repository's root.

#[path = "../../src/lib.rs"]
mod rpchost;

use rpchost::{kv, Fault, Params, Plugin, Value};

fn plugin() -> Plugin {
    Plugin::new()
        .method("count", count)
        .help("Adds one to the counter called name and returns its new value (the first count is 1).")
        .signature(&["int", "string"])
        .method("count_all", count_all)
        .help("Counts every name of an array, in order, and returns their new values; when a name is not a non-empty string, it counts none of them.")
        .signature(&["array", "array"])
        .method("get", get)
        .help("Returns the counter called name (0 when it was never counted).")
        .signature(&["int", "string"])
        .method("all", all)
        .help("Returns every counter as a struct of name: count, in name order (at most 10,000).")
        .signature(&["struct"])
        .method("reset", reset)
        .help("Forgets the counter called name.")
        .signature(&["boolean", "string"])
}

/// The store key of a counter: a prefix leaves room for other data.
fn key(p: &Params) -> Result<String, Fault> {
    p.want(1)?;
    key_of(p.str(0)?)
}

fn key_of(name: &str) -> Result<String, Fault> {
    if name.is_empty() {
        return Err(Fault::invalid_params("a counter's name must not be empty"));
    }
    Ok(format!("count/{name}"))
}

/// The counter stored under key; counters are stored as decimal text, so
/// that `rpchost` tools and people can read them.
fn read(key: &str) -> Result<i64, Fault> {
    match kv::get(key)? {
        None => Ok(0),
        Some(b) => parse(key, &b),
    }
}

fn parse(key: &str, b: &[u8]) -> Result<i64, Fault> {
    std::str::from_utf8(b)
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| Fault::application(format!("the counter under {key:?} is not a number")))
}

/// Adds one to the counter under key and returns its new value.
fn increment(key: &str) -> Result<Value, Fault> {
    let n = read(key)?
        .checked_add(1)
        .ok_or_else(|| Fault::application("the counter cannot count further"))?;
    kv::put(key, n.to_string().as_bytes())?;
    Ok(Value::Int(n))
}

fn count(p: &Params) -> Result<Value, Fault> {
    increment(&key(p)?)
}

fn count_all(p: &Params) -> Result<Value, Fault> {
    p.want(1)?;
    let mut counts = Vec::new();
    for (i, name) in p.array(0)?.iter().enumerate() {
        // A fault here discards the counts already written by this call.
        let key = match name {
            Value::Str(s) => key_of(s)?,
            v => return Err(Fault::invalid_params(format!("name {}: want string, got {}", i + 1, v.type_name()))),
        };
        counts.push(increment(&key)?);
    }
    Ok(Value::Array(counts))
}

fn get(p: &Params) -> Result<Value, Fault> {
    Ok(Value::Int(read(&key(p)?)?))
}

fn reset(p: &Params) -> Result<Value, Fault> {
    kv::delete(&key(p)?)?;
    Ok(Value::Bool(true))
}

fn all(p: &Params) -> Result<Value, Fault> {
    p.want(0)?;
    let mut counters = Vec::new();
    for (key, value) in kv::scan("count/", kv::MAX_SCAN)? {
        let n = parse(&key, &value)?;
        counters.push((key["count/".len()..].to_string(), Value::Int(n)));
    }
    Ok(Value::Struct(counters))
}
