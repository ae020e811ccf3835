//! The params of a call, with typed accessors whose errors are the
//! invalid-params faults a client expects.

use super::value::{DateTime, Fault, Value};

/// The params of one call. Accessors take a 0-based index and return a
/// fault with code -32602 when the param is missing or of another type;
/// their messages count params from 1, as a client does:
/// "param 2: want int, got string". A handler returns them with `?`.
#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    method: String,
    values: Vec<Value>,
}

fn count(n: usize) -> String {
    if n == 1 {
        "1 param".to_string()
    } else {
        format!("{n} params")
    }
}

impl Params {
    /// Params for a call of `method` (the SDK makes them; tests may too).
    pub fn new(method: impl Into<String>, values: Vec<Value>) -> Params {
        Params { method: method.into(), values }
    }

    /// The name of the method being called (without the plugin's prefix).
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The number of params.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether there are no params.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Every param, in order.
    pub fn values(&self) -> &[Value] {
        &self.values
    }

    /// Takes the params, leaving none.
    pub fn into_values(self) -> Vec<Value> {
        self.values
    }

    /// A fault unless there are exactly n params: "add takes 2 params, got 3".
    pub fn want(&self, n: usize) -> Result<(), Fault> {
        if self.values.len() == n {
            return Ok(());
        }
        Err(Fault::invalid_params(format!("{} takes {}, got {}", self.method, count(n), self.values.len())))
    }

    /// Param i whatever its type.
    pub fn get(&self, i: usize) -> Result<&Value, Fault> {
        self.values.get(i).ok_or_else(|| {
            Fault::invalid_params(format!("param {}: missing (got {})", i + 1, count(self.values.len())))
        })
    }

    fn wrong(i: usize, want: &str, got: &Value) -> Fault {
        Fault::invalid_params(format!("param {}: want {want}, got {}", i + 1, got.type_name()))
    }

    /// Param i, an `<int>` or `<i8>`.
    pub fn int(&self, i: usize) -> Result<i64, Fault> {
        match self.get(i)? {
            Value::Int(n) => Ok(*n),
            v => Err(Params::wrong(i, "int", v)),
        }
    }

    /// Param i, a `<double>`, or an `<int>` converted (some clients send
    /// whole numbers as ints).
    pub fn double(&self, i: usize) -> Result<f64, Fault> {
        match self.get(i)? {
            Value::Double(f) => Ok(*f),
            Value::Int(n) => Ok(*n as f64),
            v => Err(Params::wrong(i, "double", v)),
        }
    }

    /// Param i, a `<boolean>`.
    pub fn bool(&self, i: usize) -> Result<bool, Fault> {
        match self.get(i)? {
            Value::Bool(b) => Ok(*b),
            v => Err(Params::wrong(i, "boolean", v)),
        }
    }

    /// Param i, a `<string>`.
    pub fn str(&self, i: usize) -> Result<&str, Fault> {
        match self.get(i)? {
            Value::Str(s) => Ok(s),
            v => Err(Params::wrong(i, "string", v)),
        }
    }

    /// Param i, a `<base64>`.
    pub fn bytes(&self, i: usize) -> Result<&[u8], Fault> {
        match self.get(i)? {
            Value::Bytes(b) => Ok(b),
            v => Err(Params::wrong(i, "base64", v)),
        }
    }

    /// Param i, a `<dateTime.iso8601>`.
    pub fn datetime(&self, i: usize) -> Result<DateTime, Fault> {
        match self.get(i)? {
            Value::DateTime(t) => Ok(*t),
            v => Err(Params::wrong(i, "dateTime.iso8601", v)),
        }
    }

    /// Param i, an `<array>`.
    pub fn array(&self, i: usize) -> Result<&[Value], Fault> {
        match self.get(i)? {
            Value::Array(a) => Ok(a),
            v => Err(Params::wrong(i, "array", v)),
        }
    }

    /// Param i, a `<struct>`: its members in the order the client sent them.
    pub fn members(&self, i: usize) -> Result<&[(String, Value)], Fault> {
        match self.get(i)? {
            Value::Struct(m) => Ok(m),
            v => Err(Params::wrong(i, "struct", v)),
        }
    }
}
