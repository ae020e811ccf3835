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
    #[link_name = "kv_get_many"]
    fn host_kv_get_many(ptr: *const u8, len: usize) -> i32;
    #[link_name = "kv_write"]
    fn host_kv_write(ptr: *const u8, len: usize) -> i32;
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
///
/// `put` and `delete` are not host calls: they are recorded in a write set
/// in guest memory, in kv_write's layout (abi/doc.go), and handed to the
/// host in one kv_write when the handler returns `Ok`, as the Go SDK does.
/// A read (`get`, `get_many`, `scan`) hands the pending set over first,
/// so it sees the call's own writes (the host's transaction merges them);
/// so does a set reaching FLUSH_BYTES, which bounds the guest's memory for
/// it. A hand-over the host refuses leaves it with part of the set: every
/// later write of the call fails, and the call ends with fault -32008
/// whatever the handler returns. `flush` hands the set over now, for a
/// handler that wants to react to a refused write.
pub mod kv {
    use super::*;
    use std::cell::RefCell;

    /// The size at which a write set is handed over before the call ends.
    pub const FLUSH_BYTES: usize = 1 << 20;

    /// The capacity above which the set's buffer is dropped, not kept for
    /// the next call.
    const KEEP_BYTES: usize = FLUSH_BYTES + (64 << 10);

    /// rpchost's fault for a call whose writes could not be kept
    /// (README "Faults").
    pub const CODE_STORAGE: i32 = -32008;

    const OP_PUT: u8 = 0;
    const OP_DELETE: u8 = 1;
    const OP_ADD: u8 = 2;

    /// The pending writes of the call in progress (one call at a time per
    /// instance, one thread).
    #[derive(Default)]
    struct WriteSet {
        buf: Vec<u8>,
        /// The fault of a hand-over the host refused: it sticks for the
        /// rest of the call.
        failed: Option<Fault>,
        /// Hands buf to the host. Only a write sets it: were the end of
        /// every call to name kv_write directly, the linker would keep the
        /// import in every module, and a plugin that never writes would
        /// need the "kv" grant and a store to load.
        send: Option<fn(&[u8]) -> Result<(), Fault>>,
    }

    fn send_writes(b: &[u8]) -> Result<(), Fault> {
        result("kv_write", unsafe { host_kv_write(b.as_ptr(), b.len()) }).map(|_| ())
    }

    thread_local! {
        static WRITES: RefCell<WriteSet> = RefCell::new(WriteSet::default());
    }

    fn record(op: u8, key: &str, value: &[u8]) -> Result<(), Fault> {
        let full = WRITES.with(|w| {
            let mut w = w.borrow_mut();
            if let Some(f) = &w.failed {
                return Err(f.clone());
            }
            w.send = Some(send_writes);
            let b = &mut w.buf;
            b.push(op);
            b.extend_from_slice(&(key.len() as u32).to_le_bytes());
            b.extend_from_slice(key.as_bytes());
            match op {
                OP_PUT => {
                    b.extend_from_slice(&(value.len() as u32).to_le_bytes());
                    b.extend_from_slice(value);
                }
                OP_ADD => b.extend_from_slice(value), // the delta, 8 bytes little-endian
                _ => {}
            }
            Ok(b.len() >= FLUSH_BYTES)
        })?;
        if full {
            flush()?;
        }
        Ok(())
    }

    /// Hands the call's pending writes to the host now and reports whether
    /// it kept them. After a refusal the call can keep none of its writes.
    pub fn flush() -> Result<(), Fault> {
        WRITES.with(|w| {
            let mut w = w.borrow_mut();
            if let Some(f) = &w.failed {
                return Err(f.clone());
            }
            let send = match w.send {
                Some(send) if !w.buf.is_empty() => send,
                _ => return Ok(()),
            };
            let r = send(&w.buf);
            clear(&mut w.buf);
            match r {
                Ok(_) => Ok(()),
                Err(f) => {
                    w.failed = Some(f.clone());
                    Err(f)
                }
            }
        })
    }

    fn clear(buf: &mut Vec<u8>) {
        if buf.capacity() > KEEP_BYTES {
            *buf = Vec::new();
        } else {
            buf.clear();
        }
    }

    /// Whether the call wrote or failed to (the SDK's end of call).
    pub(crate) fn touched() -> bool {
        WRITES.with(|w| {
            let w = w.borrow();
            !w.buf.is_empty() || w.failed.is_some()
        })
    }

    /// Forgets the pending writes and any failure: a call leaves nothing
    /// to the next one.
    pub(crate) fn reset() {
        WRITES.with(|w| {
            let mut w = w.borrow_mut();
            clear(&mut w.buf);
            w.failed = None;
        })
    }

    /// The value stored under key, or None.
    pub fn get(key: &str) -> Result<Option<Vec<u8>>, Fault> {
        flush()?;
        result("kv_get", unsafe { host_kv_get(key.as_ptr(), key.len()) })
    }

    /// The most keys one get_many reads.
    pub const MAX_GET_MANY: usize = 10_000;

    /// Reads many keys with one host call: the values in the keys' order,
    /// None where a key is not stored. At most MAX_GET_MANY keys, whose
    /// keys and values total at most the store's max_scan_bytes (8 MiB by
    /// default), or the call fails; ask for fewer. A procedure that reads
    /// one key per item of a batch saves a host call per item this way.
    pub fn get_many<K: AsRef<str>>(keys: &[K]) -> Result<Vec<Option<Vec<u8>>>, Fault> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        if keys.len() > MAX_GET_MANY {
            return Err(failed("kv_get_many", "more than 10000 keys in one call"));
        }
        flush()?;
        let mut req = Vec::with_capacity(keys.iter().map(|k| 4 + k.as_ref().len()).sum());
        for k in keys {
            let k = k.as_ref();
            req.extend_from_slice(&(k.len() as u32).to_le_bytes());
            req.extend_from_slice(k.as_bytes());
        }
        let answer = result("kv_get_many", unsafe { host_kv_get_many(req.as_ptr(), req.len()) })?.unwrap_or_default();
        let short = || failed("kv_get_many", "unreadable result: cut short");
        let mut rest = &answer[..];
        let mut out = Vec::with_capacity(keys.len());
        for _ in keys {
            if rest.len() < 4 {
                return Err(short());
            }
            let n = u32::from_le_bytes([rest[0], rest[1], rest[2], rest[3]]);
            rest = &rest[4..];
            if n == u32::MAX {
                out.push(None);
                continue;
            }
            let n = n as usize;
            if rest.len() < n {
                return Err(short());
            }
            out.push(Some(rest[..n].to_vec()));
            rest = &rest[n..];
        }
        if !rest.is_empty() {
            return Err(failed("kv_get_many", "unreadable result: trailing bytes"));
        }
        Ok(out)
    }

    /// Stores value under key (kept when the call returns `Ok`).
    pub fn put(key: &str, value: &[u8]) -> Result<(), Fault> {
        if key.is_empty() {
            return Err(failed("kv_put", "put: empty key"));
        }
        record(OP_PUT, key, value)
    }

    /// Deletes key (deleting a missing key is not an error).
    pub fn delete(key: &str) -> Result<(), Fault> {
        if key.is_empty() {
            return Err(failed("kv_delete", "delete: empty key"));
        }
        record(OP_DELETE, key, &[])
    }

    /// Adds delta to the counter stored under key: a decimal integer (a
    /// missing key counts as 0, and a sum of 0 deletes the key). The host
    /// sums it with the stored value when the call commits, without the
    /// call reading it, so calls adding to one counter at the same time
    /// never conflict, where a get then put of the counter makes the host
    /// run one of them again. A stored value that is not a decimal i64, or
    /// a sum past i64, fails the call with fault -32008.
    pub fn add(key: &str, delta: i64) -> Result<(), Fault> {
        if key.is_empty() {
            return Err(failed("kv_write", "add: empty key"));
        }
        record(OP_ADD, key, &delta.to_le_bytes())
    }

    /// The most the host returns from one scan.
    pub const MAX_SCAN: usize = 10_000;

    /// Up to limit (key, value) pairs whose keys start with prefix, in key
    /// order; at most MAX_SCAN whatever the limit.
    pub fn scan(prefix: &str, limit: usize) -> Result<Vec<(String, Vec<u8>)>, Fault> {
        flush()?;
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
