//! The conformance guest in Rust: the methods conformance/README.md lists,
//! with exactly its help texts and signatures, on the Rust SDK (sdk/rust).
//! `go run ./examples/build` builds it into conformance/rust.wasm.

#[path = "../../../sdk/rust/src/lib.rs"]
mod rpchost;

use rpchost::{config, kv, log, time, DateTime, Fault, Params, Plugin, Value};

fn plugin() -> Plugin {
    Plugin::new()
        .method("echo", echo)
        .help("Returns its param.")
        .method("echo_all", |p: &Params| Ok(Value::Array(p.values().to_vec())))
        .help("Returns its params as an array.")
        .method("add", add)
        .help("Adds two values like Python's +.")
        .signature(&["int", "int", "int"])
        .signature(&["double", "double", "double"])
        .signature(&["string", "string", "string"])
        .signature(&["array", "array", "array"])
        .method("type_of", type_of)
        .help("Names the type of its param.")
        .method("made", made)
        .help("Returns one value of every type, made by the guest.")
        .signature(&["struct"])
        .method("fault", fault)
        .help("Returns the fault it is asked for.")
        .signature(&["nil", "int", "string"])
        .method("trap", trap)
        .help("Traps.")
        .signature(&["nil"])
        .method("kv_put", kv_put)
        .help("Stores a value under a key.")
        .signature(&["boolean", "string", "base64"])
        .method("kv_get", kv_get)
        .help("Reads the value stored under a key.")
        .signature(&["base64", "string"])
        .method("kv_delete", kv_delete)
        .help("Deletes a key.")
        .signature(&["boolean", "string"])
        .method("kv_put_then_fault", kv_put_then_fault)
        .help("Stores a value, then fails.")
        .signature(&["nil", "string", "base64"])
        .method("kv_count", kv_count)
        .help("Counts calls under a name.")
        .signature(&["int", "string"])
        .method("config", config_of)
        .help("Reads the plugin's configuration.")
        .method("now", now)
        .help("Returns the host's clock.")
        .signature(&["dateTime.iso8601"])
        .method("log", log_message)
        .help("Logs a message.")
        .signature(&["boolean", "string"])
}

fn echo(p: &Params) -> Result<Value, Fault> {
    p.want(1)?;
    Ok(p.get(0)?.clone())
}

fn add(p: &Params) -> Result<Value, Fault> {
    p.want(2)?;
    let (a, b) = (p.get(0)?, p.get(1)?);
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => match x.checked_add(*y) {
            Some(sum) => Ok(Value::Int(sum)),
            None => Err(Fault::invalid_params(format!("add: {x} + {y} overflows a 64-bit integer"))),
        },
        (Value::Int(x), Value::Double(y)) => finite(*x as f64 + y),
        (Value::Double(x), Value::Int(y)) => finite(x + *y as f64),
        (Value::Double(x), Value::Double(y)) => finite(x + y),
        (Value::Str(x), Value::Str(y)) => Ok(Value::Str(format!("{x}{y}"))),
        (Value::Bytes(x), Value::Bytes(y)) => Ok(Value::Bytes([x.as_slice(), y.as_slice()].concat())),
        (Value::Array(x), Value::Array(y)) => Ok(Value::Array([x.as_slice(), y.as_slice()].concat())),
        _ => Err(Fault::invalid_params(format!("add: cannot add {} and {}", a.type_name(), b.type_name()))),
    }
}

fn finite(f: f64) -> Result<Value, Fault> {
    if f.is_finite() {
        Ok(Value::Double(f))
    } else {
        Err(Fault::invalid_params("add: the sum overflows a double"))
    }
}

fn type_of(p: &Params) -> Result<Value, Fault> {
    p.want(1)?;
    Ok(p.get(0)?.type_name().into())
}

fn made(p: &Params) -> Result<Value, Fault> {
    p.want(0)?;
    let datetime = DateTime::from_civil(2001, 2, 3, 4, 5, 6, 789_000_000).expect("a valid date");
    Ok(Value::structure(vec![
        ("int", Value::Int(42)),
        ("i8", Value::Int(1 << 40)),
        ("negative", Value::Int(-7)),
        ("boolean", Value::Bool(true)),
        ("double", Value::Double(1.5)),
        ("string", "héllo, 世界".into()),
        ("empty", "".into()),
        ("datetime", datetime.into()),
        ("base64", Value::Bytes(vec![0x00, 0x01, 0x02, 0xff])),
        ("array", Value::Array(vec![Value::Int(1), "two".into(), Value::Double(3.0)])),
        ("struct", Value::structure(vec![("a", Value::Int(1)), ("b", Value::Array(vec![Value::Bool(true)]))])),
        ("nil", Value::Nil),
    ]))
}

fn fault(p: &Params) -> Result<Value, Fault> {
    p.want(2)?;
    let code = p.int(0)?;
    let message = p.str(1)?;
    if code < i32::MIN as i64 || code > i32::MAX as i64 {
        return Err(Fault::invalid_params(format!("param 1: a fault code is an int32, not {code}")));
    }
    Err(Fault::new(code as i32, message))
}

fn trap(p: &Params) -> Result<Value, Fault> {
    p.want(0)?;
    panic!("trap: asked to")
}

fn kv_put(p: &Params) -> Result<Value, Fault> {
    p.want(2)?;
    kv::put(p.str(0)?, p.bytes(1)?)?;
    Ok(Value::Bool(true))
}

fn kv_get(p: &Params) -> Result<Value, Fault> {
    p.want(1)?;
    Ok(kv::get(p.str(0)?)?.into())
}

fn kv_delete(p: &Params) -> Result<Value, Fault> {
    p.want(1)?;
    kv::delete(p.str(0)?)?;
    Ok(Value::Bool(true))
}

fn kv_put_then_fault(p: &Params) -> Result<Value, Fault> {
    p.want(2)?;
    kv::put(p.str(0)?, p.bytes(1)?)?;
    Err(Fault::new(1, "discarded"))
}

fn kv_count(p: &Params) -> Result<Value, Fault> {
    p.want(1)?;
    let name = p.str(0)?;
    let n = match kv::get(name)? {
        None => 0,
        Some(b) => std::str::from_utf8(&b)
            .ok()
            .and_then(|s| s.parse::<i64>().ok())
            .ok_or_else(|| Fault::application(format!("the counter {name:?} is not a number")))?,
    };
    let n = n.checked_add(1).ok_or_else(|| Fault::application("the counter cannot count further"))?;
    kv::put(name, n.to_string().as_bytes())?;
    Ok(Value::Int(n))
}

fn config_of(p: &Params) -> Result<Value, Fault> {
    p.want(1)?;
    Ok(config::get(p.str(0)?)?.into())
}

fn now(p: &Params) -> Result<Value, Fault> {
    p.want(0)?;
    Ok(time::now().into())
}

fn log_message(p: &Params) -> Result<Value, Fault> {
    p.want(1)?;
    log::info(p.str(0)?);
    Ok(Value::Bool(true))
}
