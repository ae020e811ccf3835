//! The rpchost plugin behind add.add, in Rust: Python's + for XML-RPC
//! values, as the Go example (examples/guests/add) does it. Build it with
//! `go run ./examples/build add` from the repository's root.

#[path = "../../src/lib.rs"]
mod rpchost;

use rpchost::{Fault, Params, Plugin, Value};

fn plugin() -> Plugin {
    Plugin::new()
        .method("add", add)
        .help(
            "Adds two values like Python's +: int+int gives int (an error on overflow), \
             a double with an int or a double gives a double, and string+string, base64+base64 \
             or array+array concatenate.",
        )
        .signature(&["int", "int", "int"])
        .signature(&["i8", "i8", "i8"])
        .signature(&["double", "double", "double"])
        .signature(&["double", "int", "double"])
        .signature(&["double", "double", "int"])
        .signature(&["string", "string", "string"])
        .signature(&["base64", "base64", "base64"])
        .signature(&["array", "array", "array"])
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

/// Refuses a sum XML-RPC cannot carry (1e308 + 1e308).
fn finite(f: f64) -> Result<Value, Fault> {
    if f.is_finite() {
        Ok(Value::Double(f))
    } else {
        Err(Fault::invalid_params("add: the sum overflows a double"))
    }
}
