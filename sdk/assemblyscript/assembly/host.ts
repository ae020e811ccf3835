// The host capabilities of module "rpchost" (abi/doc.go): log, the
// plugin's key-value store, its configuration and the host's clock.
//
// AssemblyScript imports a function only when it is called, so a plugin
// that never touches kv needs no "kv" grant.
//
// A capability that fails (the host answers r <= -2: no store configured, a
// key over the store's limits, ...) returns what "not found" would, and
// records the host's message: the call then answers a fault with code
// -32500 (CodeApplicationError) naming it, whatever the handler returns, so
// a failed read never passes for a missing key and a failed write never
// for a success. failure() lets a handler stop early.

import { Reader, Writer } from "./msgpack";
import { Value } from "./value";

// @ts-ignore: decorator
@external("rpchost", "log")
declare function host_log(ptr: usize, len: usize): void;
// @ts-ignore: decorator
@external("rpchost", "kv_get")
declare function host_kv_get(keyPtr: usize, keyLen: usize): i32;
// @ts-ignore: decorator
@external("rpchost", "kv_put")
declare function host_kv_put(keyPtr: usize, keyLen: usize, valPtr: usize, valLen: usize): i32;
// @ts-ignore: decorator
@external("rpchost", "kv_delete")
declare function host_kv_delete(keyPtr: usize, keyLen: usize): i32;
// @ts-ignore: decorator
@external("rpchost", "kv_scan")
declare function host_kv_scan(prefixPtr: usize, prefixLen: usize, limit: i32): i32;
// @ts-ignore: decorator
@external("rpchost", "config_get")
declare function host_config_get(keyPtr: usize, keyLen: usize): i32;
// @ts-ignore: decorator
@external("rpchost", "time_now")
declare function host_time_now(): i64;
// @ts-ignore: decorator
@external("rpchost", "result_read")
declare function host_result_read(ptr: usize): void;

let failed: string | null = null;

/** The first capability failure of the call in progress ("kv_put: key too long"), or null. */
export function failure(): string | null {
  return failed;
}

/** Forgets the previous call's failure; the dispatcher calls it before each handler. */
export function resetFailure(): void {
  failed = null;
}

function fail(op: string, why: string): void {
  if (failed == null) failed = op + ": " + why;
}

function utf8(s: string): ArrayBuffer {
  return String.UTF8.encode(s, false, String.UTF8.ErrorMode.REPLACE);
}

/**
 * Copies the result of a capability that answered r into memory: its bytes
 * when r >= 0, null when r == -1 (not found), and null with the failure
 * recorded when r <= -2.
 */
function resultOf(op: string, r: i32): Uint8Array | null {
  if (r == -1) return null;
  if (r >= 0) {
    let b = new Uint8Array(r);
    if (r > 0) host_result_read(b.dataStart);
    return b;
  }
  let n = -2 - r;
  let msg = new Uint8Array(n);
  if (n > 0) host_result_read(msg.dataStart);
  fail(op, String.UTF8.decodeUnsafe(msg.dataStart, <usize>n));
  return null;
}

/** One key and value of the plugin's store. */
export class KV {
  constructor(public key: string, public value: Uint8Array) {}
}

/** The server's log (grant "log"): tagged with the plugin and the method. */
export namespace log {
  export const Debug: i32 = -4;
  export const Info: i32 = 0;
  export const Warn: i32 = 4;
  export const Error: i32 = 8;

  /** Logs message at level (as log/slog numbers them) with attrs, a struct Value, or none. */
  export function write(level: i32, message: string, attrs: Value | null = null): void {
    let w = new Writer(64 + message.length * 3);
    w.arrayHeader(3);
    w.int(level);
    w.str(message);
    if (attrs == null || attrs.keys == null) w.mapHeader(0);
    else w.value(attrs);
    if (w.err != null) {
      fail("log", w.err!);
      return;
    }
    host_log(w.ptr, <usize>w.len);
  }
  export function debug(message: string, attrs: Value | null = null): void { write(Debug, message, attrs); }
  export function info(message: string, attrs: Value | null = null): void { write(Info, message, attrs); }
  export function warn(message: string, attrs: Value | null = null): void { write(Warn, message, attrs); }
  export function error(message: string, attrs: Value | null = null): void { write(Error, message, attrs); }
}

/**
 * The plugin's own key-value store (grant "kv"). A call's writes are
 * committed only when it returns a result: a fault or a trap discards
 * them. Reads see the call's own writes.
 */
export class Store {
  /** The value stored under key, or null when there is none. */
  get(key: string): Uint8Array | null {
    let k = utf8(key);
    return resultOf("kv_get", host_kv_get(changetype<usize>(k), <usize>k.byteLength));
  }

  /** The value stored under key as a UTF-8 string, or null when there is none. */
  getString(key: string): string | null {
    let v = this.get(key);
    return v == null ? null : String.UTF8.decodeUnsafe(v.dataStart, <usize>v.length);
  }

  /** Stores value under key; false when the host refused (see failure()). */
  put(key: string, value: Uint8Array): bool {
    let k = utf8(key);
    let r = host_kv_put(changetype<usize>(k), <usize>k.byteLength, value.dataStart, <usize>value.length);
    resultOf("kv_put", r);
    return r >= 0;
  }

  /** Stores a string, as UTF-8, under key. */
  putString(key: string, value: string): bool {
    return this.put(key, Uint8Array.wrap(utf8(value)));
  }

  /** Deletes key (deleting a missing key is no error); false when the host refused. */
  delete(key: string): bool {
    let k = utf8(key);
    let r = host_kv_delete(changetype<usize>(k), <usize>k.byteLength);
    resultOf("kv_delete", r);
    return r >= 0;
  }

  /** Up to limit pairs (never more than 10,000) whose keys start with prefix, in key order. */
  scan(prefix: string, limit: i32 = 10000): KV[] {
    let p = utf8(prefix);
    if (limit < 0) limit = 0;
    if (limit > 10000) limit = 10000;
    let out = new Array<KV>();
    let b = resultOf("kv_scan", host_kv_scan(changetype<usize>(p), <usize>p.byteLength, limit));
    if (b == null) return out;
    let r = new Reader(b.dataStart, <usize>b.length);
    let v = r.value();
    if (v == null || r.remaining != 0 || v.items == null || v.keys != null) {
      fail("kv_scan", "the host's answer is not an array of [key, value] pairs");
      return out;
    }
    let pairs = v.items!;
    for (let i = 0; i < pairs.length; i++) {
      let pair = pairs[i];
      if (pair.items == null || pair.keys != null || pair.items!.length != 2 ||
          pair.items![0].b != null || pair.items![1].b == null) {
        fail("kv_scan", "the host's answer is not an array of [key, value] pairs");
        return new Array<KV>();
      }
      out.push(new KV(pair.items![0].s, pair.items![1].b!));
    }
    return out;
  }
}

/** The plugin's store: kv.get, kv.put, kv.delete, kv.scan. */
export const kv = new Store();

/** The plugin's configuration (grant "config"): plugin.<name>.config.<key>. */
export namespace config {
  /** The configured value for key, or null when it is not set. */
  export function get(key: string): Value | null {
    let k = utf8(key);
    let b = resultOf("config_get", host_config_get(changetype<usize>(k), <usize>k.byteLength));
    if (b == null) return null;
    let r = new Reader(b.dataStart, <usize>b.length);
    let v = r.value();
    if (v == null || r.remaining != 0) {
      fail("config_get", r.err != null ? r.err! : "trailing bytes after the value");
      return null;
    }
    return v;
  }
}

/** The host's clock (grant "time"); the WASI clock inside rpchost is not the real time. */
export namespace time {
  /** Unix time in nanoseconds. */
  export function now(): i64 {
    return host_time_now();
  }
  /** The current time as a dateTime.iso8601 Value. */
  export function nowValue(): Value {
    return Value.unixNanos(host_time_now());
  }
}
