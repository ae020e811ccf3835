//go:build wasip1

package guest

import (
	"strconv"
	"time"
	"unsafe"

	"github.com/rpchost/rpchost/abi"
)

var host hostCalls = wasmHost{}

//go:wasmimport rpchost log
func hostLog(ptr, size uint32)

//go:wasmimport rpchost kv_get
func hostKVGet(keyPtr, keyLen uint32) int32

//go:wasmimport rpchost kv_get_many
func hostKVGetMany(ptr, size uint32) int32

//go:wasmimport rpchost kv_write
func hostKVWrite(ptr, size uint32) int32

//go:wasmimport rpchost kv_scan
func hostKVScan(prefixPtr, prefixLen, limit uint32) int32

//go:wasmimport rpchost config_get
func hostConfigGet(keyPtr, keyLen uint32) int32

//go:wasmimport rpchost time_now
func hostTimeNow() int64

//go:wasmimport rpchost result_read
func hostResultRead(ptr uint32)

// wasmHost calls the host. The Go linker keeps only the imports a plugin
// uses, so a plugin that never touches the store does not import kv_*.
type wasmHost struct{}

func strArg(s string) (uint32, uint32) {
	return uint32(uintptr(unsafe.Pointer(unsafe.StringData(s)))), uint32(len(s))
}

func bytesArg(b []byte) (uint32, uint32) {
	return uint32(uintptr(unsafe.Pointer(unsafe.SliceData(b)))), uint32(len(b))
}

// result turns a capability's answer into its bytes, "not found" or an error.
func result(op string, r int32) ([]byte, bool, error) {
	switch {
	case r == abi.HostNotFound:
		return nil, false, nil
	case r <= abi.HostFailed:
		msg := make([]byte, int(abi.HostFailed-r))
		if len(msg) > 0 {
			hostResultRead(uint32(uintptr(unsafe.Pointer(&msg[0]))))
		}
		return nil, false, hostError(op, string(msg))
	}
	b := make([]byte, int(r))
	if r > 0 {
		hostResultRead(uint32(uintptr(unsafe.Pointer(&b[0]))))
	}
	return b, true, nil
}

func (wasmHost) kvGet(key string) ([]byte, bool, error) {
	p, n := strArg(key)
	return result("kv_get", hostKVGet(p, n))
}

func (wasmHost) kvGetMany(req []byte) ([]byte, error) {
	p, n := bytesArg(req)
	b, _, err := result("kv_get_many", hostKVGetMany(p, n))
	return b, err
}

// kvWrite hands the host a write set (writeset.go); it replaces kv_put
// and kv_delete, which this SDK no longer imports.
func (wasmHost) kvWrite(batch []byte) error {
	p, n := bytesArg(batch)
	_, _, err := result("kv_write", hostKVWrite(p, n))
	return err
}

// kvScan is given a limit already clamped by scanLimit.
func (wasmHost) kvScan(prefix string, limit int) ([]KV, error) {
	p, n := strArg(prefix)
	b, _, err := result("kv_scan", hostKVScan(p, n, uint32(limit)))
	if err != nil {
		return nil, err
	}
	return decodeScan(b)
}

func (wasmHost) configGet(key string) (any, bool, error) {
	p, n := strArg(key)
	b, found, err := result("config_get", hostConfigGet(p, n))
	if err != nil || !found {
		return nil, found, err
	}
	v, _, err := abi.DecodeValue(b)
	if err != nil {
		return nil, false, hostError("config_get "+strconv.Quote(key), err.Error())
	}
	return v, true, nil
}

func (wasmHost) now() time.Time { return time.Unix(0, hostTimeNow()) }

func (wasmHost) log(level int, msg string, attrs abi.Struct) {
	b, err := abi.AppendValue(nil, []any{int64(level), msg, attrs})
	if err != nil {
		b, _ = abi.AppendValue(nil, []any{int64(level), msg, abi.Struct{}})
	}
	p, n := bytesArg(b)
	hostLog(p, n)
}
