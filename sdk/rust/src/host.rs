//! The host's capabilities (module "rpchost" in abi/doc.go). A function is
//! imported only when a plugin calls it: the linker drops the others, so a
//! plugin that never touches the store needs no "kv" grant.

use super::msgpack;
use super::value::{DateTime, Fault, Value};

#[link(wasm_import_module = "rpchost")]
extern "C" {
    #[link_name = "log"]
    fn host_log(ptr: *const u8, len: usize);
    #[link_name = "kv_get"]
    fn host_kv_get(key_ptr: *const u8, key_len: usize) -> i32;
    #[link_name = "kv_put"]
    fn host_kv_put(key_ptr: *const u8, key_len: usize, val_ptr: *const u8, val_len: usize) -> i32;
    #[link_name = "kv_delete"]
    fn host_kv_delete(key_ptr: *const u8, key_len: usize) -> i32;
    #[link_name = "kv_scan"]
    fn host_kv_scan(prefix_ptr: *const u8, prefix_len: usize, limit: u32) -> i32;
    #[link_name = "config_get"]
    fn host_config_get(key_ptr: *const u8, key_len: usize) -> i32;
    #[link_name = "time_now"]
    fn host_time_now() -> i64;
    #[link_name = "result_read"]
    fn host_result_read(ptr: *mut u8);
}

/// The fault for a capability that failed: code -32500 with the host's
/// reason, which a handler can return with `?`.
fn failed(op: &str, reason: &str) -> Fault {
    Fault::application(format!("host capability {op} failed: {reason}"))
}

/// Turns a capability's answer into its result bytes (None for "not
/// found") or the host's reason for failing.
fn result(op: &str, r: i32) -> Result<Option<Vec<u8>>, Fault> {
    if r == -1 {
        return Ok(None);
    }
    // r >= 0 is the result's length; r <= -2 a message of -2-r bytes.
    let n = if r >= 0 { r as usize } else { (-2 - r as i64) as usize };
    let mut b: Vec<u8> = Vec::with_capacity(n);
    if n > 0 {
        // SAFETY: the host writes exactly n bytes into the n reserved.
        unsafe {
            host_result_read(b.as_mut_ptr());
            b.set_len(n);
        }
    }
    if r >= 0 {
        return Ok(Some(b));
    }
    Err(failed(op, &String::from_utf8_lossy(&b)))
}

/// Logging through the host's log (grant "log"): each record carries the
/// plugin's and method's names. Levels are log/slog's.
pub mod log {
    use super::*;

    pub const DEBUG: i64 = -4;
    pub const INFO: i64 = 0;
    pub const WARN: i64 = 4;
    pub const ERROR: i64 = 8;

    /// Logs msg at a level with attributes (name, value) in order. The
    /// host drops a message over 64 KiB, with a warning saying so.
    pub fn with(level: i64, msg: &str, attrs: &[(&str, Value)]) {
        let mut b = Vec::with_capacity(msg.len() + 16);
        msgpack::put_array_len(&mut b, 3);
        msgpack::put_int(&mut b, level);
        msgpack::put_str(&mut b, msg);
        let mut members: Vec<(String, Value)> = Vec::with_capacity(attrs.len());
        for (k, v) in attrs {
            // A repeated name keeps its last value, as slog does.
            members.retain(|(m, _)| m != k);
            members.push((k.to_string(), v.clone()));
        }
        let mark = b.len();
        if msgpack::put_value(&mut b, &Value::Struct(members), 0).is_err() {
            b.truncate(mark);
            msgpack::put_map_len(&mut b, 0); // attributes the ABI cannot carry are left out
        }
        unsafe { host_log(b.as_ptr(), b.len()) }
    }

    pub fn debug(msg: &str) {
        with(DEBUG, msg, &[])
    }
    pub fn info(msg: &str) {
        with(INFO, msg, &[])
    }
    pub fn warn(msg: &str) {
        with(WARN, msg, &[])
    }
    pub fn error(msg: &str) {
        with(ERROR, msg, &[])
    }
}

/// The plugin's key-value store (grant "kv"). Keys live in the plugin's
/// own namespace. Writes belong to the call: the host keeps them only if
/// the call returns a value, and discards them on a fault or a trap; reads
/// see the call's own writes.
pub mod kv {
    use super::*;

    /// The value stored under key, or None.
    pub fn get(key: &str) -> Result<Option<Vec<u8>>, Fault> {
        result("kv_get", unsafe { host_kv_get(key.as_ptr(), key.len()) })
    }

    /// Stores value under key.
    pub fn put(key: &str, value: &[u8]) -> Result<(), Fault> {
        result("kv_put", unsafe { host_kv_put(key.as_ptr(), key.len(), value.as_ptr(), value.len()) }).map(|_| ())
    }

    /// Deletes key (deleting a missing key is not an error).
    pub fn delete(key: &str) -> Result<(), Fault> {
        result("kv_delete", unsafe { host_kv_delete(key.as_ptr(), key.len()) }).map(|_| ())
    }

    /// The most the host returns from one scan.
    pub const MAX_SCAN: usize = 10_000;

    /// Up to limit (key, value) pairs whose keys start with prefix, in key
    /// order; at most MAX_SCAN whatever the limit.
    pub fn scan(prefix: &str, limit: usize) -> Result<Vec<(String, Vec<u8>)>, Fault> {
        let limit = limit.min(MAX_SCAN) as u32;
        let b = result("kv_scan", unsafe { host_kv_scan(prefix.as_ptr(), prefix.len(), limit) })?.unwrap_or_default();
        let bad = |why: String| failed("kv_scan", &format!("unreadable result: {why}"));
        let pairs = match msgpack::decode(&b).map_err(bad)? {
            Value::Array(pairs) => pairs,
            v => return Err(bad(format!("an {} instead of an array", v.type_name()))),
        };
        let mut out = Vec::with_capacity(pairs.len());
        for p in pairs {
            match p {
                Value::Array(kv) if kv.len() == 2 => {
                    let mut kv = kv.into_iter();
                    match (kv.next(), kv.next()) {
                        (Some(Value::Str(k)), Some(Value::Bytes(v))) => out.push((k, v)),
                        _ => return Err(bad("a pair that is not [str, bin]".to_string())),
                    }
                }
                _ => return Err(bad("a member that is not a pair".to_string())),
            }
        }
        Ok(out)
    }
}

/// The plugin's configuration (grant "config"): plugin.<name>.config.<key>.
pub mod config {
    use super::*;

    /// The configuration value for key, or None when it is not set.
    pub fn get(key: &str) -> Result<Option<Value>, Fault> {
        match result("config_get", unsafe { host_config_get(key.as_ptr(), key.len()) })? {
            None => Ok(None),
            Some(b) => msgpack::decode(&b)
                .map(Some)
                .map_err(|why| failed("config_get", &format!("unreadable value of {key:?}: {why}"))),
        }
    }
}

/// The host's clock (grant "time").
pub mod time {
    use super::*;

    /// The host's current time.
    pub fn now() -> DateTime {
        DateTime::from_unix_nanos(now_nanos())
    }

    /// The host's current time in nanoseconds since the Unix epoch.
    pub fn now_nanos() -> i64 {
        unsafe { host_time_now() }
    }
}
