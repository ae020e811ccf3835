// The add plugin in AssemblyScript: Python's + for XML-RPC values, as the
// Go one in examples/guests/add. Build it with `go run ./examples/build add`
// (from the repository root).

import { register, Params, Value, Kind, Fault } from "../../assembly";
export * from "../../assembly/exports";

register(
  "add",
  add,
  "Adds two values like Python's +: int+int gives int (an error on overflow), " +
    "a double with an int or a double gives a double, and string+string, base64+base64 " +
    "or array+array concatenate.",
  [
    ["int", "int", "int"],
    ["i8", "i8", "i8"],
    ["double", "double", "double"],
    ["double", "int", "double"],
    ["double", "double", "int"],
    ["string", "string", "string"],
    ["base64", "base64", "base64"],
    ["array", "array", "array"],
  ],
);

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

// finite refuses a sum XML-RPC cannot carry (1e308 + 1e308).
function finite(f: f64): Value {
  if (!isFinite(f)) return Fault.invalidParams("add: the sum overflows a double");
  return Value.double(f);
}
