//! The Rust guest SDK for rpchost: write XML-RPC procedures in Rust,
//! compiled to a WebAssembly module rpchost serves (ABI version 1,
//! abi/doc.go). It uses only Rust's standard library, so it builds with a
//! bare `rustc` and Debian's wasm32-wasi standard library (Rust 1.63 on).
//!
//! The SDK is a module of your crate, not a crate of its own: put
//!
//! ```ignore
//! #[path = "path/to/sdk/rust/src/lib.rs"]
//! mod rpchost;
//! ```
//!
//! at your crate's root, and define there a function
//! `fn plugin() -> rpchost::Plugin` that lists your methods. The SDK calls
//! it once per instance and exports the ABI's functions for you:
//!
//! ```ignore
//! use rpchost::{Fault, Params, Plugin, Value};
//!
//! fn plugin() -> Plugin {
//!     Plugin::new().method("hello", hello).help("Greets someone.").signature(&["string", "string"])
//! }
//!
//! fn hello(p: &Params) -> Result<Value, Fault> {
//!     p.want(1)?;
//!     Ok(format!("hello, {}", p.str(0)?).into())
//! }
//! ```
//!
//! Build it as a cdylib for wasm32-wasi:
//! `rustc --edition 2021 --crate-type cdylib --target wasm32-wasi -C opt-level=s -C panic=abort -C strip=debuginfo main.rs -o hello.wasm`.
//!
//! A panic is a trap: the host answers the client with a fault, discards
//! the call's writes and the instance, and serves the next call from a
//! fresh one. Return a [`Fault`] for errors the client should read.

#![allow(dead_code)] // a plugin uses only part of the SDK

mod host;
pub mod msgpack;
mod params;
mod value;

pub use host::{config, kv, log, time};
pub use params::Params;
pub use value::{DateTime, Fault, Value};

use std::cell::RefCell;
use std::rc::Rc;

/// The ABI version this SDK speaks.
pub const ABI_VERSION: i32 = 1;

/// What a method runs: the call's params in, a value or a fault out.
pub type Handler = Box<dyn Fn(&Params) -> Result<Value, Fault>>;

struct Method {
    name: String,
    help: String,
    signatures: Vec<Vec<String>>,
    handler: Handler,
}

/// A plugin's methods, listed by the crate's `plugin()` function. Each
/// [`method`](Plugin::method) may be followed by its
/// [`help`](Plugin::help) and any number of
/// [`signature`](Plugin::signature)s, which apply to the method before
/// them. The host checks the names and type names when it loads the module
/// and refuses it, saying why, when one is wrong or a name is repeated.
#[derive(Default)]
pub struct Plugin {
    methods: Vec<Method>,
}

impl Plugin {
    pub fn new() -> Plugin {
        Plugin { methods: Vec::new() }
    }

    /// Adds a method. name is served as "<plugin>.<name>": A-Z a-z 0-9 _ .
    /// : / and not starting with "_".
    pub fn method<F>(mut self, name: &str, handler: F) -> Plugin
    where
        F: Fn(&Params) -> Result<Value, Fault> + 'static,
    {
        self.methods.push(Method { name: name.to_string(), help: String::new(), signatures: Vec::new(), handler: Box::new(handler) });
        self
    }

    /// Sets the help text of the last method added (system.methodHelp).
    pub fn help(mut self, text: &str) -> Plugin {
        self.last("help").help = text.to_string();
        self
    }

    /// Adds a signature to the last method added: XML-RPC type names,
    /// return type first, as system.methodSignature reports them (int, i8,
    /// boolean, string, double, dateTime.iso8601, base64, struct, array,
    /// nil).
    pub fn signature(mut self, types: &[&str]) -> Plugin {
        let sig = types.iter().map(|t| t.to_string()).collect();
        self.last("signature").signatures.push(sig);
        self
    }

    fn last(&mut self, what: &str) -> &mut Method {
        match self.methods.last_mut() {
            Some(m) => m,
            None => panic!("rpchost: Plugin::{what} before any Plugin::method"),
        }
    }

    /// The Manifest (abi/doc.go): {"abi": 1, "methods": [...]}.
    fn manifest(&self) -> Vec<u8> {
        let mut b = Vec::new();
        msgpack::put_map_len(&mut b, 2);
        msgpack::put_str(&mut b, "abi");
        msgpack::put_int(&mut b, ABI_VERSION as i64);
        msgpack::put_str(&mut b, "methods");
        msgpack::put_array_len(&mut b, self.methods.len());
        for m in &self.methods {
            msgpack::put_map_len(&mut b, 3);
            msgpack::put_str(&mut b, "name");
            msgpack::put_str(&mut b, &m.name);
            msgpack::put_str(&mut b, "help");
            msgpack::put_str(&mut b, &m.help);
            msgpack::put_str(&mut b, "signatures");
            msgpack::put_array_len(&mut b, m.signatures.len());
            for s in &m.signatures {
                msgpack::put_array_len(&mut b, s.len());
                for t in s {
                    msgpack::put_str(&mut b, t);
                }
            }
        }
        b
    }

    /// Runs the Call encoded in input and returns the Result's bytes. It
    /// never fails: whatever goes wrong becomes a fault Result.
    pub fn call(&self, input: &[u8]) -> Vec<u8> {
        let (name, params) = match parse_call(input) {
            Ok(c) => c,
            Err(why) => return fault_result(&Fault::new(Fault::INTERNAL_ERROR, format!("guest cannot read the call: {why}"))),
        };
        let m = match self.methods.iter().find(|m| m.name == name) {
            Some(m) => m,
            None => return fault_result(&Fault::new(Fault::METHOD_NOT_FOUND, format!("method {name:?} not found"))),
        };
        let params = Params::new(name, params);
        let out = match (m.handler)(&params) {
            Err(f) => fault_result(&f),
            Ok(v) => {
                let mut b = vec![0x92, 0x00];
                match msgpack::put_value(&mut b, &v, 0) {
                    Ok(()) => b,
                    Err(why) => fault_result(&Fault::new(Fault::INTERNAL_ERROR, format!("{}: result: {why}", m.name))),
                }
            }
        };
        // The call's writes (kv::put, kv::delete) go to the host in one
        // kv_write, only when the call succeeded; most calls write nothing.
        if !kv::touched() {
            return out;
        }
        let out = if out.starts_with(&[0x92, 0x00]) {
            match kv::flush() {
                Ok(()) => out,
                Err(f) => fault_result(&Fault::new(
                    kv::CODE_STORAGE,
                    format!("the call's writes were refused, and none were kept: {}", f.message),
                )),
            }
        } else {
            out
        };
        kv::reset();
        out
    }
}

/// Reads a Call: [method: str, params: array], each param nesting at
/// most MAX_DEPTH, and nothing after it.
fn parse_call(input: &[u8]) -> Result<(String, Vec<Value>), String> {
    let mut r = msgpack::Reader::new(input);
    if r.array_len()? != 2 {
        return r.fail(0, "a Call is an array of 2");
    }
    let name = r.str()?;
    let n = r.array_len()?;
    let mut params = Vec::with_capacity(n.min(input.len()));
    for _ in 0..n {
        params.push(r.value(0)?);
    }
    if !r.done() {
        return r.fail(input.len(), "bytes after the end of the Call");
    }
    Ok((name, params))
}

fn fault_result(f: &Fault) -> Vec<u8> {
    let mut b = Vec::with_capacity(f.message.len() + 16);
    msgpack::put_array_len(&mut b, 3);
    msgpack::put_int(&mut b, 1);
    msgpack::put_int(&mut b, f.code as i64);
    msgpack::put_str(&mut b, &f.message);
    b
}

/// The instance's state. The host calls one export at a time per
/// instance, and a wasm32-wasi instance has one thread, so a RefCell is
/// enough; each borrow ends before a handler runs.
struct State {
    plugin: Option<Rc<Plugin>>,
    /// The region rpchost_alloc hands out: valid until the next
    /// rpchost_alloc, and reused for every call that fits.
    input: Vec<u8>,
    /// The last region rpchost_describe or rpchost_call returned: valid
    /// until the next export call.
    output: Vec<u8>,
}

thread_local! {
    static STATE: RefCell<State> = RefCell::new(State { plugin: None, input: Vec::new(), output: Vec::new() });
}

/// The buffers' capacity above which they are dropped rather than kept, so
/// that one huge call does not pin its memory for the instance's life.
const KEEP_MAX: usize = 1 << 20;

fn the_plugin() -> Rc<Plugin> {
    if let Some(p) = STATE.with(|s| s.borrow().plugin.clone()) {
        return p;
    }
    // `plugin` is the function your crate defines at its root, listing its
    // methods (see the SDK's documentation at the top of this file).
    let p = Rc::new(crate::plugin());
    STATE.with(|s| s.borrow_mut().plugin = Some(p.clone()));
    p
}

/// Keeps out as the region the host reads, and packs it: pointer << 32 | length.
fn hand_over(out: Vec<u8>) -> u64 {
    STATE.with(|s| {
        let mut s = s.borrow_mut();
        s.output = out;
        (s.output.as_ptr() as usize as u64) << 32 | s.output.len() as u64
    })
}

extern "C" {
    // Defined by the linker: runs the module's static constructors.
    fn __wasm_call_ctors();
}

/// Makes the module a WASI reactor: calling __wasm_call_ctors here also
/// keeps the linker from wrapping every export in a constructor and
/// destructor call, as it does for a command.
#[no_mangle]
pub extern "C" fn _initialize() {
    unsafe { __wasm_call_ctors() }
}

#[no_mangle]
pub extern "C" fn rpchost_abi_version() -> i32 {
    ABI_VERSION
}

#[no_mangle]
pub extern "C" fn rpchost_alloc(size: usize) -> *mut u8 {
    STATE.with(|s| {
        let mut s = s.borrow_mut();
        let cap = s.input.capacity();
        if cap == 0 || cap < size || cap > KEEP_MAX && size <= KEEP_MAX / 4 {
            s.input = Vec::with_capacity(size.max(4 << 10));
        }
        // The host writes up to capacity bytes: make them initialized, so
        // that reading them back as a slice is sound.
        let cap = s.input.capacity();
        s.input.resize(cap, 0);
        s.input.as_mut_ptr()
    })
}

#[no_mangle]
pub extern "C" fn rpchost_describe() -> u64 {
    let m = the_plugin().manifest();
    hand_over(m)
}

#[no_mangle]
pub extern "C" fn rpchost_call(ptr: usize, len: usize) -> u64 {
    let plugin = the_plugin();
    STATE.with(|s| s.borrow_mut().output = Vec::new());
    // Take the input out of the state while the handler runs, and put it
    // back after, so that the region is reused by the next call.
    let input = STATE.with(|s| std::mem::take(&mut s.borrow_mut().input));
    let base = input.as_ptr() as usize;
    let out = if ptr < base || ptr - base > input.len() || len > input.len() - (ptr - base) {
        fault_result(&Fault::new(Fault::INTERNAL_ERROR, "rpchost_call: the call is not in the region rpchost_alloc returned"))
    } else {
        plugin.call(&input[ptr - base..ptr - base + len])
    };
    // The region stays valid until the next rpchost_alloc (the host may
    // write the next call into it without asking again): put it back whole.
    STATE.with(|s| s.borrow_mut().input = input);
    hand_over(out)
}
