// The conformance plugin in AssemblyScript: the methods conformance/README.md
// lists, with exactly its help texts and signatures. Built to
// conformance/assemblyscript.wasm by `go run ./examples/build`.

import { register, Params, Value, Kind, Fault, kv, log, config, time } from "../../../sdk/assemblyscript/assembly";
export * from "../../../sdk/assemblyscript/assembly/exports";

register("echo", echo, "Returns its param.");
register("echo_all", echoAll, "Returns its params as an array.");
register("add", add, "Adds two values like Python's +.", [
  ["int", "int", "int"],
  ["double", "double", "double"],
  ["string", "string", "string"],
  ["array", "array", "array"],
]);
register("type_of", typeOf, "Names the type of its param.");
register("made", made, "Returns one value of every type, made by the guest.", [["struct"]]);
register("fault", fault, "Returns the fault it is asked for.", [["nil", "int", "string"]]);
register("trap", trap, "Traps.", [["nil"]]);
register("kv_put", kvPut, "Stores a value under a key.", [["boolean", "string", "base64"]]);
register("kv_get", kvGet, "Reads the value stored under a key.", [["base64", "string"]]);
register("kv_delete", kvDelete, "Deletes a key.", [["boolean", "string"]]);
register("kv_put_then_fault", kvPutThenFault, "Stores a value, then fails.", [["nil", "string", "base64"]]);
register("kv_count", kvCount, "Counts calls under a name.", [["int", "string"]]);
register("config", configGet, "Reads the plugin's configuration.");
register("now", now, "Returns the host's clock.", [["dateTime.iso8601"]]);
register("log", logMessage, "Logs a message.", [["boolean", "string"]]);

function echo(p: Params): Value {
  if (!p.want(1)) return p.fault();
  return p.value(0);
}

function echoAll(p: Params): Value {
  return Value.array(p.values);
}

function add(p: Params): Value {
  if (!p.want(2)) return p.fault();
  let a = p.value(0);
  let b = p.value(1);
  if (a.kind == Kind.Int && b.kind == Kind.Int) {
    let sum = a.i + b.i;
    if ((sum > a.i) != (b.i > 0)) {
      return Fault.invalidParams("add: " + a.i.toString() + " + " + b.i.toString() + " overflows a 64-bit integer");
    }
    return Value.int(sum);
  }
  if (a.kind == Kind.Int && b.kind == Kind.Double) return finite(<f64>a.i + b.f);
  if (a.kind == Kind.Double && b.kind == Kind.Int) return finite(a.f + <f64>b.i);
  if (a.kind == Kind.Double && b.kind == Kind.Double) return finite(a.f + b.f);
  if (a.kind == Kind.String && b.kind == Kind.String) return Value.str(a.s + b.s);
  if (a.kind == Kind.Base64 && b.kind == Kind.Base64) {
    let x = a.b!;
    let y = b.b!;
    let sum = new Uint8Array(x.length + y.length);
    sum.set(x);
    sum.set(y, x.length);
    return Value.bytes(sum);
  }
  if (a.kind == Kind.Array && b.kind == Kind.Array) return Value.array(a.items!.concat(b.items!));
  return Fault.invalidParams("add: cannot add " + a.typeName() + " and " + b.typeName());
}

function finite(f: f64): Value {
  if (!isFinite(f)) return Fault.invalidParams("add: the sum overflows a double");
  return Value.double(f);
}

function typeOf(p: Params): Value {
  if (!p.want(1)) return p.fault();
  return Value.str(p.value(0).typeName());
}

function made(p: Params): Value {
  if (!p.want(0)) return p.fault();
  let b = new Uint8Array(4);
  b[0] = 0x00;
  b[1] = 0x01;
  b[2] = 0x02;
  b[3] = 0xff;
  return Value.struct()
    .set("int", Value.int(42))
    .set("i8", Value.int(1099511627776))
    .set("negative", Value.int(-7))
    .set("boolean", Value.bool(true))
    .set("double", Value.double(1.5))
    .set("string", Value.str("héllo, 世界"))
    .set("empty", Value.str(""))
    .set("datetime", Value.dateTime(981173106, 789_000_000)) // 2001-02-03T04:05:06.789Z
    .set("base64", Value.bytes(b))
    .set("array", Value.array([Value.int(1), Value.str("two"), Value.double(3.0)]))
    .set("struct", Value.struct().set("a", Value.int(1)).set("b", Value.array([Value.bool(true)])))
    .set("nil", Value.nil());
}

function fault(p: Params): Value {
  let code = p.int(0);
  let message = p.string(1);
  if (!p.want(2)) return p.fault();
  if (code < <i64>i32.MIN_VALUE || code > <i64>i32.MAX_VALUE) {
    return Fault.invalidParams("fault: the code " + code.toString() + " is outside the 32-bit range");
  }
  return new Fault(<i32>code, message);
}

function trap(p: Params): Value {
  if (!p.want(0)) return p.fault();
  unreachable();
  return Value.nil();
}

function kvPut(p: Params): Value {
  let key = p.string(0);
  let value = p.bytes(1);
  if (!p.want(2)) return p.fault();
  kv.put(key, value);
  return Value.bool(true);
}

function kvGet(p: Params): Value {
  let key = p.string(0);
  if (!p.want(1)) return p.fault();
  let v = kv.get(key);
  return v == null ? Value.nil() : Value.bytes(v);
}

function kvDelete(p: Params): Value {
  let key = p.string(0);
  if (!p.want(1)) return p.fault();
  kv.delete(key);
  return Value.bool(true);
}

function kvPutThenFault(p: Params): Value {
  let key = p.string(0);
  let value = p.bytes(1);
  if (!p.want(2)) return p.fault();
  kv.put(key, value);
  return new Fault(1, "discarded");
}

// kv_count keeps its counter as decimal text, readable with kv_get.
function kvCount(p: Params): Value {
  let name = p.string(0);
  if (!p.want(1)) return p.fault();
  let stored = kv.getString(name);
  let n: i64 = stored == null ? 1 : I64.parseInt(stored) + 1;
  kv.putString(name, n.toString());
  return Value.int(n);
}

function configGet(p: Params): Value {
  let key = p.string(0);
  if (!p.want(1)) return p.fault();
  let v = config.get(key);
  return v == null ? Value.nil() : v;
}

function now(p: Params): Value {
  if (!p.want(0)) return p.fault();
  return time.nowValue();
}

function logMessage(p: Params): Value {
  let message = p.string(0);
  if (!p.want(1)) return p.fault();
  log.info(message);
  return Value.bool(true);
}
