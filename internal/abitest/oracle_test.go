package abitest

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/rpchost/rpchost/abi"
	"github.com/vmihailenco/msgpack/v5"
	"github.com/vmihailenco/msgpack/v5/msgpcode"
)

// These tests hold our hand-written codec against an independent
// MessagePack implementation, so that "MessagePack" in the contract means
// what other languages' libraries read and write.

// randomValue builds a value of the value set, depth levels deep at most,
// favouring the boundaries between MessagePack forms.
func randomValue(r *rand.Rand, depth int) any {
	kind := r.IntN(10)
	if depth == 0 && kind >= 8 {
		kind = r.IntN(8)
	}
	switch kind {
	case 0:
		return nil
	case 1:
		return r.IntN(2) == 0
	case 2:
		edges := []int64{0, 127, 128, 255, 256, 65535, 65536, math.MaxUint32, math.MaxUint32 + 1, math.MaxInt64,
			-1, -32, -33, -128, -129, math.MinInt16, math.MinInt16 - 1, math.MinInt32, math.MinInt32 - 1, math.MinInt64}
		if r.IntN(2) == 0 {
			return edges[r.IntN(len(edges))]
		}
		return int64(r.Uint64()) >> r.IntN(64)
	case 3:
		if r.IntN(4) == 0 {
			return float64(float32(r.NormFloat64())) // also exactly a float32
		}
		return r.NormFloat64() * math.Pow(10, float64(r.IntN(40)-20))
	case 4:
		lens := []int{0, 1, 31, 32, 255, 256, 65535, 65536}
		n := lens[r.IntN(len(lens))]
		if n > 300 && r.IntN(32) != 0 {
			n = r.IntN(300)
		}
		return strings.Repeat("é", n/2) + strings.Repeat("x", n%2)
	case 5:
		b := make([]byte, []int{0, 3, 255, 256, 65536}[r.IntN(5)])
		if len(b) > 300 && r.IntN(8) != 0 {
			b = b[:r.IntN(300)]
		}
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		return b
	case 6:
		secs := []int64{0, math.MaxUint32, math.MaxUint32 + 1, 1<<34 - 1, 1 << 34, -1, -62135596800, 253402300799,
			r.Int64N(1 << 40), -r.Int64N(1 << 40)}
		nsec := int64(0)
		if r.IntN(2) == 0 {
			nsec = r.Int64N(1e9)
		}
		return time.Unix(secs[r.IntN(len(secs))], nsec).UTC()
	case 7:
		return fmt.Sprintf("s%d", r.IntN(1000))
	case 8:
		a := make([]any, []int{0, 1, 15, 16, 17}[r.IntN(5)])
		for i := range a {
			a[i] = randomValue(r, depth-1)
		}
		return a
	default:
		s := make(abi.Struct, []int{0, 1, 15, 16, 17}[r.IntN(5)])
		for i := range s {
			s[i] = abi.Member{Name: fmt.Sprintf("m%d_%d", i, r.IntN(100)), Value: randomValue(r, depth-1)}
		}
		return s
	}
}

// oracleEncode writes v with vmihailenco/msgpack's primitives, keeping
// struct member order (its map encoding would not).
func oracleEncode(e *msgpack.Encoder, v any) error {
	switch x := v.(type) {
	case nil:
		return e.EncodeNil()
	case bool:
		return e.EncodeBool(x)
	case int64:
		return e.EncodeInt(x)
	case float64:
		return e.EncodeFloat64(x)
	case string:
		return e.EncodeString(x)
	case []byte:
		return e.EncodeBytes(x)
	case time.Time:
		return e.EncodeTime(x)
	case []any:
		if err := e.EncodeArrayLen(len(x)); err != nil {
			return err
		}
		for _, el := range x {
			if err := oracleEncode(e, el); err != nil {
				return err
			}
		}
		return nil
	case abi.Struct:
		if err := e.EncodeMapLen(len(x)); err != nil {
			return err
		}
		for _, m := range x {
			if err := e.EncodeString(m.Name); err != nil {
				return err
			}
			if err := oracleEncode(e, m.Value); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("oracleEncode: %T", v)
}

// oracleDecode reads one value with vmihailenco/msgpack and maps what it
// returns onto the value set.
func oracleDecode(d *msgpack.Decoder) (any, error) {
	c, err := d.PeekCode()
	if err != nil {
		return nil, err
	}
	switch {
	case msgpcode.IsFixedMap(c) || c == msgpcode.Map16 || c == msgpcode.Map32:
		n, err := d.DecodeMapLen()
		if err != nil {
			return nil, err
		}
		s := make(abi.Struct, n)
		for i := range s {
			if s[i].Name, err = d.DecodeString(); err != nil {
				return nil, err
			}
			if s[i].Value, err = oracleDecode(d); err != nil {
				return nil, err
			}
		}
		return s, nil
	case msgpcode.IsFixedArray(c) || c == msgpcode.Array16 || c == msgpcode.Array32:
		n, err := d.DecodeArrayLen()
		if err != nil {
			return nil, err
		}
		a := make([]any, n)
		for i := range a {
			if a[i], err = oracleDecode(d); err != nil {
				return nil, err
			}
		}
		return a, nil
	}
	v, err := d.DecodeInterface()
	switch x := v.(type) {
	case int8:
		return int64(x), err
	case int16:
		return int64(x), err
	case int32:
		return int64(x), err
	case uint8:
		return int64(x), err
	case uint16:
		return int64(x), err
	case uint32:
		return int64(x), err
	case uint64:
		return int64(x), err
	case float32:
		return float64(x), err
	}
	return v, err
}

func TestOracleEncodeOursDecodeTheirs(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 1000; i++ {
		v := randomValue(r, 3)
		b, err := abi.AppendValue(nil, v)
		if err != nil {
			t.Fatal(err)
		}
		got, err := oracleDecode(msgpack.NewDecoder(bytes.NewReader(b)))
		if err != nil {
			t.Fatalf("vmihailenco cannot decode our % .40x: %v", b, err)
		}
		if !equalValue(got, v) {
			t.Fatalf("vmihailenco decodes our encoding of %.80v as %.80v", v, got)
		}
	}
}

func TestOracleEncodeTheirsDecodeOurs(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, compact := range []bool{true, false} {
		for i := 0; i < 1000; i++ {
			v := randomValue(r, 3)
			var buf bytes.Buffer
			e := msgpack.NewEncoder(&buf)
			e.UseCompactInts(compact)
			if err := oracleEncode(e, v); err != nil {
				t.Fatal(err)
			}
			got, rest, err := abi.DecodeValue(buf.Bytes())
			if err != nil || len(rest) != 0 {
				t.Fatalf("we cannot decode vmihailenco's % .40x: %v (%d bytes left)", buf.Bytes(), err, len(rest))
			}
			if !equalValue(got, v) {
				t.Fatalf("we decode vmihailenco's encoding of %.80v as %.80v", v, got)
			}
			// With compact ints both libraries pick the shortest form, so
			// the bytes must be identical.
			if compact {
				ours, _ := abi.AppendValue(nil, v)
				if !bytes.Equal(ours, buf.Bytes()) {
					t.Fatalf("encodings of %.80v differ:\nours   % .60x\ntheirs % .60x", v, ours, buf.Bytes())
				}
			}
		}
	}
}

func TestOracleFloat32(t *testing.T) {
	var buf bytes.Buffer
	if err := msgpack.NewEncoder(&buf).EncodeFloat32(1.25); err != nil {
		t.Fatal(err)
	}
	got, _, err := abi.DecodeValue(buf.Bytes())
	if err != nil || got != 1.25 {
		t.Fatalf("float 32 1.25 decoded as %v, %v", got, err)
	}
}

// TestOracleMessages checks that whole messages are plain MessagePack: a
// Call and a Result, as another language's guest would see them.
func TestOracleMessages(t *testing.T) {
	b, _ := abi.AppendCall(nil, "add", []any{int64(3), int64(4)})
	var call []any
	if err := msgpack.Unmarshal(b, &call); err != nil || fmt.Sprint(call) != "[add [3 4]]" {
		t.Fatalf("Call as vmihailenco reads it: %v, %v", call, err)
	}
	b, _ = msgpack.Marshal([]any{0, 7})
	if v, err := abi.DecodeResult(b); err != nil || v != int64(7) {
		t.Fatalf("DecodeResult(vmihailenco [0, 7]) = %v, %v", v, err)
	}
	b, _ = msgpack.Marshal([]any{1, -32602, "bad"})
	if _, err := abi.DecodeResult(b); err == nil || err.Error() != "fault -32602: bad" {
		t.Fatalf("DecodeResult(vmihailenco fault) = %v", err)
	}
	b, _ = msgpack.Marshal(map[string]any{"abi": 1, "methods": []any{map[string]any{"name": "add",
		"help": "Adds.", "signatures": [][]string{{"int", "int", "int"}}}}})
	m, err := abi.DecodeManifest(b)
	if err != nil || len(m.Methods) != 1 || m.Methods[0].Signatures[0][2] != "int" {
		t.Fatalf("DecodeManifest(vmihailenco) = %+v, %v", m, err)
	}
}
