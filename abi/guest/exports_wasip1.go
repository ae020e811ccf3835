//go:build wasip1

package guest

import (
	"runtime"
	"unsafe"

	"github.com/rpchost/rpchost/abi"
)

// The ABI v1 exports (see package abi). The host calls them one at a time
// per instance, so the buffers below need no lock.

// inBuf is the region rpchost_alloc hands out. It is reused across calls
// and grown on demand; being a package variable keeps it reachable, so the
// garbage collector never frees memory the host is about to write.
var inBuf = make([]byte, 0, 4<<10)

// outBuf holds the last Result. It stays referenced until the next call
// (the ABI lets the host read it until then) and is reused to write the
// next Result without garbage.
var outBuf = make([]byte, 0, 4<<10)

// keepMax is the capacity above which a buffer is dropped rather than
// kept for reuse, so that one huge call does not pin its memory forever.
const keepMax = 1 << 20

// yields paces the calls to runtime.Gosched (see yield.go).
var yields yielder

//go:wasmexport rpchost_abi_version
func exportABIVersion() int32 { return abi.Version }

//go:wasmexport rpchost_alloc
func exportAlloc(size uint32) uint32 {
	if n := int(size); n > cap(inBuf) || cap(inBuf) > keepMax && n <= keepMax/4 {
		inBuf = make([]byte, 0, max(n, 4<<10))
	}
	return addr(inBuf)
}

//go:wasmexport rpchost_describe
func exportDescribe() uint64 { return pack(std.encodedManifest()) }

//go:wasmexport rpchost_call
func exportCall(ptr, size uint32) uint64 {
	dst := outBuf[:0]
	if cap(dst) > keepMax {
		dst = nil
	}
	base := addr(inBuf)
	if ptr < base || uint64(ptr)+uint64(size) > uint64(base)+uint64(cap(inBuf)) {
		outBuf = abi.AppendFaultResult(dst, &abi.Fault{Code: abi.CodeInternalError,
			Message: "rpchost_call: the call is not in the region rpchost_alloc returned"})
	} else {
		off := ptr - base
		outBuf = callWithWrites(dst, inBuf[off:off+size:off+size])
	}
	if yields.due(int(size) + len(outBuf)) {
		runtime.Gosched() // see yield.go
	}
	return pack(outBuf)
}

// addr is the wasm address of b's backing array (b has capacity > 0).
func addr(b []byte) uint32 {
	return uint32(uintptr(unsafe.Pointer(unsafe.SliceData(b[:1]))))
}

// pack makes the packed region (pointer << 32 | length) for b.
func pack(b []byte) uint64 {
	return uint64(addr(b))<<32 | uint64(len(b))
}
