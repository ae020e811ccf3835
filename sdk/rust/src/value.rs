//! The XML-RPC value model, as the ABI carries it (abi/doc.go, "Encoding").

use std::fmt;

/// One XML-RPC value.
///
/// `<int>`, `<i4>` and `<i8>` are all [`Value::Int`]; a `<struct>` is a list
/// of members in the order they came (or will go), with unique names.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `<nil/>`
    Nil,
    /// `<boolean>`
    Bool(bool),
    /// `<int>`, `<i4>`, `<i8>`
    Int(i64),
    /// `<double>`
    Double(f64),
    /// `<string>` (always valid UTF-8)
    Str(String),
    /// `<base64>`
    Bytes(Vec<u8>),
    /// `<dateTime.iso8601>`, in UTC
    DateTime(DateTime),
    /// `<array>`
    Array(Vec<Value>),
    /// `<struct>`: members in order; names must be unique
    Struct(Vec<(String, Value)>),
}

impl Value {
    /// The XML-RPC type name of the value, as system.methodSignature spells
    /// it: "int", "boolean", "string", "double", "dateTime.iso8601",
    /// "base64", "array", "struct" or "nil".
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Nil => "nil",
            Value::Bool(_) => "boolean",
            Value::Int(_) => "int",
            Value::Double(_) => "double",
            Value::Str(_) => "string",
            Value::Bytes(_) => "base64",
            Value::DateTime(_) => "dateTime.iso8601",
            Value::Array(_) => "array",
            Value::Struct(_) => "struct",
        }
    }

    /// The member named `name` of a struct; None for a missing member or a
    /// value that is not a struct.
    pub fn member(&self, name: &str) -> Option<&Value> {
        match self {
            Value::Struct(members) => members.iter().find(|(k, _)| k == name).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Builds a struct from (name, value) pairs, in order.
    pub fn structure<K: Into<String>>(members: Vec<(K, Value)>) -> Value {
        Value::Struct(members.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }
}

impl From<i64> for Value {
    fn from(n: i64) -> Value {
        Value::Int(n)
    }
}
impl From<i32> for Value {
    fn from(n: i32) -> Value {
        Value::Int(n as i64)
    }
}
impl From<u32> for Value {
    fn from(n: u32) -> Value {
        Value::Int(n as i64)
    }
}
impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}
impl From<f64> for Value {
    fn from(f: f64) -> Value {
        Value::Double(f)
    }
}
impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::Str(s)
    }
}
impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::Str(s.to_string())
    }
}
impl From<Vec<u8>> for Value {
    fn from(b: Vec<u8>) -> Value {
        Value::Bytes(b)
    }
}
impl From<&[u8]> for Value {
    fn from(b: &[u8]) -> Value {
        Value::Bytes(b.to_vec())
    }
}
impl From<DateTime> for Value {
    fn from(t: DateTime) -> Value {
        Value::DateTime(t)
    }
}
impl From<Vec<Value>> for Value {
    fn from(a: Vec<Value>) -> Value {
        Value::Array(a)
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    /// None is `<nil/>`.
    fn from(o: Option<T>) -> Value {
        match o {
            Some(v) => v.into(),
            None => Value::Nil,
        }
    }
}

/// A `<dateTime.iso8601>`: a point in time in UTC, as seconds and
/// nanoseconds since the Unix epoch (the MessagePack timestamp's fields).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateTime {
    /// Seconds since 1970-01-01T00:00:00Z (negative before).
    pub secs: i64,
    /// Nanoseconds within the second, 0 to 999,999,999.
    pub nanos: u32,
}

impl DateTime {
    /// The time `nanos` nanoseconds after the Unix epoch (time_now's unit).
    pub fn from_unix_nanos(nanos: i64) -> DateTime {
        DateTime { secs: nanos.div_euclid(1_000_000_000), nanos: nanos.rem_euclid(1_000_000_000) as u32 }
    }

    /// The time as nanoseconds since the Unix epoch, or None when it does
    /// not fit an i64 (before 1677 or after 2262).
    pub fn unix_nanos(&self) -> Option<i64> {
        self.secs.checked_mul(1_000_000_000)?.checked_add(self.nanos as i64)
    }

    /// The UTC calendar date and time: (year, month 1-12, day 1-31, hour,
    /// minute, second).
    pub fn civil(&self) -> (i64, u32, u32, u32, u32, u32) {
        let days = self.secs.div_euclid(86_400);
        let rem = self.secs.rem_euclid(86_400);
        // Howard Hinnant's days_from_civil, inverted.
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = yoe + era * 400 + if month <= 2 { 1 } else { 0 };
        (year, month, day, (rem / 3600) as u32, (rem / 60 % 60) as u32, (rem % 60) as u32)
    }

    /// The time at a UTC calendar date and time, or None when a field is out
    /// of range (month 1-12, day 1-31, hour 0-23, minute and second 0-59,
    /// nanos below 10^9).
    pub fn from_civil(year: i64, month: u32, day: u32, hour: u32, minute: u32, second: u32, nanos: u32) -> Option<DateTime> {
        if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 59 || nanos >= 1_000_000_000 {
            return None;
        }
        let y = if month <= 2 { year - 1 } else { year };
        let era = y.div_euclid(400);
        let yoe = y.rem_euclid(400);
        let m = month as i64;
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i64 - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        let days = era * 146_097 + doe - 719_468;
        Some(DateTime { secs: days * 86_400 + (hour * 3600 + minute * 60 + second) as i64, nanos })
    }
}

impl fmt::Display for DateTime {
    /// ISO 8601 in UTC: 2001-02-03T04:05:06Z, with the nanoseconds when
    /// there are any (trailing zeros dropped).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, mo, d, h, mi, s) = self.civil();
        write!(f, "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}")?;
        if self.nanos != 0 {
            let mut frac = format!("{:09}", self.nanos);
            while frac.ends_with('0') {
                frac.pop();
            }
            write!(f, ".{frac}")?;
        }
        f.write_str("Z")
    }
}

/// An XML-RPC fault: what a procedure returns instead of a value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fault {
    /// The faultCode the client sees.
    pub code: i32,
    /// The faultString the client sees.
    pub message: String,
}

impl Fault {
    /// Bad arguments (the XML-RPC fault-code interoperability convention).
    pub const INVALID_PARAMS: i32 = -32602;
    /// No such method.
    pub const METHOD_NOT_FOUND: i32 = -32601;
    /// An error inside the guest's own machinery.
    pub const INTERNAL_ERROR: i32 = -32603;
    /// A failure of the procedure itself.
    pub const APPLICATION_ERROR: i32 = -32500;

    /// A fault with any code.
    pub fn new(code: i32, message: impl Into<String>) -> Fault {
        Fault { code, message: message.into() }
    }

    /// A fault with code -32602: the params are wrong.
    pub fn invalid_params(message: impl Into<String>) -> Fault {
        Fault::new(Fault::INVALID_PARAMS, message)
    }

    /// A fault with code -32500: the procedure failed.
    pub fn application(message: impl Into<String>) -> Fault {
        Fault::new(Fault::APPLICATION_ERROR, message)
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "fault {}: {}", self.code, self.message)
    }
}

impl std::error::Error for Fault {}
