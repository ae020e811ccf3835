package guest

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/rpchost/rpchost/abi"
)

// logRecorder is a hostCalls that keeps what Log sends.
type logRecorder struct {
	hostCalls
	level int
	msg   string
	attrs abi.Struct
}

func (r *logRecorder) log(level int, msg string, attrs abi.Struct) {
	r.level, r.msg, r.attrs = level, msg, attrs
}

func TestLogAttrs(t *testing.T) {
	rec := &logRecorder{}
	saved := host
	host = rec
	defer func() { host = saved }()
	type point struct{ X, Y int }
	Log(LevelWarn, "stored", "n", 3, "took", 1500*time.Millisecond, "err", errors.New("disk"),
		"at", point{1, 2}, 7, []int{1}, "odd")
	want := abi.Struct{
		{Name: "n", Value: int64(3)},
		{Name: "took", Value: "1.5s"},
		{Name: "err", Value: "disk"},
		{Name: "at", Value: "%!v(guest.point)"},
		{Name: "7", Value: []any{int64(1)}},
		{Name: "!BADKEY", Value: "odd"},
	}
	if rec.level != LevelWarn || rec.msg != "stored" || !reflect.DeepEqual(rec.attrs, want) {
		t.Fatalf("Log sent %d %q %#v", rec.level, rec.msg, rec.attrs)
	}
}

func TestDecodeScan(t *testing.T) {
	good, _ := abi.AppendValue(nil, []any{[]any{"k", []byte("v")}})
	if kvs, err := decodeScan(good); err != nil || len(kvs) != 1 || kvs[0].Key != "k" || string(kvs[0].Value) != "v" {
		t.Fatalf("decodeScan = %v, %v", kvs, err)
	}
	wrongPair, _ := abi.AppendValue(nil, []any{[]any{"k"}})
	wrongTypes, _ := abi.AppendValue(nil, []any{[]any{"k", "v"}})
	for _, tc := range []struct {
		in   []byte
		want string
	}{
		{append(good, 0), "rpchost: kv_scan result: trailing bytes"},
		{[]byte{0xc1}, "rpchost: kv_scan result: abi: malformed message at byte 0: byte 0xc1 is never used in MessagePack"},
		{wrongPair, "rpchost: kv_scan result: want [key, value] pairs"},
		{wrongTypes, "rpchost: kv_scan result: want [str, bin] pairs"},
	} {
		if _, err := decodeScan(tc.in); err == nil || err.Error() != tc.want || !errors.Is(err, ErrHost) {
			t.Errorf("decodeScan(% x): err = %v, want %q wrapping ErrHost", tc.in, err, tc.want)
		}
	}
}
