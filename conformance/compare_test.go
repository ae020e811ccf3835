package conformance_test

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/rpchost/rpchost/abi"
)

// diff compares a value the host answered with the one expected, both of
// the abi value set, and describes the first difference ("" when equal):
// where it is (".b[3]") and both sides, shortened. Integers compare by
// value whatever their XML tag; doubles by their bits, so -0.5 is not
// 0.5 and 0 is not -0; times to the nanosecond; structs member by member,
// in order.
func diff(got, want any) string { return diffAt("", got, want) }

func diffAt(at string, got, want any) string {
	mismatch := func() string {
		where := at
		if where == "" {
			where = "the value"
		}
		return fmt.Sprintf("%s: got %s, want %s", where, show(got), show(want))
	}
	switch w := want.(type) {
	case nil:
		if got != nil {
			return mismatch()
		}
	case bool, string:
		if got != want {
			return mismatch()
		}
	case int64:
		if g, ok := got.(int64); !ok || g != w {
			return mismatch()
		}
	case float64:
		if g, ok := got.(float64); !ok || math.Float64bits(g) != math.Float64bits(w) {
			return mismatch()
		}
	case []byte:
		if g, ok := got.([]byte); !ok || !bytes.Equal(g, w) {
			return mismatch()
		}
	case time.Time:
		if g, ok := got.(time.Time); !ok || !g.Equal(w) {
			return mismatch()
		}
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return mismatch()
		}
		for i := range w {
			if d := diffAt(at+"["+strconv.Itoa(i)+"]", g[i], w[i]); d != "" {
				return d
			}
		}
	case abi.Struct:
		g, ok := got.(abi.Struct)
		if !ok || len(g) != len(w) {
			return mismatch()
		}
		for i := range w {
			if g[i].Name != w[i].Name {
				return fmt.Sprintf("%s: member %d is %q, want %q (members in the order sent: got %s)",
					orValue(at), i+1, g[i].Name, w[i].Name, show(g))
			}
			if d := diffAt(at+"."+w[i].Name, g[i].Value, w[i].Value); d != "" {
				return d
			}
		}
	default:
		return fmt.Sprintf("%s: the suite expects a %T, which is not an XML-RPC value", orValue(at), want)
	}
	return ""
}

func orValue(at string) string {
	if at == "" {
		return "the value"
	}
	return at
}

// show describes a value for a message: its XML-RPC type and a clipped
// rendering.
func show(v any) string {
	switch x := v.(type) {
	case nil:
		return "nil"
	case string:
		return "string " + clip(strconv.Quote(x))
	case []byte:
		return fmt.Sprintf("base64 (%d bytes) %s", len(x), clip(fmt.Sprintf("% x", x)))
	case time.Time:
		return "dateTime.iso8601 " + x.Format(time.RFC3339Nano)
	case float64:
		return "double " + strconv.FormatFloat(x, 'g', -1, 64)
	case []any:
		return fmt.Sprintf("array of %d %s", len(x), clip(fmt.Sprint(x)))
	case abi.Struct:
		names := make([]string, len(x))
		for i, m := range x {
			names[i] = m.Name
		}
		return fmt.Sprintf("struct %s", clip(fmt.Sprintf("%q", names)))
	}
	return abi.TypeName(v) + " " + clip(fmt.Sprint(v))
}

func itoa(n int) string { return strconv.Itoa(n) }
