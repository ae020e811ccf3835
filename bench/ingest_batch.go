package main

import (
	"strconv"
	"strings"
)

// The ingest part's requests: records.ingest of 500 readings, written as
// Python's xmlrpc.client writes a list of dicts (a value per line), like
// the collectors send (examples/clients). Every reading is valid; half
// carry tags, some to lower-case and deduplicate. The request with
// sequence number n is batch n/2's: batch b's ids are b<8 digits of
// b>-<3 digits of the reading>, so an even n inserts 500 new readings and
// the odd n after it replaces the same 500 with other values and times,
// and a run measures as many replacements as inserts.
//
// All requests have the same length, so that one pre-encoded body can be
// rewritten in place for the next request (load.Config.Prepare): the
// generator patches 15 bytes per reading rather than encode 245 KB.

const (
	ingestReadings = 500
	idDigits       = 8
)

var (
	ingestSources = []string{"boiler", "attic", "cellar", "garden"}
	ingestTags    = []string{"indoor", "outdoor", "Calibrated", "battery-low", "INDOOR"}
)

// ingestBatch is the body of request n and where its variable bytes are.
type ingestBatch struct {
	body []byte
	ids  []int // offset of each reading's batch digits
	vals []int // offset of each value's 5 characters, dd.dd
	secs []int // offset of each time's seconds, ss
}

// newIngestBatch encodes request n.
func newIngestBatch(n uint64) *ingestBatch {
	b := &ingestBatch{}
	var w []byte
	w = append(w, "<?xml version='1.0'?>\n<methodCall>\n<methodName>records.ingest</methodName>\n<params>\n<param>\n<value><array><data>\n"...)
	member := func(name, open string) {
		w = append(w, "<member>\n<name>"+name+"</name>\n<value>"+open...)
	}
	for j := range ingestReadings {
		w = append(w, "<value><struct>\n"...)
		member("id", "<string>b")
		b.ids = append(b.ids, len(w))
		w = append(w, strings.Repeat("0", idDigits)+"-"+pad3(j)+"</string></value>\n</member>\n"...)
		member("source", "<string>"+ingestSources[j%len(ingestSources)]+"</string></value>\n</member>\n")
		member("at", "<dateTime.iso8601>20240301T"+pad2(j/60)+":"+pad2(j%60)+":")
		b.secs = append(b.secs, len(w))
		w = append(w, "00</dateTime.iso8601></value>\n</member>\n"...)
		member("value", "<double>")
		b.vals = append(b.vals, len(w))
		w = append(w, "00.00</double></value>\n</member>\n"...)
		if j%2 == 0 {
			member("tags", "<array><data>\n")
			w = append(w, "<value><string>"+ingestTags[j%5]+"</string></value>\n"...)
			if j%4 == 0 {
				w = append(w, "<value><string>"+ingestTags[(j/4)%5]+"</string></value>\n"...)
			}
			w = append(w, "</data></array></value>\n</member>\n"...)
		}
		w = append(w, "</struct></value>\n"...)
	}
	w = append(w, "</data></array></value>\n</param>\n</params>\n</methodCall>\n"...)
	b.body = w
	b.write(w, n)
	return b
}

// write rewrites body, a copy of b.body, as request n.
func (b *ingestBatch) write(body []byte, n uint64) {
	batch := n / 2
	for i := idDigits - 1; i >= 0; i-- {
		c := byte('0' + batch%10)
		batch /= 10
		for _, off := range b.ids {
			body[off+i] = c
		}
	}
	for j := range ingestReadings {
		h := splitmix(n*ingestReadings + uint64(j))
		v := 1000 + h%9000 // 10.00 to 99.99
		o := b.vals[j]
		body[o], body[o+1], body[o+2], body[o+3], body[o+4] = byte('0'+v/1000), byte('0'+v/100%10), '.', byte('0'+v/10%10), byte('0'+v%10)
		s := (h >> 32) % 60
		body[b.secs[j]], body[b.secs[j]+1] = byte('0'+s/10), byte('0'+s%10)
	}
}

func splitmix(x uint64) uint64 {
	x += 0x9E3779B97F4A7C15
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9
	x = (x ^ (x >> 27)) * 0x94D049BB133111EB
	return x ^ (x >> 31)
}

func pad2(n int) string { return strconv.Itoa(n/10) + strconv.Itoa(n%10) }
func pad3(n int) string { return strconv.Itoa(n/100) + pad2(n%100) }
