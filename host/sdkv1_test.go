package host

import (
	"context"
	_ "embed"
	"testing"
	"time"

	"github.com/rpchost/rpchost/abi"
)

// sdkv1Records is plugins/records.wasm as the SDK built it before kv_write
// and kv_get_many existed: it imports kv_get, kv_put and kv_delete, one
// host call per write. A module built then must load and work unchanged.
//
//go:embed testdata/sdkv1/records.wasm
var sdkv1Records []byte

func TestAModuleOfTheFirstSDKStillWorks(t *testing.T) {
	h, _ := newTestHost(t, map[string][]byte{"records.wasm": sdkv1Records}, withStore(t),
		func(c Config) Config { return c.WithCallTimeout(30 * time.Second) })
	ctx := context.Background()
	at := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
	reading := func(id, source string, value float64) abi.Struct {
		return abi.Struct{{Name: "id", Value: id}, {Name: "source", Value: source}, {Name: "at", Value: at}, {Name: "value", Value: value}}
	}
	ingest := func(method string, readings ...any) (any, error) {
		return h.Call(ctx, "records."+method, []any{readings})
	}
	if _, err := ingest("ingest", reading("a", "s1", 1), reading("b", "s1", 2), reading("c", "s2", 3)); err != nil {
		t.Fatal(err)
	}
	// Replacing "a" moves it to s2: its old index keys are deleted.
	if _, err := ingest("ingest", reading("a", "s2", 4)); err != nil {
		t.Fatal(err)
	}
	// A strict ingest that fails keeps none of its writes.
	if _, err := ingest("ingestStrict", reading("d", "s3", 5), abi.Struct{{Name: "id", Value: ""}}); err == nil {
		t.Fatal("ingestStrict of an invalid reading succeeded")
	}
	v, err := h.Call(ctx, "records.get", []any{"a"})
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := v.(abi.Struct); s == nil || memberOf(s, "source") != "s2" || memberOf(s, "value") != 4.0 {
		t.Errorf("records.get a = %#v, want source s2 and value 4", v)
	}
	v, err = h.Call(ctx, "records.stats", nil)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := v.(abi.Struct)
	by, _ := memberOf(st, "bySource").(abi.Struct)
	if memberOf(st, "count") != int64(3) || memberOf(by, "s1") != int64(1) || memberOf(by, "s2") != int64(2) || memberOf(by, "s3") != nil {
		t.Errorf("records.stats = %#v, want 3 records: s1 1, s2 2 (nothing of the failed strict call)", v)
	}
	if _, err := h.Call(ctx, "records.get", []any{"d"}); err == nil {
		t.Error("the failed strict call's record d was kept")
	}
}

func memberOf(s abi.Struct, name string) any {
	v, _ := s.Get(name)
	return v
}
