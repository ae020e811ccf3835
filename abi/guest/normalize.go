package guest

import (
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/rpchost/rpchost/abi"
	"github.com/rpchost/rpchost/abi/internal/smallfmt"
)

// normalizeError says which part of a handler's result is not a value and
// why; containers prefix the path on the way out, so success pays nothing.
type normalizeError struct {
	path   string
	reason string
}

func (e *normalizeError) Error() string {
	return "result" + e.path + ": " + e.reason
}

func nestErr(err error, step string) error {
	if e, ok := err.(*normalizeError); ok {
		e.path = step + e.path
	}
	return err
}

// normalize converts a handler's result to the abi value set as Register
// documents. It also reports whether anything changed, so that containers
// copy themselves only when an element did: a result that already is in
// the set comes back as it is, without allocating.
func normalize(v any, depth int) (any, bool, error) {
	switch x := v.(type) {
	case nil, bool, int64, string, []byte, time.Time:
		return v, false, nil
	case float64:
		return v, false, checkFloat(x)
	case []any:
		if depth >= abi.MaxDepth {
			return nil, false, tooDeep()
		}
		var out []any // allocated at the first element that changes
		for i, e := range x {
			n, changed, err := normalize(e, depth+1)
			if err != nil {
				return nil, false, nestErr(err, "["+strconv.Itoa(i)+"]")
			}
			if changed && out == nil {
				out = slices.Clone(x)
			}
			if out != nil {
				out[i] = n
			}
		}
		if out == nil {
			return v, false, nil
		}
		return out, true, nil
	case abi.Struct:
		if depth >= abi.MaxDepth {
			return nil, false, tooDeep()
		}
		var out abi.Struct
		for i, m := range x {
			n, changed, err := normalize(m.Value, depth+1)
			if err != nil {
				return nil, false, nestErr(err, "."+m.Name)
			}
			if changed && out == nil {
				out = slices.Clone(x)
			}
			if out != nil {
				out[i].Value = n
			}
		}
		if out == nil {
			return v, false, nil
		}
		return out, true, nil
	case int:
		return int64(x), true, nil
	case int8:
		return int64(x), true, nil
	case int16:
		return int64(x), true, nil
	case int32:
		return int64(x), true, nil
	case uint:
		return fromUint(uint64(x))
	case uint8:
		return int64(x), true, nil
	case uint16:
		return int64(x), true, nil
	case uint32:
		return int64(x), true, nil
	case uint64:
		return fromUint(x)
	case float32:
		f := float64(x)
		return f, true, checkFloat(f)
	case abi.Member:
		return nil, false, &normalizeError{reason: "an abi.Member is not a value: return an abi.Struct"}
	case *abi.Fault:
		return nil, false, &normalizeError{reason: "a *abi.Fault was returned as the result: return it as the error"}
	case []string:
		return sliceOf(len(x), x == nil, func(i int) any { return x[i] }, depth)
	case []int:
		return sliceOf(len(x), x == nil, func(i int) any { return x[i] }, depth)
	case []int32:
		return sliceOf(len(x), x == nil, func(i int) any { return x[i] }, depth)
	case []int64:
		return sliceOf(len(x), x == nil, func(i int) any { return x[i] }, depth)
	case []uint32:
		return sliceOf(len(x), x == nil, func(i int) any { return x[i] }, depth)
	case []float32:
		return sliceOf(len(x), x == nil, func(i int) any { return x[i] }, depth)
	case []float64:
		return sliceOf(len(x), x == nil, func(i int) any { return x[i] }, depth)
	case []bool:
		return sliceOf(len(x), x == nil, func(i int) any { return x[i] }, depth)
	case [][]byte:
		return sliceOf(len(x), x == nil, func(i int) any { return x[i] }, depth)
	case []time.Time:
		return sliceOf(len(x), x == nil, func(i int) any { return x[i] }, depth)
	case []abi.Struct:
		return sliceOf(len(x), x == nil, func(i int) any { return x[i] }, depth)
	case [][]any:
		return sliceOf(len(x), x == nil, func(i int) any { return x[i] }, depth)
	case []map[string]any:
		return sliceOf(len(x), x == nil, func(i int) any { return x[i] }, depth)
	case map[string]any:
		return structOf(len(x), func(add func(string, any)) {
			for k, e := range x {
				add(k, e)
			}
		}, depth)
	case map[string]string:
		return structOf(len(x), func(add func(string, any)) {
			for k, e := range x {
				add(k, e)
			}
		}, depth)
	case map[string]int:
		return structOf(len(x), func(add func(string, any)) {
			for k, e := range x {
				add(k, e)
			}
		}, depth)
	case map[string]int64:
		return structOf(len(x), func(add func(string, any)) {
			for k, e := range x {
				add(k, e)
			}
		}, depth)
	case map[string]float64:
		return structOf(len(x), func(add func(string, any)) {
			for k, e := range x {
				add(k, e)
			}
		}, depth)
	case map[string]bool:
		return structOf(len(x), func(add func(string, any)) {
			for k, e := range x {
				add(k, e)
			}
		}, depth)
	case map[string][]any:
		return structOf(len(x), func(add func(string, any)) {
			for k, e := range x {
				add(k, e)
			}
		}, depth)
	case map[string]abi.Struct:
		return structOf(len(x), func(add func(string, any)) {
			for k, e := range x {
				add(k, e)
			}
		}, depth)
	default:
		return nil, false, &normalizeError{reason: "Go type " + smallfmt.TypeName(v) + " is not an XML-RPC value " +
			"(return int64, float64, string, bool, []byte, time.Time, []any, abi.Struct or nil)"}
	}
}

func fromUint(u uint64) (any, bool, error) {
	if u > math.MaxInt64 {
		return nil, false, &normalizeError{reason: "integer " + strconv.FormatUint(u, 10) + " does not fit in an <i8>"}
	}
	return int64(u), true, nil
}

func checkFloat(f float64) error {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return &normalizeError{reason: "double " + strconv.FormatFloat(f, 'g', -1, 64) + " cannot be sent: XML-RPC has no NaN or infinity"}
	}
	return nil
}

func tooDeep() error {
	return &normalizeError{reason: "arrays and structs nest deeper than " + strconv.Itoa(abi.MaxDepth)}
}

// The conversions of typed slices and maps below take their elements
// through a closure rather than being generic: every instantiation of a
// generic function is a copy of its code, about 2.5 KB of wasm each, and
// there would be one per type Register accepts.

// sliceOf converts a typed slice of n elements, element i being at(i), to
// []any; a nil slice becomes an empty array.
func sliceOf(n int, isNil bool, at func(i int) any, depth int) (any, bool, error) {
	if isNil {
		return []any{}, true, nil
	}
	if depth >= abi.MaxDepth {
		return nil, false, tooDeep()
	}
	out := make([]any, n)
	for i := range out {
		v, _, err := normalize(at(i), depth+1)
		if err != nil {
			return nil, false, nestErr(err, "["+strconv.Itoa(i)+"]")
		}
		out[i] = v
	}
	return out, true, nil
}

// structOf converts a string-keyed map of n entries, which each passes to
// add, to an abi.Struct sorted by name, so that the same map always gives
// the same response.
func structOf(n int, each func(add func(name string, value any)), depth int) (any, bool, error) {
	if depth >= abi.MaxDepth {
		return nil, false, tooDeep()
	}
	out := make(abi.Struct, 0, n)
	each(func(name string, value any) { out = append(out, abi.Member{Name: name, Value: value}) })
	sortByName(out)
	for i := range out {
		v, _, err := normalize(out[i].Value, depth+1)
		if err != nil {
			return nil, false, nestErr(err, "."+out[i].Name)
		}
		out[i].Value = v
	}
	return out, true, nil
}
