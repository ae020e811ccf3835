// Package abi is the contract between rpchost (the host) and a procedure
// module (the guest). It is written down here precisely enough to implement a
// guest in any language that targets wasm32; the Go SDK in package
// [github.com/rpchost/rpchost/abi/guest] is one such implementation.
//
// # Version
//
// This is ABI version 1 ([Version]). A guest declares the version it speaks
// through the export rpchost_abi_version; the host refuses to load a module
// whose version it does not know, with an error naming both versions.
//
// # Two kinds of module
//
// A module that exports rpchost_abi_version is an SDK module and follows the
// protocol below. Any other module is a numeric module: every exported
// function whose parameters and results are all i32, i64, f32 or f64 (and
// whose name is a valid method name not starting with "_") becomes a method,
// XML-RPC integers mapping to i32/i64 (range-checked) and doubles to f32/f64.
// Numeric modules need no SDK at all: a hand-written .wat file or a C function
// compiled with clang is a procedure.
//
// # Imports
//
// A guest may import wasi_snapshot_preview1 (the host provides it with no
// preopened directories, no environment and no network) and the host
// capabilities of module "rpchost" below. A module importing anything else,
// or a capability its plugin is not granted (plugin.<name>.grants), is
// refused at load with a message naming the import.
//
// # What the host adds to a module
//
// So that a call can be stopped at its time limit, the host rewrites every
// module before compiling it: it adds two globals, an export named
// "rpchost:interrupt" (a guest must not export that name), a memory of 0
// pages to a module that has none, and a few instructions at every function
// entry and loop header. Indices of functions, globals, types and locals do
// not change; DWARF and other custom sections that address code by offset
// are dropped. A function may declare at most 50,000 locals.
//
// # Host capabilities (module "rpchost")
//
// Capabilities answer with an i32 r and a result slot: r >= 0 is the
// length of the result: the guest allocates r bytes in its own memory and
// calls result_read(ptr) to have the host copy the result there; r == 0 is
// a result of no bytes (kv_get of a key holding an empty value: found, not
// missing), which needs no result_read; r == -1 means "not found" (no
// result); r <= -2 means failure, and the slot holds a UTF-8 message of
// -2-r bytes saying why, read the same way (so r == -2 is a failure with
// an empty message). "0 or -2" below means 0 on success, r <= -2 on
// failure. A slot is valid until the next capability call. Keys are UTF-8
// strings; the host puts them in the plugin's own namespace, so a plugin
// can neither name nor reach another plugin's keys.
//
//	log(ptr, len: i32)                         grant "log"
//	    ptr/len: MessagePack [level: int, message: str, attrs: map]; level as
//	    log/slog: -4 debug, 0 info, 4 warn, 8 error. Logged with plugin and method;
//	    a message over 64 KiB is dropped, with a warning saying so.
//	kv_get(key_ptr, key_len: i32) -> i32       grant "kv"; result: the value's bytes, or -1
//	kv_put(key_ptr, key_len, val_ptr, val_len: i32) -> i32   grant "kv"; 0 or -2
//	kv_delete(key_ptr, key_len: i32) -> i32    grant "kv"; 0 or -2
//	kv_scan(prefix_ptr, prefix_len, limit: i32) -> i32       grant "kv"
//	    result: MessagePack array of [key: str, value: bin] in key order,
//	    at most limit pairs, and never more than 10,000
//	kv_get_many(ptr, len: i32) -> i32           grant "kv"
//	    ptr/len: the keys, each as key_len: u32 little-endian, then the key;
//	    result: per key, in order, 0xFFFFFFFF (not found) or val_len: u32
//	    little-endian and the value; each key read as kv_get reads it. At
//	    most 10,000 keys, whose keys and values total at most
//	    store.max_scan_bytes, or the call fails (-2) and answers nothing.
//	kv_write(ptr, len: i32) -> i32              grant "kv"; 0 or -2
//	    ptr/len: a write set, entries one after the other:
//	        op: u8 (0 put, 1 delete, 2 add), key_len: u32 little-endian, key,
//	        for a put val_len: u32 little-endian, value,
//	        for an add delta: i64 little-endian.
//	    The entries are applied in order, each exactly as kv_put or kv_delete
//	    would apply it (same checks and limits). A write set that is not
//	    well formed applies nothing; at an entry the store refuses, the call
//	    fails naming the entry, and the entries before it stay written.
//	    An add adds delta to the decimal integer stored at key (absent
//	    counts as 0; a sum of 0 deletes the key) when the call commits,
//	    without reading it: two calls adding to one counter at once do not
//	    conflict. After a put or delete of key in the same call it adds to
//	    what that left at once; a read of key after an add reads the stored
//	    value, as any read, and sees the sum. A value that is not a decimal
//	    int64, or a sum past int64, refuses the entry (or, found at the
//	    commit, the call's writes: fault -32008).
//	config_get(key_ptr, key_len: i32) -> i32   grant "config"
//	    result: MessagePack value of plugin.<name>.config.<key>, or -1
//	time_now() -> i64                          grant "time"; Unix time in nanoseconds
//	result_read(ptr: i32)                      copies the current result to ptr
//
// Writes (kv_put, kv_delete, kv_write) belong to the call that makes them:
// the host commits them, atomically and durably, only when the call returns
// a result, before the response is sent; a fault, a trap or a timeout
// discards them. Reads see the call's own writes.
//
// kv_get_many and kv_write (and kv_write's add) were added to ABI version 1
// after it was first published: a module that imports only the first capabilities loads as it
// always did, and a module importing the new ones on an older host is
// refused at load with a message naming the import. The Go SDK records a
// call's writes in guest memory and hands them over with one kv_write when
// the handler returns a result (and before a read, and every 1 MiB).
//
// # Exports of an SDK module
//
// All pointers are offsets into the guest's exported memory "memory".
// Pointers and lengths are unsigned 32-bit numbers carried in i32 (an
// offset above 2 GiB is a negative i32).
// A packed region is an i64 whose high 32 bits are the pointer and whose low
// 32 bits are the length in bytes.
//
//	_initialize() -> ()                      optional (WASI reactor); called once per instance,
//	                                         after the start function and before any other export
//	rpchost_abi_version() -> i32             must return 1
//	rpchost_alloc(size: i32) -> i32          a pointer to size writable bytes
//	rpchost_describe() -> i64                packed region holding the Manifest
//	rpchost_call(ptr: i32, len: i32) -> i64  packed region holding the Result
//
// The host owns an instance for one call at a time and never calls two exports
// of one instance concurrently. A region returned by rpchost_alloc stays valid
// until the next call to rpchost_alloc, and the host writes every call that
// fits into it (it asks for at least 4 KiB), so a guest must not assume one
// rpchost_alloc per call; a region returned by rpchost_describe
// or rpchost_call stays valid until the next export call on that instance.
//
// A call goes: the host encodes the Call, asks rpchost_alloc for at least
// that many bytes unless its current region is big enough, writes them there, calls rpchost_call(ptr, len), and reads the Result
// from the packed region it returns. A trap during any of this is a fault for
// the client (the instance is then discarded).
//
// # Encoding
//
// Every message is MessagePack (https://msgpack.org/). XML-RPC values map as:
//
//	XML-RPC                     MessagePack          Go (this package)
//	<int>, <i4>, <i8>           int family           int64
//	<boolean>                   bool                 bool
//	<string>, untyped           str                  string
//	<double>                    float 64 (32 read)   float64
//	<dateTime.iso8601>          timestamp (ext -1)   time.Time (UTC)
//	<base64>                    bin                  []byte
//	<array>                     array                []any
//	<struct>                    map, str keys        Struct (order kept)
//	<nil/>                      nil                  nil
//
// A map key that is not a string, a duplicate key, an unsigned integer above
// 2^63-1, or any other extension type is invalid. So are a str that is not
// valid UTF-8 (as the MessagePack specification requires of str), a
// timestamp outside its three standard forms (fixext 4, fixext 8, ext 8 of
// 12 bytes) or with 10^9 nanoseconds or more, arrays and maps nested more
// than [MaxDepth] (128) deep inside one param or result (a param or result
// may be 128 arrays and maps one inside another, counting itself; the
// Call's params array and the Result's array do not count), and bytes after
// the end of a Call, Result or Manifest. Any integer form and float 32 are
// accepted; writers should use the shortest integer form and float 64, as
// [AppendValue] does. Every length form of str, bin, array and map is valid
// too, and a guest must read them all: the host writes the arrays and maps
// of a Call's params with 16-bit length headers whatever their length
// (32-bit past 65,535 elements), since it transcodes them from XML as it
// parses and learns a count only at the end.
//
// The host writes integers in the int32 range as <int> and larger ones as
// <i8>. dateTime values carry no time zone on the wire: the host reads a
// time without an offset as UTC and converts one with an offset to UTC. A
// timestamp carries nanoseconds, and the fraction of a second a client sent
// reaches the guest and comes back in the response with as many digits as
// the client sent.
//
// The Manifest, returned by rpchost_describe, is a map:
//
//	{"abi": 1, "methods": [{"name": str, "help": str, "signatures": [[str, ...], ...]}, ...]}
//
// Members may come in any order; "help" and "signatures" may be absent, and
// members not listed here are ignored.
//
// name is the method's name inside the plugin (the host serves it as
// "<plugin>.<name>"), made of A-Z a-z 0-9 _ . : / and not starting with "_".
// Each signature lists XML-RPC type names, return type first, as
// system.methodSignature reports them: int, i8, boolean, string, double,
// dateTime.iso8601, base64, struct, array, nil. signatures may be empty when
// they are not known. A name described twice, or a name or type name outside
// these sets, makes the manifest invalid.
//
// The Call, written by the host, is an array [method: str, params: array].
//
// The Result is an array, one of:
//
//	[0, value]             success: value is the method's result
//	[1, code: int, message: str]  fault: returned to the client as is
//
// Fault codes follow the XML-RPC fault-code interoperability convention
// (CodeInvalidParams for bad arguments, CodeApplicationError for a failure of
// the procedure itself); a guest may use any other integer. XML-RPC's
// faultCode is an <int> (32 bits): the host writes a code outside that
// range as <i8>, which strict clients refuse, so the SDKs offer 32-bit codes
// only (Fault.code is an i32 in the C, Rust and AssemblyScript SDKs).
package abi
