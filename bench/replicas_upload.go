package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"time"

	"github.com/rpchost/rpchost/internal/xmlrpc"
)

// uploadRow is one upload to one replica, and when each replica served it.
type uploadRow struct {
	Uploader   int           // 1-based replica the module was uploaded to
	Bytes      int           // the module's size
	Accepted   time.Duration // the PUT's own time: checked, compiled, recorded
	Served     []time.Duration
	Everywhere time.Duration // the slowest of Served
}

// replicasUploadToken is the admin token of the replicas part's servers.
const replicasUploadToken = "bench-replicas"

// measureUploads uploads n new versions of plugin "up" (examples/deploy's
// up.wasm and up-v2.wasm in turn, answering 1 and 2), each to the next
// replica, and times each until every replica, asked directly, answers
// with the new version. Each module gets a custom section holding a
// number of its own, so that it is a module no replica has compiled
// before, as a real new version is: every replica compiles it.
func (h *harness) measureUploads(ctx context.Context, replicas []*server, n int) ([]uploadRow, error) {
	var versions [2][]byte
	for i, name := range []string{"up", "up-v2"} {
		b, err := os.ReadFile(h.ws.root + "/examples/deploy/" + name + ".wasm")
		if err != nil {
			return nil, err
		}
		versions[i] = b
	}
	var rows []uploadRow
	for i := range n {
		want := int64(i%2 + 1) // up.answer of the version sent
		module := withNonce(versions[i%2], uint64(time.Now().UnixNano()))
		uploader := replicas[i%len(replicas)]
		begin := time.Now()
		if err := putPlugin(ctx, uploader.addr, "up", module); err != nil {
			return rows, fmt.Errorf("upload %d to %s: %w", i+1, uploader.name, err)
		}
		row := uploadRow{Uploader: i%len(replicas) + 1, Bytes: len(module), Accepted: time.Since(begin), Served: make([]time.Duration, len(replicas))}
		pending := len(replicas)
		deadline := begin.Add(h.opts.reloadTimeout)
		for pending > 0 {
			for j, r := range replicas {
				if row.Served[j] != 0 {
					continue
				}
				if answer(ctx, r.addr, "up.answer") == want {
					row.Served[j] = time.Since(begin)
					pending--
				}
			}
			if time.Now().After(deadline) {
				err := fmt.Errorf("upload %d to %s: not served everywhere within %v (served after %v)", i+1, uploader.name, h.opts.reloadTimeout, row.Served)
				for j, r := range replicas {
					if row.Served[j] == 0 {
						err = fmt.Errorf("%w\n%s's log ends with:\n%s", err, r.name, r.log.tail(8))
					}
				}
				return rows, err
			}
			select {
			case <-ctx.Done():
				return rows, ctx.Err()
			case <-time.After(5 * time.Millisecond):
			}
		}
		row.Everywhere = slices.Max(row.Served)
		h.logf("  upload %d (%s, %.1f MB) to replica %d: accepted in %v, served everywhere after %v (%v)",
			i+1, []string{"up", "up-v2"}[i%2], float64(len(module))/1e6, row.Uploader, row.Accepted.Round(time.Millisecond),
			row.Everywhere.Round(time.Millisecond), roundAll(row.Served))
		rows = append(rows, row)
	}
	return rows, nil
}

// withNonce appends a custom section ("bench-nonce", 8 bytes) to a wasm
// module: the code is the same, the module and its sha256 are new.
func withNonce(module []byte, nonce uint64) []byte {
	const name = "bench-nonce"
	payload := append([]byte{byte(len(name))}, name...)
	payload = binary.LittleEndian.AppendUint64(payload, nonce)
	out := slices.Clip(module)
	out = append(out, 0) // custom section id
	out = binary.AppendUvarint(out, uint64(len(payload)))
	return append(out, payload...)
}

// putPlugin uploads a module with PUT /plugins/<name>.wasm.
func putPlugin(ctx context.Context, addr, name string, module []byte) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, "http://"+addr+"/plugins/"+name+".wasm", bytes.NewReader(module))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+replicasUploadToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", resp.Status, b)
	}
	return nil
}

// answer calls a method without params and returns its int result, or -1.
func answer(ctx context.Context, addr, method string) int64 {
	body, err := post(ctx, addr, []byte("<?xml version='1.0'?>\n<methodCall>\n<methodName>"+method+"</methodName>\n<params>\n</params>\n</methodCall>\n"))
	if err != nil {
		return -1
	}
	v, err := xmlrpc.ParseResponse(body, xmlrpc.DefaultLimits())
	if n, ok := v.(int64); ok && err == nil {
		return n
	}
	return -1
}

func roundAll(ds []time.Duration) []time.Duration {
	out := make([]time.Duration, len(ds))
	for i, d := range ds {
		out[i] = d.Round(time.Millisecond)
	}
	return out
}

// uploads renders the upload-to-everywhere rows.
func (p *printer) uploads(rows []uploadRow) {
	p.f("## Upload to one replica until served by every replica\n\n")
	p.f("A new version of plugin `up` (examples/deploy's up.wasm and up-v2.wasm in turn, each with a custom section of its own, " +
		"so that no replica has compiled it before) uploaded with PUT /plugins/up.wasm to each replica in turn; every replica is asked " +
		"directly (up.answer every 5 ms) until it answers with the new version. The uploader compiles and records the module before " +
		"it answers; the others hear of it through PostgreSQL (LISTEN) and compile it themselves, at the same time, on the same CPUs.\n\n")
	var ev, acc []time.Duration
	var out [][]string
	for i, r := range rows {
		ev, acc = append(ev, r.Everywhere), append(acc, r.Accepted)
		served := ""
		for j, s := range r.Served {
			if j > 0 {
				served += ", "
			}
			served += dur(s)
		}
		out = append(out, []string{fmt.Sprint(i + 1), fmt.Sprint(r.Uploader), mib(int64(r.Bytes)), dur(r.Accepted), served, dur(r.Everywhere)})
	}
	p.table([]string{"upload", "to replica", "module", "PUT answered", "served by replica 1, 2, 3", "everywhere"}, out)
	p.f("Median: PUT answered after %s, served everywhere after **%s** (%d uploads).\n\n", dur(median(acc)), dur(median(ev)), len(rows))
}
