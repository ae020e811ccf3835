// Command records-v2 is the records plugin (examples/guests/records) with
// another deployment rule, whose text system.methodHelp("records.ingest")
// shows: the multi-replica test (replicas_e2e_test.go) uploads it as
// records v2 while service A's collector is sending, and asks each replica
// which rule it serves. The rule accepts every reading the collector
// generates (-20 to 40), so the switch shows in the help, not in refusals.
// Rebuild with `go run ./examples/build records-v2`.
package main

import (
	"errors"

	"github.com/rpchost/rpchost/examples/guests/records/recordsvc"
)

// v2Doc is the rule's text; the test looks for "(v2)".
const v2Doc = "value must be between -1e6 and 1e6 (v2)"

var rule = recordsvc.Rule{
	Doc: v2Doc,
	Check: func(r recordsvc.Record) error {
		if r.Value < -1e6 || r.Value > 1e6 {
			return errors.New(v2Doc)
		}
		return nil
	},
}

func init() { recordsvc.Register(rule) }

func main() {}
