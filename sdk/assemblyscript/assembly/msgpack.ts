// The MessagePack subset of abi/doc.go ("Encoding"): a Writer that appends
// to a growing buffer in linear memory, and a Reader that decodes a region
// the host wrote, refusing anything outside the subset rather than
// trapping, and never reading past its end.

import { Kind, Value } from "./value";
import { validUTF8 } from "./utf8";

/** How deeply arrays and structs may nest inside one value (abi.MaxDepth). */
export const MaxDepth: i32 = 128;

/** A byte buffer in linear memory that grows as it is appended to. */
export class Writer {
  ptr: usize;
  len: i32 = 0;
  cap: i32;
  /** Why the value could not be written (nested too deep); null when it was. */
  err: string | null = null;

  constructor(capacity: i32 = 256) {
    this.cap = capacity;
    this.ptr = heap.alloc(<usize>capacity);
  }

  /** Makes room for n more bytes and returns where they go. */
  private room(n: i32): usize {
    let need = this.len + n;
    if (need > this.cap) {
      let c = this.cap << 1;
      if (c < need) c = need;
      this.ptr = heap.realloc(this.ptr, <usize>c);
      this.cap = c;
    }
    let at = this.ptr + <usize>this.len;
    this.len = need;
    return at;
  }

  byte(b: u32): void {
    store<u8>(this.room(1), <u8>b);
  }
  be16(b: u32, x: u32): void {
    let at = this.room(3);
    store<u8>(at, <u8>b);
    store<u16>(at + 1, bswap<u16>(<u16>x));
  }
  be32(b: u32, x: u32): void {
    let at = this.room(5);
    store<u8>(at, <u8>b);
    store<u32>(at + 1, bswap<u32>(x));
  }
  be64(b: u32, x: u64): void {
    let at = this.room(9);
    store<u8>(at, <u8>b);
    store<u64>(at + 1, bswap<u64>(x));
  }
  raw(src: usize, n: i32): void {
    memory.copy(this.room(n), src, <usize>n);
  }

  /** An integer in its shortest form. */
  int(n: i64): void {
    if (n >= 0) {
      if (n < 128) this.byte(<u32>n);
      else if (n < 256) { this.byte(0xcc); this.byte(<u32>n); }
      else if (n < 65536) this.be16(0xcd, <u32>n);
      else if (n <= 0xffffffff) this.be32(0xce, <u32>n);
      else this.be64(0xcf, <u64>n);
    } else {
      if (n >= -32) this.byte(<u32>n & 0xff);
      else if (n >= -128) { this.byte(0xd0); this.byte(<u32>n & 0xff); }
      else if (n >= -32768) this.be16(0xd1, <u32>n & 0xffff);
      else if (n >= -2147483648) this.be32(0xd2, <u32>n);
      else this.be64(0xd3, <u64>n);
    }
  }

  /** A str header for n bytes. */
  strHeader(n: i32): void {
    if (n < 32) this.byte(0xa0 | <u32>n);
    else if (n < 256) { this.byte(0xd9); this.byte(<u32>n); }
    else if (n < 65536) this.be16(0xda, <u32>n);
    else this.be32(0xdb, <u32>n);
  }

  /** A string as a MessagePack str, in UTF-8 (a lone surrogate becomes U+FFFD). */
  str(s: string): void {
    let n = String.UTF8.byteLength(s);
    this.strHeader(n);
    let at = this.room(n);
    String.UTF8.encodeUnsafe(changetype<usize>(s), s.length, at, false, String.UTF8.ErrorMode.REPLACE);
  }

  bin(src: usize, n: i32): void {
    if (n < 256) { this.byte(0xc4); this.byte(<u32>n); }
    else if (n < 65536) this.be16(0xc5, <u32>n);
    else this.be32(0xc6, <u32>n);
    this.raw(src, n);
  }

  arrayHeader(n: i32): void {
    if (n < 16) this.byte(0x90 | <u32>n);
    else if (n < 65536) this.be16(0xdc, <u32>n);
    else this.be32(0xdd, <u32>n);
  }

  mapHeader(n: i32): void {
    if (n < 16) this.byte(0x80 | <u32>n);
    else if (n < 65536) this.be16(0xde, <u32>n);
    else this.be32(0xdf, <u32>n);
  }

  /** A timestamp (ext -1) in the shortest form that holds it exactly. */
  timestamp(seconds: i64, nanos: u32): void {
    if (seconds >= 0 && seconds < (<i64>1 << 34)) {
      if (nanos == 0 && seconds <= 0xffffffff) {
        let at = this.room(6);
        store<u16>(at, 0xffd6); // 0xd6, then type -1
        store<u32>(at + 2, bswap<u32>(<u32>seconds));
        return;
      }
      let at = this.room(10);
      store<u16>(at, 0xffd7);
      store<u64>(at + 2, bswap<u64>((<u64>nanos << 34) | <u64>seconds));
      return;
    }
    let at = this.room(15);
    store<u8>(at, 0xc7);
    store<u8>(at + 1, 12);
    store<u8>(at + 2, 0xff);
    store<u32>(at + 3, bswap<u32>(nanos));
    store<u64>(at + 7, bswap<u64>(<u64>seconds));
  }

  /**
   * Appends v; a value nested deeper than MaxDepth (or one that contains
   * itself) sets err and writes nothing more.
   */
  value(v: Value, depth: i32 = 0): void {
    if (this.err != null) return;
    switch (v.kind) {
      case Kind.Nil: this.byte(0xc0); break;
      case Kind.Int: this.int(v.i); break;
      case Kind.Bool: this.byte(v.i != 0 ? 0xc3 : 0xc2); break;
      case Kind.String: this.str(v.s); break;
      case Kind.Double: this.be64(0xcb, reinterpret<u64>(v.f)); break;
      case Kind.DateTime: this.timestamp(v.i, v.nanos); break;
      case Kind.Base64: {
        let b = v.b;
        if (b == null) this.bin(0, 0);
        else this.bin(b.dataStart, b.length);
        break;
      }
      case Kind.Array: {
        if (depth >= MaxDepth) {
          this.err = "arrays and structs nest deeper than 128";
          return;
        }
        // new Value(Kind.Array) has no items yet: an empty array.
        let items = v.items;
        if (items == null) {
          this.arrayHeader(0);
          break;
        }
        this.arrayHeader(items.length);
        for (let i = 0; i < items.length; i++) this.value(unchecked(items[i]), depth + 1);
        break;
      }
      case Kind.Struct: {
        if (depth >= MaxDepth) {
          this.err = "arrays and structs nest deeper than 128";
          return;
        }
        let keys = v.keys;
        let items = v.items;
        if (keys == null || items == null || keys.length != items.length) {
          if (keys == null && items == null) {
            this.mapHeader(0); // new Value(Kind.Struct): an empty struct
            return;
          }
          this.err = "a struct whose keys and items differ in number";
          return;
        }
        this.mapHeader(keys.length);
        for (let i = 0; i < keys.length; i++) {
          this.str(unchecked(keys[i]));
          this.value(unchecked(items[i]), depth + 1);
        }
        break;
      }
    }
  }
}

/** Decodes MessagePack from a region of linear memory. */
export class Reader {
  p: usize;
  end: usize;
  /** Why decoding stopped; null while all is well. */
  err: string | null = null;

  constructor(ptr: usize, len: usize) {
    this.p = ptr;
    this.end = ptr + len;
  }

  get remaining(): usize {
    return this.end - this.p;
  }

  fail(why: string): void {
    if (this.err == null) this.err = why;
  }

  /** Takes n bytes, returning where they start, or 0 (and err set) when there are fewer. */
  take(n: usize): usize {
    if (this.err != null) return 0;
    if (n > this.end - this.p) {
      this.fail("truncated MessagePack");
      return 0;
    }
    let at = this.p;
    this.p += n;
    return at;
  }

  u8(): u32 {
    let at = this.take(1);
    return at ? <u32>load<u8>(at) : 0;
  }
  u16(): u32 {
    let at = this.take(2);
    return at ? <u32>bswap<u16>(load<u16>(at)) : 0;
  }
  u32(): u32 {
    let at = this.take(4);
    return at ? bswap<u32>(load<u32>(at)) : 0;
  }
  u64(): u64 {
    let at = this.take(8);
    return at ? bswap<u64>(load<u64>(at)) : 0;
  }

  /** Reads an array header, returning its length, or -1 when the next thing is not an array. */
  arrayHeader(): i64 {
    let b = this.u8();
    if (this.err != null) return -1;
    if (b >= 0x90 && b <= 0x9f) return <i64>(b & 0x0f);
    if (b == 0xdc) return <i64>this.u16();
    if (b == 0xdd) return <i64>this.u32();
    this.fail("expected an array");
    return -1;
  }

  /** Reads a str header, returning its length in bytes, or -1 when the next thing is not a str. */
  strHeader(): i64 {
    let b = this.u8();
    if (this.err != null) return -1;
    if (b >= 0xa0 && b <= 0xbf) return <i64>(b & 0x1f);
    if (b == 0xd9) return <i64>this.u8();
    if (b == 0xda) return <i64>this.u16();
    if (b == 0xdb) return <i64>this.u32();
    this.fail("expected a str");
    return -1;
  }

  /** Reads a str (valid UTF-8), or null with err set. */
  str(): string | null {
    let n = this.strHeader();
    if (n < 0) return null;
    let at = this.take(<usize>n);
    if (this.err != null) return null;
    if (!validUTF8(at, <usize>n)) {
      this.fail("a str is not valid UTF-8");
      return null;
    }
    return String.UTF8.decodeUnsafe(at, <usize>n);
  }

  /** Reads an integer of any form into the int64 range, or sets err. */
  int(): i64 {
    let b = this.u8();
    if (this.err != null) return 0;
    if (b < 0x80) return <i64>b;
    if (b >= 0xe0) return <i64><i8>b;
    switch (b) {
      case 0xcc: return <i64>this.u8();
      case 0xcd: return <i64>this.u16();
      case 0xce: return <i64>this.u32();
      case 0xcf: {
        let u = this.u64();
        if (u > <u64>i64.MAX_VALUE) this.fail("an unsigned integer above 2^63-1");
        return <i64>u;
      }
      case 0xd0: return <i64><i8>this.u8();
      case 0xd1: return <i64><i16>this.u16();
      case 0xd2: return <i64><i32>this.u32();
      case 0xd3: return <i64>this.u64();
    }
    this.fail("expected an integer");
    return 0;
  }

  /** Skips a value of any type the subset allows (for members a reader ignores). */
  skip(): void {
    this.value(0);
  }

  private array(n: i64, depth: i32): Value | null {
    if (depth >= MaxDepth) {
      this.fail("arrays and maps nest deeper than 128");
      return null;
    }
    // Every member takes at least one byte: a count beyond what is left is
    // a lie, refused before anything is allocated for it.
    if (<u64>n > <u64>this.remaining) {
      this.fail("truncated MessagePack");
      return null;
    }
    let items = new Array<Value>(<i32>n);
    for (let i: i32 = 0; i < <i32>n; i++) {
      let v = this.value(depth + 1);
      if (v == null) return null;
      unchecked((items[i] = v));
    }
    return Value.array(items);
  }

  private map(n: i64, depth: i32): Value | null {
    if (depth >= MaxDepth) {
      this.fail("arrays and maps nest deeper than 128");
      return null;
    }
    if (<u64>n * 2 > <u64>this.remaining) {
      this.fail("truncated MessagePack");
      return null;
    }
    let count = <i32>n;
    let keys = new Array<string>(count);
    let items = new Array<Value>(count);
    // Duplicates: a set once the struct is large enough for the quadratic
    // scan to cost more than the set.
    let seen: Set<string> | null = count > 16 ? new Set<string>() : null;
    for (let i: i32 = 0; i < count; i++) {
      let k = this.str();
      if (k == null) {
        if (this.err == "expected a str") {
          this.err = "a map key is not a string";
        }
        return null;
      }
      if (seen != null) {
        if (seen.has(k)) {
          this.fail("a duplicate map key");
          return null;
        }
        seen.add(k);
      } else {
        for (let j: i32 = 0; j < i; j++) {
          if (unchecked(keys[j]) == k) {
            this.fail("a duplicate map key");
            return null;
          }
        }
      }
      let v = this.value(depth + 1);
      if (v == null) return null;
      unchecked((keys[i] = k));
      unchecked((items[i] = v));
    }
    let s = new Value(Kind.Struct);
    s.keys = keys;
    s.items = items;
    return s;
  }

  private bin(n: usize): Value | null {
    let at = this.take(n);
    if (this.err != null) return null;
    let b = new Uint8Array(<i32>n);
    memory.copy(b.dataStart, at, n);
    return Value.bytes(b);
  }

  private timestamp(size: u32): Value | null {
    let type = this.u8();
    if (this.err != null) return null;
    if (type != 0xff) {
      this.fail("an extension type other than timestamp (-1)");
      return null;
    }
    let seconds: i64 = 0;
    let nanos: u32 = 0;
    if (size == 4) {
      seconds = <i64>this.u32();
    } else if (size == 8) {
      let x = this.u64();
      nanos = <u32>(x >> 34);
      seconds = <i64>(x & ((<u64>1 << 34) - 1));
    } else if (size == 12) {
      nanos = this.u32();
      seconds = <i64>this.u64();
    } else {
      this.fail("a timestamp of " + size.toString() + " bytes");
      return null;
    }
    if (this.err != null) return null;
    if (nanos >= 1_000_000_000) {
      this.fail("a timestamp with 10^9 nanoseconds or more");
      return null;
    }
    return Value.dateTime(seconds, nanos);
  }

  /** Reads one value, or returns null with err set. */
  value(depth: i32 = 0): Value | null {
    let b = this.u8();
    if (this.err != null) return null;
    if (b < 0x80 || b >= 0xe0) return Value.int(b < 0x80 ? <i64>b : <i64><i8>b);
    if (b >= 0xa0 && b <= 0xbf) {
      this.p--;
      let s = this.str();
      return s == null ? null : Value.str(s);
    }
    if (b >= 0x90 && b <= 0x9f) return this.array(<i64>(b & 0x0f), depth);
    if (b >= 0x80 && b <= 0x8f) return this.map(<i64>(b & 0x0f), depth);
    switch (b) {
      case 0xc0: return Value.nil();
      case 0xc2: return Value.bool(false);
      case 0xc3: return Value.bool(true);
      case 0xcc: case 0xcd: case 0xce: case 0xcf:
      case 0xd0: case 0xd1: case 0xd2: case 0xd3: {
        this.p--;
        let n = this.int();
        return this.err != null ? null : Value.int(n);
      }
      case 0xca: {
        let x = this.u32();
        return this.err != null ? null : Value.double(<f64>reinterpret<f32>(x));
      }
      case 0xcb: {
        let x = this.u64();
        return this.err != null ? null : Value.double(reinterpret<f64>(x));
      }
      case 0xd9: case 0xda: case 0xdb: {
        this.p--;
        let s = this.str();
        return s == null ? null : Value.str(s);
      }
      case 0xc4: {
        let n = this.u8();
        return this.err != null ? null : this.bin(<usize>n);
      }
      case 0xc5: {
        let n = this.u16();
        return this.err != null ? null : this.bin(<usize>n);
      }
      case 0xc6: {
        let n = this.u32();
        return this.err != null ? null : this.bin(<usize>n);
      }
      case 0xdc: {
        let n = this.u16();
        return this.err != null ? null : this.array(<i64>n, depth);
      }
      case 0xdd: {
        let n = this.u32();
        return this.err != null ? null : this.array(<i64>n, depth);
      }
      case 0xde: {
        let n = this.u16();
        return this.err != null ? null : this.map(<i64>n, depth);
      }
      case 0xdf: {
        let n = this.u32();
        return this.err != null ? null : this.map(<i64>n, depth);
      }
      case 0xd6: return this.timestamp(4);
      case 0xd7: return this.timestamp(8);
      case 0xc7: {
        let n = this.u8();
        return this.err != null ? null : this.timestamp(n);
      }
    }
    this.fail("a MessagePack type outside rpchost's subset (0x" + b.toString(16) + ")");
    return null;
  }
}
