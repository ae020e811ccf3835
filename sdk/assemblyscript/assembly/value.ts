// The XML-RPC value model (abi/doc.go, "Encoding"): one tagged class, so
// that a handler can switch on kind and a result is built with the static
// constructors (Value.int(7), Value.str("hi"), Value.struct().set(...)).

/** The XML-RPC type of a Value. */
export enum Kind {
  Nil = 0,
  Int = 1,
  Bool = 2,
  String = 3,
  Double = 4,
  DateTime = 5,
  Base64 = 6,
  Array = 7,
  Struct = 8,
}

/**
 * An XML-RPC value: <int>/<i8> (i64), <boolean>, <string>, <double>,
 * <dateTime.iso8601> (Unix seconds and nanoseconds, UTC), <base64>,
 * <array>, <struct> (members in order) or <nil/>.
 */
export class Value {
  /** Which XML-RPC type this is; the fields below that it uses follow. */
  kind: Kind;
  /** Int: the integer; Bool: 0 or 1; DateTime: Unix seconds. */
  i: i64 = 0;
  /** Double: the number. */
  f: f64 = 0;
  /** DateTime: nanoseconds within the second, 0 to 999,999,999. */
  nanos: u32 = 0;
  /** String: the text. */
  s: string = "";
  /** Base64: the bytes. */
  b: Uint8Array | null = null;
  /** Array: the members; Struct: the members' values, in order. */
  items: Value[] | null = null;
  /** Struct: the members' names, in order (items holds their values). */
  keys: string[] | null = null;

  constructor(kind: Kind) {
    this.kind = kind;
  }

  static nil(): Value {
    return new Value(Kind.Nil);
  }
  static int(n: i64): Value {
    let v = new Value(Kind.Int);
    v.i = n;
    return v;
  }
  static bool(b: bool): Value {
    let v = new Value(Kind.Bool);
    v.i = b ? 1 : 0;
    return v;
  }
  static str(s: string): Value {
    let v = new Value(Kind.String);
    v.s = s;
    return v;
  }
  static double(f: f64): Value {
    let v = new Value(Kind.Double);
    v.f = f;
    return v;
  }
  /** A dateTime.iso8601 of Unix seconds and nanoseconds (0 ≤ nanos < 10^9), UTC. */
  static dateTime(seconds: i64, nanos: u32 = 0): Value {
    let v = new Value(Kind.DateTime);
    v.i = seconds + <i64>(nanos / 1_000_000_000);
    v.nanos = nanos % 1_000_000_000;
    return v;
  }
  /** A dateTime.iso8601 of Unix time in nanoseconds (what time.now() returns). */
  static unixNanos(ns: i64): Value {
    let s = ns / 1_000_000_000;
    let n = ns % 1_000_000_000;
    if (n < 0) {
      s -= 1;
      n += 1_000_000_000;
    }
    return Value.dateTime(s, <u32>n);
  }
  static bytes(b: Uint8Array): Value {
    let v = new Value(Kind.Base64);
    v.b = b;
    return v;
  }
  static array(items: Value[] = []): Value {
    let v = new Value(Kind.Array);
    v.items = items;
    return v;
  }
  /** An empty struct; add members with set. */
  static struct(): Value {
    let v = new Value(Kind.Struct);
    v.items = [];
    v.keys = [];
    return v;
  }

  /** Sets a struct member (replacing one of the same name, in place) and returns the struct. */
  set(key: string, value: Value): Value {
    assert(this.kind == Kind.Struct, "Value.set on a value that is not a struct");
    if (this.keys == null || this.items == null) {
      this.keys = [];
      this.items = [];
    }
    let keys = this.keys!;
    for (let i = 0; i < keys.length; i++) {
      if (keys[i] == key) {
        this.items![i] = value;
        return this;
      }
    }
    keys.push(key);
    this.items!.push(value);
    return this;
  }

  /** A struct member by name, or null when there is none (or this is not a struct). */
  get(key: string): Value | null {
    if (this.kind != Kind.Struct || this.keys == null) return null;
    let keys = this.keys!;
    for (let i = 0; i < keys.length; i++) {
      if (keys[i] == key) return this.items![i];
    }
    return null;
  }

  /** Appends to an array and returns it. */
  push(value: Value): Value {
    assert(this.kind == Kind.Array, "Value.push on a value that is not an array");
    if (this.items == null) this.items = [];
    this.items!.push(value);
    return this;
  }

  /** The number of members of an array or struct, bytes of a base64, 0 otherwise. */
  get length(): i32 {
    if (this.kind == Kind.Array || this.kind == Kind.Struct) return this.items == null ? 0 : this.items!.length;
    if (this.kind == Kind.Base64) return this.b == null ? 0 : this.b!.length;
    return 0;
  }

  get isNil(): bool {
    return this.kind == Kind.Nil;
  }

  /** The XML-RPC type name: int, boolean, string, double, dateTime.iso8601, base64, array, struct or nil. */
  typeName(): string {
    switch (this.kind) {
      case Kind.Int: return "int";
      case Kind.Bool: return "boolean";
      case Kind.String: return "string";
      case Kind.Double: return "double";
      case Kind.DateTime: return "dateTime.iso8601";
      case Kind.Base64: return "base64";
      case Kind.Array: return "array";
      case Kind.Struct: return "struct";
    }
    return "nil";
  }
}

/**
 * A fault: return one from a handler (return new Fault(code, message)) and
 * the client gets an XML-RPC fault with exactly that code and message. It
 * is a Value only so that a handler has one return type.
 */
export class Fault extends Value {
  code: i32;
  message: string;

  constructor(code: i32, message: string) {
    super(Kind.Nil);
    this.code = code;
    this.message = message;
  }

  /** -32602: the params are not what the method takes. */
  static invalidParams(message: string): Fault {
    return new Fault(CodeInvalidParams, message);
  }
  /** -32500: the procedure itself failed. */
  static application(message: string): Fault {
    return new Fault(CodeApplicationError, message);
  }
}

// Fault codes of the XML-RPC fault-code interoperability convention (abi.Code*).
export const CodeParseError: i32 = -32700;
export const CodeMethodNotFound: i32 = -32601;
export const CodeInvalidParams: i32 = -32602;
export const CodeInternalError: i32 = -32603;
export const CodeApplicationError: i32 = -32500;
