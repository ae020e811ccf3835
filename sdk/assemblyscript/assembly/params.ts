// Typed access to a call's params. AssemblyScript has no exceptions, so a
// param of the wrong type (or a missing one) does not stop the handler:
// the getter records why and returns a zero value, and the call answers
// invalid params (-32602) with that message whatever the handler returns.
// A handler that has side effects checks p.ok first.

import { Fault, Kind, Value } from "./value";

/** The params of a call, in order. */
export class Params {
  /** The params as they came. */
  values: Value[];
  /** The method being called, for messages. */
  method: string;
  /** Why the params do not fit, or null while they do. */
  err: string | null = null;

  constructor(method: string, values: Value[]) {
    this.method = method;
    this.values = values;
  }

  get length(): i32 {
    return this.values.length;
  }

  /** True while every param asked for had the type asked for. */
  get ok(): bool {
    return this.err == null;
  }

  /** The invalid-params fault for what went wrong (only when !ok). */
  fault(): Fault {
    let e = this.err;
    return Fault.invalidParams(e != null ? e : this.method + ": invalid params");
  }

  /** Records why the params do not fit, keeping the first reason. */
  invalid(why: string): void {
    if (this.err == null) this.err = this.method + ": " + why;
  }

  /** Checks that there are exactly n params. */
  want(n: i32): bool {
    if (this.values.length != n) {
      this.invalid("want " + n.toString() + " param" + (n == 1 ? "" : "s") + ", got " + this.values.length.toString());
      return false;
    }
    return true;
  }

  /** Param i of any type (nil, recorded as invalid, when there is none). */
  value(i: i32): Value {
    if (i < 0 || i >= this.values.length) {
      this.invalid("missing param " + (i + 1).toString());
      return Value.nil();
    }
    return unchecked(this.values[i]);
  }

  private typed(i: i32, kind: Kind, name: string): Value | null {
    let v = this.value(i);
    if (this.err != null) return null;
    if (v.kind != kind) {
      this.invalid("param " + (i + 1).toString() + " is " + article(v.typeName()) + ", want " + article(name));
      return null;
    }
    return v;
  }

  int(i: i32): i64 {
    let v = this.typed(i, Kind.Int, "int");
    return v == null ? 0 : v.i;
  }
  bool(i: i32): bool {
    let v = this.typed(i, Kind.Bool, "boolean");
    return v == null ? false : v.i != 0;
  }
  string(i: i32): string {
    let v = this.typed(i, Kind.String, "string");
    return v == null ? "" : v.s;
  }
  /** A <double>, or an <int> converted (clients such as node's send whole numbers as ints), as the Go SDK's Float. */
  double(i: i32): f64 {
    let v = this.value(i);
    if (this.err == null && v.kind == Kind.Int) return <f64>v.i;
    let d = this.typed(i, Kind.Double, "double");
    return d == null ? 0 : d.f;
  }
  bytes(i: i32): Uint8Array {
    let v = this.typed(i, Kind.Base64, "base64");
    return v == null ? new Uint8Array(0) : v.b!;
  }
  /** A dateTime.iso8601 param (its i is Unix seconds, nanos the fraction). */
  dateTime(i: i32): Value {
    let v = this.typed(i, Kind.DateTime, "dateTime.iso8601");
    return v == null ? Value.dateTime(0) : v;
  }
  array(i: i32): Value[] {
    let v = this.typed(i, Kind.Array, "array");
    return v == null ? new Array<Value>() : v.items!;
  }
  /** A struct param: read its members with get(name), or keys and items. */
  struct(i: i32): Value {
    let v = this.typed(i, Kind.Struct, "struct");
    return v == null ? Value.struct() : v;
  }
}

function article(name: string): string {
  return (name == "int" || name == "array") ? "an " + name : "a " + name;
}
