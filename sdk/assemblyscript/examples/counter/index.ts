// The counter plugin in AssemblyScript: a count per name, kept in the
// plugin's key-value store (grant "kv"). Build it with
// `go run ./examples/build counter` (from the repository root).

import { register, Params, Value, Fault, kv, log } from "../../assembly";
export * from "../../assembly/exports";

register("count", count, "Adds one to the counter of a name and returns it (the first call returns 1).", [["int", "string"]]);
register("get", get, "Returns the counter of a name without changing it (0 when it was never counted).", [["int", "string"]]);
register("reset", reset, "Sets the counter of a name back to 0 and returns true.", [["boolean", "string"]]);
register("list", list, "Returns every counter as a struct, names in order.", [["struct"]]);
register("count_then_fail", countThenFail,
  "Counts like count, then fails (fault 1): the host discards the call's writes, so the counter does not move.",
  [["nil", "string"]]);

// Counters are stored under "count/<name>" as 8 bytes, little-endian.
function key(name: string): string {
  return "count/" + name;
}

function readCount(name: string): i64 {
  let b = kv.get(key(name));
  if (b == null || b.length != 8) return 0;
  return load<i64>(b.dataStart);
}

function writeCount(name: string, n: i64): void {
  let b = new Uint8Array(8);
  store<i64>(b.dataStart, n);
  kv.put(key(name), b);
}

function count(p: Params): Value {
  let name = p.string(0);
  if (!p.want(1)) return p.fault();
  let n = readCount(name) + 1;
  writeCount(name, n);
  return Value.int(n);
}

function get(p: Params): Value {
  let name = p.string(0);
  if (!p.want(1)) return p.fault();
  return Value.int(readCount(name));
}

function reset(p: Params): Value {
  let name = p.string(0);
  if (!p.want(1)) return p.fault();
  kv.delete(key(name));
  log.info("counter reset", Value.struct().set("name", Value.str(name)));
  return Value.bool(true);
}

function list(p: Params): Value {
  if (!p.want(0)) return p.fault();
  let all = Value.struct();
  let pairs = kv.scan("count/");
  for (let i = 0; i < pairs.length; i++) {
    let pair = pairs[i];
    if (pair.value.length == 8) all.set(pair.key.substring(6), Value.int(load<i64>(pair.value.dataStart)));
  }
  return all;
}

function countThenFail(p: Params): Value {
  let name = p.string(0);
  if (!p.want(1)) return p.fault();
  writeCount(name, readCount(name) + 1);
  return new Fault(1, "count_then_fail: failing after the write, which is discarded");
}
