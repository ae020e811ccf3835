// Command rpchost serves WebAssembly procedures over XML-RPC.
//
//	rpchost [serve] [--config FILE] [--listen ADDR] [--plugins DIR]
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := newRootCommand().ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "rpchost:", err)
		stop()
		os.Exit(1)
	}
}
