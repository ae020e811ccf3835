package assemblyscript_test

import (
	"context"
	"log/slog"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rpchost/rpchost/abi"
	"github.com/rpchost/rpchost/host"
	"github.com/rpchost/rpchost/internal/testutil"
)

// apiGuest uses the parts of the SDK's API that the examples and the
// conformance guest do not: every typed getter, its message for a wrong
// type, the builders and log attributes.
const apiGuest = `
import { register, Params, Value, Kind, Fault, log, failure } from "../../assembly";
export * from "../../assembly/exports";

register("typed", typed, "Reads one param of each type.");
register("builders", builders, "Builds values.");

function typed(p: Params): Value {
  let i = p.int(0);
  let b = p.bool(1);
  let s = p.string(2);
  let d = p.double(3);
  let bytes = p.bytes(4);
  let t = p.dateTime(5);
  let a = p.array(6);
  let st = p.struct(7);
  if (!p.want(8)) return p.fault();
  let member = st.get("m");
  return Value.array([
    Value.int(i + 1), Value.bool(!b), Value.str(s.toUpperCase()), Value.double(d * 2),
    Value.int(bytes.length), Value.dateTime(t.i + 1, t.nanos), Value.int(a.length),
    member == null ? Value.nil() : member,
  ]);
}

function builders(p: Params): Value {
  if (!p.want(0)) return p.fault();
  let a = new Value(Kind.Array);
  a.push(Value.int(1));
  let s = new Value(Kind.Struct);
  s.set("x", Value.int(1)).set("y", Value.int(2)).set("x", Value.int(3));
  log.warn("built", Value.struct().set("n", Value.int(2)).set("who", Value.str("api")));
  if (failure() != null) return Fault.application("log failed");
  return Value.array([a, s, new Value(Kind.Array), new Value(Kind.Struct), Value.unixNanos(-1), Value.str("\ud800")]);
}
`

func TestAPI(t *testing.T) {
	asc := requireASC(t)
	args := []string{"sdk/assemblyscript/examples/api/index.ts", "-o", "plugins/api.wasm",
		"--runtime", "stub", "--exportStart", "_initialize",
		"--use", "abort=sdk/assemblyscript/assembly/abort/rpchostAbort", "-Oz"}
	root := buildGuest(t, asc, "api", apiGuest, args)
	logs := &testutil.SyncBuffer{}
	h, err := host.New(context.Background(), host.NewConfig().WithPluginDir(filepath.Join(root, "plugins")).WithWatch(false, 0, 0).
		WithLogger(slog.New(slog.NewTextHandler(logs, nil))))
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close(context.Background())

	when := time.Date(2001, 2, 3, 4, 5, 6, 789, time.UTC)
	good := []any{int64(1), true, "héllo", int64(2), []byte{1, 2, 3}, when, []any{1.5, nil}, abi.Struct{{Name: "m", Value: "v"}}}
	want(t, h, []any{int64(2), false, "HÉLLO", 4.0, int64(3), when.Add(time.Second), int64(2), "v"}, "api.typed", good...)

	for i, wrong := range []any{"x", int64(1), int64(1), "x", "x", "x", "x", "x"} {
		params := append([]any(nil), good...)
		params[i] = wrong
		msg := wantFault(t, h, abi.CodeInvalidParams, "api.typed", params...)
		if !strings.HasPrefix(msg, "typed: param ") || !strings.Contains(msg, ", want a") {
			t.Errorf("param %d of the wrong type: %q", i+1, msg)
		}
	}
	if msg := wantFault(t, h, abi.CodeInvalidParams, "api.typed", good[:7]...); msg != "typed: missing param 8" {
		t.Errorf("7 params: %q", msg)
	}
	if msg := wantFault(t, h, abi.CodeInvalidParams, "api.typed", append(good, 1.0)...); msg != "typed: want 8 params, got 9" {
		t.Errorf("9 params: %q", msg)
	}

	got, err := call(t, h, "api.builders")
	if err != nil {
		t.Fatal(err)
	}
	wantBuilt := []any{
		[]any{int64(1)},
		abi.Struct{{Name: "x", Value: int64(3)}, {Name: "y", Value: int64(2)}},
		[]any{},
		abi.Struct{},
		time.Unix(0, -1).UTC(),
		"\uFFFD",
	}
	if !reflect.DeepEqual(got, wantBuilt) {
		t.Errorf("builders = %#v, want %#v", got, wantBuilt)
	}
	if !strings.Contains(logs.String(), `level=WARN msg=built`) || !strings.Contains(logs.String(), "n=2") ||
		!strings.Contains(logs.String(), "who=api") {
		t.Errorf("the log lacks the warning with its attributes:\n%s", logs)
	}
}
