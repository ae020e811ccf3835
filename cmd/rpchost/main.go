// Command rpchost serves WebAssembly procedures over XML-RPC.
//
//	rpchost [serve] [--config FILE] [--listen ADDR] [--plugins DIR]
//	rpchost call|list|upload|rm ...
//	rpchost inspect FILE.wasm
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/rpchost/rpchost/abi"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := newRootCommand().ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "rpchost:", err)
		stop()
		os.Exit(exitCode(err))
	}
}

// exitCode is 1 when a server answered with a fault, so that scripts can
// tell "the call failed" from "the call could not be made" (2); likewise
// 1 when inspect judged a module that would be refused.
func exitCode(err error) int {
	var fault *abi.Fault
	var refused *errRefused
	if errors.As(err, &fault) || errors.As(err, &refused) {
		return 1
	}
	return 2
}
