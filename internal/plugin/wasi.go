package plugin

import (
	"context"
	"crypto/rand"
	"fmt"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
)

// WASI as wazero implements it, but that no function whose work grows with
// a guest-chosen size can run past the call's deadline: Go's garbage
// collector can stop a goroutine in a host function, the watchdog cannot
// (it sets a flag the guest reads between instructions). Of the functions
// that do such work with no file system mounted, random_get is replaced
// by one that fills in chunks and stops when the instance's context is
// cancelled; fd_write goes to the output streams, which refuse writes once
// the call is stopped (output.go), so fd_write stops at the next iovec.
// poll_oneoff is replaced by one that refuses more than
// maxPollSubscriptions (poll.go): wazero's allocates per subscription.
// The rest (fd_read on an empty stdin, args and environ, both empty) are
// bounded by the memory they read, and the instrumented guest tests its
// stop flag after every host call.

// randomChunk is how many random bytes random_get makes between two looks
// at the deadline: ~20 µs of crypto/rand.
const randomChunk = 64 << 10

// WASI errno values (wasi_snapshot_preview1).
const (
	errnoFault = 21
	errnoIO    = 29
)

func instantiateWASI(ctx context.Context, rt wazero.Runtime) error {
	b := rt.NewHostModuleBuilder(wasiModule)
	wasi_snapshot_preview1.NewFunctionExporter().ExportFunctions(b)
	// Later exports of the same name replace wazero's.
	b.NewFunctionBuilder().
		WithGoModuleFunction(api.GoModuleFunc(randomGet), []api.ValueType{i32, i32}, []api.ValueType{i32}).
		WithParameterNames("buf", "buf_len").
		Export("random_get")
	b.NewFunctionBuilder().
		WithGoModuleFunction(api.GoModuleFunc(pollOneoff), []api.ValueType{i32, i32, i32, i32}, []api.ValueType{i32}).
		WithParameterNames("in", "out", "nsubscriptions", "result.nevents").
		Export("poll_oneoff")
	_, err := b.Instantiate(ctx)
	return err
}

// randomGet is WASI's random_get(buf, buf_len) -> errno with real
// randomness, made in chunks: a guest asking for 60 MiB at a time must not
// keep its call going past the deadline.
func randomGet(ctx context.Context, mod api.Module, stack []uint64) {
	buf, ok := mod.Memory().Read(api.DecodeU32(stack[0]), api.DecodeU32(stack[1]))
	if !ok {
		stack[0] = errnoFault
		return
	}
	for len(buf) > 0 {
		stopIfDone(ctx)
		n := min(len(buf), randomChunk)
		if _, err := rand.Read(buf[:n]); err != nil {
			stack[0] = errnoIO
			return
		}
		buf = buf[n:]
	}
	stack[0] = 0
}

// stopIfDone ends a host function whose call was stopped (its deadline
// passed, or the instance is closing): the panic unwinds to the call,
// which fails, and callError reads why from the instance's context.
func stopIfDone(ctx context.Context) {
	if ctx.Err() != nil {
		panic(fmt.Errorf("host function stopped: %w", context.Cause(ctx)))
	}
}
