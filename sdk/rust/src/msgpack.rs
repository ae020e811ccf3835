//! The MessagePack subset of the ABI (abi/doc.go, "Encoding"): a reader
//! that refuses anything outside it without reading past its input, and a
//! writer of the shortest forms.

use super::value::{DateTime, Value};

/// How deeply arrays and structs may nest inside one value (abi.MaxDepth):
/// a container at depth 128 (counting the outermost as 0) is refused.
pub const MAX_DEPTH: usize = 128;

/// A reader over bytes the host wrote. Every error names the offset.
pub struct Reader<'a> {
    b: &'a [u8],
    off: usize,
}

impl<'a> Reader<'a> {
    pub fn new(b: &'a [u8]) -> Reader<'a> {
        Reader { b, off: 0 }
    }

    /// Whether every byte has been read.
    pub fn done(&self) -> bool {
        self.off == self.b.len()
    }

    pub fn fail<T>(&self, at: usize, why: &str) -> Result<T, String> {
        Err(format!("malformed MessagePack at byte {at}: {why}"))
    }

    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], String> {
        if self.b.len() - self.off < n {
            return self.fail(self.off, &format!("input ends inside {what}"));
        }
        let s = &self.b[self.off..self.off + n];
        self.off += n;
        Ok(s)
    }

    fn be(&mut self, n: usize, what: &str) -> Result<u64, String> {
        let s = self.take(n, what)?;
        Ok(s.iter().fold(0u64, |acc, &x| acc << 8 | x as u64))
    }

    fn byte(&mut self, what: &str) -> Result<u8, String> {
        Ok(self.take(1, what)?[0])
    }

    /// The length of an array that starts here.
    pub fn array_len(&mut self) -> Result<usize, String> {
        let at = self.off;
        let c = self.byte("an array")?;
        match c {
            0x90..=0x9f => Ok((c & 0x0f) as usize),
            0xdc => Ok(self.be(2, "an array length")? as usize),
            0xdd => Ok(self.be(4, "an array length")? as usize),
            _ => self.fail(at, "want an array"),
        }
    }

    /// A str.
    pub fn str(&mut self) -> Result<String, String> {
        let at = self.off;
        let c = self.byte("a str")?;
        let n = match c {
            0xa0..=0xbf => (c & 0x1f) as usize,
            0xd9 => self.be(1, "a str length")? as usize,
            0xda => self.be(2, "a str length")? as usize,
            0xdb => self.be(4, "a str length")? as usize,
            _ => return self.fail(at, "want a str"),
        };
        self.str_body(at, n)
    }

    fn str_body(&mut self, at: usize, n: usize) -> Result<String, String> {
        let s = self.take(n, "a str")?;
        match std::str::from_utf8(s) {
            Ok(s) => Ok(s.to_string()),
            Err(_) => self.fail(at, "str is not valid UTF-8"),
        }
    }

    /// Up to `n` elements, never more than the bytes left could hold (each
    /// takes at least one), so a forged length cannot reserve memory.
    fn capacity(&self, n: usize) -> usize {
        n.min(self.b.len() - self.off)
    }

    /// One value; `depth` is the number of containers around it.
    pub fn value(&mut self, depth: usize) -> Result<Value, String> {
        let at = self.off;
        let c = self.byte("a value")?;
        match c {
            0x00..=0x7f => return Ok(Value::Int(c as i64)),
            0xe0..=0xff => return Ok(Value::Int(c as i8 as i64)),
            0x80..=0x8f => return self.map_body(at, (c & 0x0f) as usize, depth),
            0x90..=0x9f => return self.array_body(at, (c & 0x0f) as usize, depth),
            0xa0..=0xbf => return Ok(Value::Str(self.str_body(at, (c & 0x1f) as usize)?)),
            _ => {}
        }
        match c {
            0xc0 => Ok(Value::Nil),
            0xc2 => Ok(Value::Bool(false)),
            0xc3 => Ok(Value::Bool(true)),
            0xcc => Ok(Value::Int(self.be(1, "a uint 8")? as i64)),
            0xcd => Ok(Value::Int(self.be(2, "a uint 16")? as i64)),
            0xce => Ok(Value::Int(self.be(4, "a uint 32")? as i64)),
            0xcf => {
                let n = self.be(8, "a uint 64")?;
                if n > i64::MAX as u64 {
                    return self.fail(at, "unsigned integer above 2^63-1");
                }
                Ok(Value::Int(n as i64))
            }
            0xd0 => Ok(Value::Int(self.be(1, "an int 8")? as u8 as i8 as i64)),
            0xd1 => Ok(Value::Int(self.be(2, "an int 16")? as u16 as i16 as i64)),
            0xd2 => Ok(Value::Int(self.be(4, "an int 32")? as u32 as i32 as i64)),
            0xd3 => Ok(Value::Int(self.be(8, "an int 64")? as i64)),
            0xca => Ok(Value::Double(f32::from_bits(self.be(4, "a float 32")? as u32) as f64)),
            0xcb => Ok(Value::Double(f64::from_bits(self.be(8, "a float 64")?))),
            0xd9 | 0xda | 0xdb => {
                let n = self.be(1 << (c - 0xd9), "a str length")? as usize;
                Ok(Value::Str(self.str_body(at, n)?))
            }
            0xc4 | 0xc5 | 0xc6 => {
                let n = self.be(1 << (c - 0xc4), "a bin length")? as usize;
                Ok(Value::Bytes(self.take(n, "a bin")?.to_vec()))
            }
            0xdc | 0xdd => {
                let n = self.be(2 << (c - 0xdc), "an array length")? as usize;
                self.array_body(at, n, depth)
            }
            0xde | 0xdf => {
                let n = self.be(2 << (c - 0xde), "a map length")? as usize;
                self.map_body(at, n, depth)
            }
            0xd6 => self.timestamp(at, 4),
            0xd7 => self.timestamp(at, 8),
            0xc7 => {
                let n = self.be(1, "an ext length")? as usize;
                self.timestamp(at, n)
            }
            0xd4 | 0xd5 | 0xd8 | 0xc8 | 0xc9 => self.fail(at, "an extension type other than the timestamp"),
            _ => self.fail(at, &format!("byte 0x{c:02x} starts no value")),
        }
    }

    /// The body of a timestamp (ext -1) of n data bytes, after its header.
    fn timestamp(&mut self, at: usize, n: usize) -> Result<Value, String> {
        let typ = self.byte("an ext type")?;
        if typ != 0xff {
            return self.fail(at, "an extension type other than the timestamp");
        }
        let (secs, nanos) = match n {
            4 => (self.be(4, "a timestamp")? as i64, 0u32),
            8 => {
                let x = self.be(8, "a timestamp")?;
                ((x & ((1 << 34) - 1)) as i64, (x >> 34) as u32)
            }
            12 => {
                let nanos = self.be(4, "a timestamp")? as u32;
                (self.be(8, "a timestamp")? as i64, nanos)
            }
            _ => return self.fail(at, "a timestamp of another size than 4, 8 or 12 bytes"),
        };
        if nanos >= 1_000_000_000 {
            return self.fail(at, "a timestamp with 10^9 nanoseconds or more");
        }
        Ok(Value::DateTime(DateTime { secs, nanos }))
    }

    fn enter(&self, at: usize, depth: usize) -> Result<(), String> {
        if depth >= MAX_DEPTH {
            return self.fail(at, &format!("arrays and maps nest deeper than {MAX_DEPTH}"));
        }
        Ok(())
    }

    fn array_body(&mut self, at: usize, n: usize, depth: usize) -> Result<Value, String> {
        self.enter(at, depth)?;
        let mut a = Vec::with_capacity(self.capacity(n));
        for _ in 0..n {
            a.push(self.value(depth + 1)?);
        }
        Ok(Value::Array(a))
    }

    fn map_body(&mut self, at: usize, n: usize, depth: usize) -> Result<Value, String> {
        self.enter(at, depth)?;
        let mut m: Vec<(String, Value)> = Vec::with_capacity(self.capacity(n));
        for _ in 0..n {
            let key_at = self.off;
            let key = match self.b.get(key_at) {
                Some(0xa0..=0xbf) | Some(0xd9..=0xdb) => self.str()?,
                _ => return self.fail(key_at, "a map key that is not a str"),
            };
            let v = self.value(depth + 1)?;
            m.push((key, v));
        }
        if let Some(k) = duplicate(&m) {
            return self.fail(at, &format!("a map with two keys {k:?}"));
        }
        Ok(Value::Struct(m))
    }
}

/// Whether a struct's names are unique; None when they are, else the first
/// repeated name.
pub fn duplicate(members: &[(String, Value)]) -> Option<&str> {
    if members.len() <= 16 {
        for (i, (k, _)) in members.iter().enumerate() {
            if members[..i].iter().any(|(j, _)| j == k) {
                return Some(k);
            }
        }
        return None;
    }
    let mut names: Vec<&str> = members.iter().map(|(k, _)| k.as_str()).collect();
    names.sort_unstable();
    names.windows(2).find(|w| w[0] == w[1]).map(|w| w[0])
}

/// Decodes a whole input holding exactly one value.
pub fn decode(b: &[u8]) -> Result<Value, String> {
    let mut r = Reader::new(b);
    let v = r.value(0)?;
    if !r.done() {
        return r.fail(r.off, "bytes after the end of the value");
    }
    Ok(v)
}

pub fn put_int(out: &mut Vec<u8>, n: i64) {
    if (0..=0x7f).contains(&n) || (-32..0).contains(&n) {
        out.push(n as u8);
    } else if n >= 0 {
        if n <= 0xff {
            out.extend_from_slice(&[0xcc, n as u8]);
        } else if n <= 0xffff {
            out.push(0xcd);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        } else if n <= 0xffff_ffff {
            out.push(0xce);
            out.extend_from_slice(&(n as u32).to_be_bytes());
        } else {
            out.push(0xcf);
            out.extend_from_slice(&(n as u64).to_be_bytes());
        }
    } else if n >= i8::MIN as i64 {
        out.extend_from_slice(&[0xd0, n as u8]);
    } else if n >= i16::MIN as i64 {
        out.push(0xd1);
        out.extend_from_slice(&(n as i16).to_be_bytes());
    } else if n >= i32::MIN as i64 {
        out.push(0xd2);
        out.extend_from_slice(&(n as i32).to_be_bytes());
    } else {
        out.push(0xd3);
        out.extend_from_slice(&n.to_be_bytes());
    }
}

/// A length header: fix form, then 8 (when code8 is not 0), 16 or 32 bits.
/// Lengths cannot exceed 2^32-1 in wasm32, whose memory is 4 GiB.
fn put_len(out: &mut Vec<u8>, n: usize, fix: u8, fix_max: usize, code8: u8, code16: u8, code32: u8) {
    if n < fix_max {
        out.push(fix | n as u8);
    } else if code8 != 0 && n <= 0xff {
        out.extend_from_slice(&[code8, n as u8]);
    } else if n <= 0xffff {
        out.push(code16);
        out.extend_from_slice(&(n as u16).to_be_bytes());
    } else {
        out.push(code32);
        out.extend_from_slice(&(n as u32).to_be_bytes());
    }
}

pub fn put_str(out: &mut Vec<u8>, s: &str) {
    put_len(out, s.len(), 0xa0, 32, 0xd9, 0xda, 0xdb);
    out.extend_from_slice(s.as_bytes());
}

pub fn put_bin(out: &mut Vec<u8>, b: &[u8]) {
    put_len(out, b.len(), 0, 0, 0xc4, 0xc5, 0xc6);
    out.extend_from_slice(b);
}

pub fn put_array_len(out: &mut Vec<u8>, n: usize) {
    put_len(out, n, 0x90, 16, 0, 0xdc, 0xdd);
}

pub fn put_map_len(out: &mut Vec<u8>, n: usize) {
    put_len(out, n, 0x80, 16, 0, 0xde, 0xdf);
}

/// A timestamp in the shortest of its three forms that holds it exactly.
pub fn put_time(out: &mut Vec<u8>, t: DateTime) {
    let secs = t.secs as u64;
    if secs >> 34 == 0 {
        if t.nanos == 0 && secs <= 0xffff_ffff {
            out.extend_from_slice(&[0xd6, 0xff]);
            out.extend_from_slice(&(secs as u32).to_be_bytes());
        } else {
            out.extend_from_slice(&[0xd7, 0xff]);
            out.extend_from_slice(&((t.nanos as u64) << 34 | secs).to_be_bytes());
        }
    } else {
        out.extend_from_slice(&[0xc7, 12, 0xff]);
        out.extend_from_slice(&t.nanos.to_be_bytes());
        out.extend_from_slice(&t.secs.to_be_bytes());
    }
}

/// Appends v. It fails, naming what, for what the ABI cannot carry: a
/// struct with a repeated name, containers nested deeper than MAX_DEPTH, or
/// a timestamp whose nanoseconds are 10^9 or more.
pub fn put_value(out: &mut Vec<u8>, v: &Value, depth: usize) -> Result<(), String> {
    match v {
        Value::Nil => out.push(0xc0),
        Value::Bool(b) => out.push(if *b { 0xc3 } else { 0xc2 }),
        Value::Int(n) => put_int(out, *n),
        Value::Double(f) => {
            out.push(0xcb);
            out.extend_from_slice(&f.to_bits().to_be_bytes());
        }
        Value::Str(s) => put_str(out, s),
        Value::Bytes(b) => put_bin(out, b),
        Value::DateTime(t) => {
            if t.nanos >= 1_000_000_000 {
                return Err(format!("a dateTime with {} nanoseconds (at most 999999999)", t.nanos));
            }
            put_time(out, *t)
        }
        Value::Array(a) => {
            if depth >= MAX_DEPTH {
                return Err(format!("arrays and structs nest deeper than {MAX_DEPTH}"));
            }
            put_array_len(out, a.len());
            for e in a {
                put_value(out, e, depth + 1)?;
            }
        }
        Value::Struct(m) => {
            if depth >= MAX_DEPTH {
                return Err(format!("arrays and structs nest deeper than {MAX_DEPTH}"));
            }
            if let Some(k) = duplicate(m) {
                return Err(format!("a struct has two members named {k:?}"));
            }
            put_map_len(out, m.len());
            for (k, e) in m {
                put_str(out, k);
                put_value(out, e, depth + 1)?;
            }
        }
    }
    Ok(())
}
