// Command records_v2 is the records plugin with another validation rule:
// negative values are refused too. The end-to-end tests build it and copy
// it over a running server's records.wasm to show that a rule changes
// without a restart and without touching the stored data:
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -trimpath -o plugins/records.wasm ./testdata/records_v2
package main

import (
	"errors"

	"github.com/rpchost/rpchost/examples/guests/records/recordsvc"
)

var rule = recordsvc.Rule{
	Doc: "value must not be negative (v2), and at most 1e9",
	Check: func(r recordsvc.Record) error {
		if r.Value < 0 {
			return errors.New("value must not be negative in v2")
		}
		if r.Value > 1e9 {
			return errors.New("value must be between -1e9 and 1e9")
		}
		return nil
	},
}

func init() { recordsvc.Register(rule) }

func main() {}
