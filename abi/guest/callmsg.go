package guest

import (
	"strconv"

	"github.com/rpchost/rpchost/abi"
)

// parseCall decodes a Call ([method, params]) like abi.DecodeCall, but for
// the guest's hot path, where every allocation costs a few hundred
// nanoseconds and every function call tens: the method name comes back as
// a slice of in, looked up here without copying it, and the params are
// decoded into r.params, whose backing array is reused from call to call.
// Each param is decoded by abi.DecodeValue, so values are exactly what the
// host's codec accepts. For a typed method (RegisterTyped) the params are
// left encoded: params is nil and r.at and r.count say where they start
// and how many there are. m is nil when no method has the name.
func (r *registry) parseCall(in []byte) (m *method, method []byte, params []any, err error) {
	two, off, ok := arrayHeader(in)
	if !ok || two != 2 {
		return nil, nil, nil, malformed(0, "Call is not an array of 2 elements ([method, params])")
	}
	// The method name: fixstr, str 8, str 16 or str 32.
	n, hdr, ok := strHeader(in[off:])
	if !ok {
		return nil, nil, nil, malformed(off, "method name is not a str")
	}
	if uint64(len(in)-off-hdr) < n {
		return nil, nil, nil, malformed(off, "method name runs past the end of the Call")
	}
	method = in[off+hdr : off+hdr+int(n)]
	off += hdr + int(n)
	// The params array: fixarray, array 16 or array 32.
	count, hdr, ok := arrayHeader(in[off:])
	if !ok {
		return nil, nil, nil, malformed(off, "params is not an array")
	}
	if uint64(len(in)-off-hdr) < count {
		return nil, nil, nil, malformed(off, "params claims "+strconv.FormatUint(count, 10)+
			" elements but only "+strconv.Itoa(len(in)-off-hdr)+" bytes remain")
	}
	off += hdr
	m = r.lookup(method)
	if m != nil && m.typed != nil {
		r.at, r.count = off, count
		return m, method, nil, nil
	}
	params = r.params[:0]
	rest := in[off:]
	for i := uint64(0); i < count; i++ {
		// A positive fixint (0..127), the commonest param, is read here:
		// in wasm, going through DecodeValue costs three calls and the
		// boxing a fourth, about a sixth of a small call's time.
		if len(rest) > 0 && rest[0] < byte(len(fixints)) {
			params = append(params, fixints[rest[0]])
			rest = rest[1:]
			continue
		}
		v, rr, err := abi.DecodeValue(rest)
		if err != nil {
			// DecodeValue returns a *MalformedError as it is, unwrapped.
			if me, ok := err.(*abi.MalformedError); ok {
				me.Offset += len(in) - len(rest)
			}
			clear(params) // the values decoded so far are garbage now
			return nil, nil, nil, err
		}
		params = append(params, v)
		rest = rr
	}
	if len(rest) > 0 {
		clear(params)
		return nil, nil, nil, malformed(len(in)-len(rest), strconv.Itoa(len(rest))+" unexpected bytes after the Call")
	}
	return m, method, params, nil
}

// fixints holds the positive fixints as boxed int64s, ready to append.
// It is filled once, at init, and only read after.
var fixints = func() (t [128]any) {
	for i := range t {
		t[i] = int64(i)
	}
	return t
}()

func malformed(at int, reason string) error {
	return &abi.MalformedError{Offset: at, Reason: reason}
}

// strHeader reads a str header: the length and the header's size.
func strHeader(b []byte) (n uint64, size int, ok bool) {
	if len(b) == 0 {
		return 0, 0, false
	}
	switch c := b[0]; {
	case c >= 0xa0 && c <= 0xbf:
		return uint64(c & 0x1f), 1, true
	case c == 0xd9 && len(b) >= 2:
		return uint64(b[1]), 2, true
	case c == 0xda && len(b) >= 3:
		return uint64(b[1])<<8 | uint64(b[2]), 3, true
	case c == 0xdb && len(b) >= 5:
		return uint64(b[1])<<24 | uint64(b[2])<<16 | uint64(b[3])<<8 | uint64(b[4]), 5, true
	}
	return 0, 0, false
}

// arrayHeader reads an array header: the element count and the header's size.
func arrayHeader(b []byte) (n uint64, size int, ok bool) {
	if len(b) == 0 {
		return 0, 0, false
	}
	switch c := b[0]; {
	case c >= 0x90 && c <= 0x9f:
		return uint64(c & 0x0f), 1, true
	case c == 0xdc && len(b) >= 3:
		return uint64(b[1])<<8 | uint64(b[2]), 3, true
	case c == 0xdd && len(b) >= 5:
		return uint64(b[1])<<24 | uint64(b[2])<<16 | uint64(b[3])<<8 | uint64(b[4]), 5, true
	}
	return 0, 0, false
}
