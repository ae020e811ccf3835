//go:build !wasip1

package main

import (
	"strconv"
	"testing"
	"time"

	"github.com/rpchost/rpchost/abi/guest"
)

// batch500 is the collector's batch: 500 readings, tags on half.
func batch500() []any {
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	b := make([]any, 500)
	for i := range b {
		if i%2 == 0 {
			b[i] = rec("r"+strconv.Itoa(i), "sensor-"+strconv.Itoa(i%7), at.Add(time.Duration(i)*time.Second),
				float64(i)*1.5-100, "Temp", "site-"+strconv.Itoa(i%3), " Outdoor ")
		} else {
			b[i] = rec("r"+strconv.Itoa(i), "sensor-"+strconv.Itoa(i%7), at.Add(time.Duration(i)*time.Second), float64(i)*1.5-100)
		}
	}
	return b
}

// BenchmarkIngest500 ingests the batch into an empty store, through
// guest.Invoke (whose own encoding and decoding count too):
//
//	go test ./examples/guests/records -run '^$' -bench Ingest500 -benchmem
func BenchmarkIngest500(b *testing.B) {
	batch := batch500()
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		guest.ResetTestStore()
		b.StartTimer()
		if _, err := guest.Invoke("ingest", batch); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkIngest500Replace ingests the batch over itself: every reading
// replaces one stored already.
func BenchmarkIngest500Replace(b *testing.B) {
	batch := batch500()
	guest.ResetTestStore()
	if _, err := guest.Invoke("ingest", batch); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := guest.Invoke("ingest", batch); err != nil {
			b.Fatal(err)
		}
	}
}
