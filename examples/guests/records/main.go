// Command records is the rpchost plugin behind records.*: service B's side
// of the collector scenario. It validates, normalizes and stores the
// readings service A sends (records.ingest), in the plugin's own key-value
// store, and serves them back (records.get, records.query, records.stats).
// The logic lives in package recordsvc; this file holds only what a
// deployment changes: its validation rule. Build it with
// `go run ./examples/build`.
package main

import (
	"errors"

	"github.com/rpchost/rpchost/examples/guests/records/recordsvc"
)

// ---------------------------------------------------------------------------
// The deployment's validation rule. Change it here, rebuild
// (`go run ./examples/build`) and the server picks up plugins/records.wasm
// without a restart; records already stored are kept.
// (testdata/records_v2 is the same plugin with another rule.)
// ---------------------------------------------------------------------------

var rule = recordsvc.Rule{
	Doc: "value must be between -1e9 and 1e9",
	Check: func(r recordsvc.Record) error {
		if r.Value < -1e9 || r.Value > 1e9 {
			return errors.New("value must be between -1e9 and 1e9")
		}
		return nil
	},
}

func init() { recordsvc.Register(rule) }

func main() {}
