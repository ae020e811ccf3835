package host

import (
	"encoding/base64"
	"math"
	"strconv"
	"time"

	"github.com/rpchost/rpchost/abi"
)

// xmlSize returns how many bytes v takes inside a response's <value>, as
// internal/xmlrpc encodes it, without encoding it: system.multicall uses it
// to bound the response it is building. The walk stops early once the
// count passes max (returning more than max), so measuring a huge result
// costs no more than measuring max bytes of it. A dateTime counts 64
// bytes, room for any fraction of a second the encoder may write.
func xmlSize(v any, max int) int {
	n := 0
	walkSize(v, max, &n)
	return n
}

func walkSize(v any, max int, n *int) {
	if *n > max {
		return
	}
	switch x := v.(type) {
	case nil:
		*n += len("<nil/>")
	case bool:
		*n += len("<boolean>0</boolean>")
	case int64:
		var digits [24]byte
		*n += len(strconv.AppendInt(digits[:0], x, 10))
		if x >= math.MinInt32 && x <= math.MaxInt32 {
			*n += len("<int></int>")
		} else {
			*n += len("<i8></i8>")
		}
	case float64:
		var digits [32]byte
		*n += len("<double></double>") + len(strconv.AppendFloat(digits[:0], x, 'f', -1, 64))
	case string:
		*n += len("<string></string>") + escapedLen(x)
	case []byte:
		*n += len("<base64></base64>") + base64.StdEncoding.EncodedLen(len(x))
	case time.Time:
		*n += 64
	case []any:
		*n += len("<array><data></data></array>")
		for _, e := range x {
			*n += len("<value></value>")
			if walkSize(e, max, n); *n > max {
				return
			}
		}
	case abi.Struct:
		*n += len("<struct></struct>")
		for i := range x {
			*n += len("<member><name></name><value></value></member>") + escapedLen(x[i].Name)
			if walkSize(x[i].Value, max, n); *n > max {
				return
			}
		}
	}
}

// escapedLen is len(s) once the encoder has escaped &, <, > and CR.
func escapedLen(s string) int {
	n := len(s)
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '&', '\r':
			n += 4 // &amp; &#13;
		case '<', '>':
			n += 3 // &lt; &gt;
		}
	}
	return n
}
