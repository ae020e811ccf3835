// Package recordsvc is the logic of the records plugin: it validates,
// normalizes and stores readings that another service sends, in the
// plugin's own key-value store (the host's kv capability), and answers
// queries over them. A plugin's main package calls Register once, from init,
// with the deployment's validation Rule; examples/guests/records is the
// shipped build and testdata/records_v2 an alternative one with another
// rule.
//
// # Methods
//
//	ingest(array of records) → {stored: int, rejected: [{index: int, reason: string}]}
//	ingestStrict(array of records) → the same, or a fault at the first invalid record
//	get(id: string) → record, or fault 404
//	query({source, from, to, limit}) → array of records sorted by (at, id)
//	stats() → {count: int, bySource: {source: count}, first, last}
//
// A record is a struct {id: string, source: string, at: dateTime.iso8601,
// value: double (an int is accepted), tags: array of strings (optional)}.
//
// # Storage
//
// Keys (all in the plugin's own namespace):
//
//	rec/<id>                   the record: MessagePack [1, source, at, value, tags]
//	src/<source>/<at>/<id>     "" — index of one source's records by time
//	at/<at>/<id>               "" — index of all records by time
//	count/<source>             that source's number of records, in decimal
//	total                      the number of records, in decimal
//
// <at> is the time in UTC as 23 digits (YYYYMMDDhhmmss and nanoseconds), so
// that key order is time order; <source> is escaped ("%" → "%25", "/" →
// "%2F") so that no source's keys are a prefix of another's. A query turns
// [from, to) into a short list of digit prefixes and scans each under
// src/<source>/ (or at/ without a source) with the limit still wanted: it
// reads index entries in range only, and at most limit records.
//
// Writes of one call are committed by the host only if the call succeeds,
// so a record, its index entries and the counts change together or not at
// all; that is also what makes ingestStrict all-or-nothing. Counters change
// by guest.KVAdd, which the host sums with the stored count at the commit:
// two ingests at the same time both count, and neither has to run again.
package recordsvc

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/rpchost/rpchost/abi"
	"github.com/rpchost/rpchost/abi/guest"
)

// Rule is a deployment's own validation rule, applied after the built-in
// checks to the normalized record.
type Rule struct {
	// Doc says what Check enforces; system.methodHelp shows it, so a client
	// can tell which rule the running version has.
	Doc string
	// Check returns why r is refused (the error's text is the reason sent
	// back), or nil to accept it.
	Check func(r Record) error
}

// Fault codes of the plugin besides the SDK's -32602 for bad params.
const (
	CodeNotFound = 404 // get: no record with that id
)

// Query limits.
const (
	DefaultLimit = 100
	MaxLimit     = 1000
	// MaxBatch bounds the records of one ingest call.
	MaxBatch = 10000
	// maxSources bounds the sources stats lists.
	maxSources = 100000
)

type service struct {
	rule  Rule
	batch batchState // ingest's buffers, reused from call to call
}

// Register registers the plugin's methods with rule. Call it once, from
// init.
func Register(rule Rule) {
	if rule.Check == nil {
		rule.Check = func(Record) error { return nil }
		rule.Doc = "none"
	}
	s := &service{rule: rule}
	const recordDoc = "A record is a struct {id: string, source: string, at: dateTime.iso8601, " +
		"value: double (an int is accepted), tags: array of strings (optional)}. "
	guest.RegisterTyped("ingest", s.ingest,
		guest.Help("Validates, normalizes and stores an array of records (at most "+strconv.Itoa(MaxBatch)+"). "+recordDoc+
			"id and source must not be empty after trimming, at must be a time, value a finite number; "+
			"strings are trimmed and tags lower-cased and deduplicated. Deployment rule: "+rule.Doc+". "+
			"A record whose id is stored already replaces it. Invalid records are skipped: returns "+
			"{stored: int, rejected: [{index: int (0-based), reason: string}]}."),
		guest.Signature("struct", "array"))
	guest.RegisterTyped("ingestStrict", s.ingestStrict,
		guest.Help("Like ingest, but all or nothing: the first invalid record fails the whole call with "+
			"fault -32602 naming its index, and nothing of the call is stored (the host discards a "+
			"failing call's writes). Deployment rule: "+rule.Doc+"."),
		guest.Signature("struct", "array"))
	guest.Register("get", s.get,
		guest.Help("Returns the record with the given id as a struct {id, source, at, value, tags}, "+
			"or fault "+strconv.Itoa(CodeNotFound)+" \"no record with id ...\"."),
		guest.Signature("struct", "string"))
	guest.Register("query", s.query,
		guest.Help("Returns the records matching a filter struct, sorted by (at, id). Members, all optional: "+
			"source (string), from and to (dateTime.iso8601; from inclusive, to exclusive), "+
			"limit (int, 1 to "+strconv.Itoa(MaxLimit)+", default "+strconv.Itoa(DefaultLimit)+")."),
		guest.Signature("array", "struct"),
		guest.Signature("array"))
	guest.Register("stats", s.stats,
		guest.Help("Returns {count: int, bySource: struct of source → count, first: dateTime, last: dateTime} "+
			"(first and last, the earliest and latest at, only when there are records)."),
		guest.Signature("struct"))
}

// invalid is the fault for params the service cannot use. Messages are put
// together with strconv rather than abi.Faultf, whose formatter would add
// about 0.1 MB to the plugin.
func invalid(msg string) error {
	return &abi.Fault{Code: abi.CodeInvalidParams, Message: msg}
}

func load(id string) (Record, bool, error) {
	b, found, err := guest.KVGet(recKey(id))
	if err != nil || !found {
		return Record{}, false, err
	}
	r, err := decodeRecord(id, b)
	return r, err == nil, err
}

// readCount reads a decimal counter; a missing one is 0.
func readCount(key string) (int64, error) {
	b, found, err := guest.KVGet(key)
	if err != nil || !found {
		return 0, err
	}
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return 0, errors.New("counter " + key + " is corrupt: " + strconv.Quote(string(b)))
	}
	return n, nil
}

// addTo adds delta to a counter, which is deleted when it reaches 0. The
// host sums it at the commit (guest.KVAdd) rather than the call reading
// it: every ingest changes the same counters, and a read of them would
// make concurrent ingests conflict and run again, parsing and validating
// their whole batch a second time.
func addTo(key string, delta int64) error { return guest.KVAdd(key, delta) }

func (s *service) get(p guest.Params) (any, error) {
	if err := p.Want(1); err != nil {
		return nil, err
	}
	id, err := p.String(0)
	if err != nil {
		return nil, err
	}
	id = strings.TrimSpace(id)
	r, found, err := load(id)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, &abi.Fault{Code: CodeNotFound, Message: "no record with id " + strconv.Quote(id)}
	}
	return r.Struct(), nil
}

// filter is a parsed query filter.
type filter struct {
	source   string
	from, to string // encoded times; "" = unbounded
	empty    bool   // the range holds no time at all
	limit    int
}

func parseFilter(p guest.Params) (filter, error) {
	f := filter{limit: DefaultLimit}
	if len(p) == 0 {
		return f, nil
	}
	if err := p.Want(1); err != nil {
		return f, err
	}
	st, err := p.Struct(0)
	if err != nil {
		return f, err
	}
	bad := func(reason string) error { return invalid("filter: " + reason) }
	for _, m := range st {
		switch m.Name {
		case "source":
			s, ok := m.Value.(string)
			if !ok {
				return f, bad("source must be a string, got " + abi.TypeName(m.Value))
			}
			f.source = strings.TrimSpace(s)
		case "from", "to":
			t, ok := m.Value.(time.Time)
			if !ok {
				return f, bad(m.Name + " must be a dateTime.iso8601, got " + abi.TypeName(m.Value))
			}
			var enc string
			switch y := t.UTC().Year(); {
			case y < minYear:
				enc = "" // before every time: from is unbounded, to excludes all
				if m.Name == "to" {
					f.empty = true
				}
			case y > maxYear:
				enc = ""
				if m.Name == "from" {
					f.empty = true
				}
			default:
				enc = encodeAt(t)
			}
			if m.Name == "from" {
				f.from = enc
			} else {
				f.to = enc
			}
		case "limit":
			n, ok := m.Value.(int64)
			if !ok {
				return f, bad("limit must be an int, got " + abi.TypeName(m.Value))
			}
			if n < 1 || n > MaxLimit {
				return f, bad("limit must be between 1 and " + strconv.Itoa(MaxLimit) + ", got " + strconv.FormatInt(n, 10))
			}
			f.limit = int(n)
		default:
			return f, bad("unknown member " + strconv.Quote(m.Name) + " (a filter has source, from, to and limit)")
		}
	}
	return f, nil
}

func (s *service) query(p guest.Params) (any, error) {
	f, err := parseFilter(p)
	if err != nil {
		return nil, err
	}
	out := []any{}
	if f.empty {
		return out, nil
	}
	base := timeBase
	if f.source != "" {
		base = sourceBase(f.source)
	}
	for _, prefix := range atPrefixes(f.from, f.to) {
		pairs, err := guest.KVScan(base+prefix, f.limit-len(out))
		if err != nil {
			return nil, err
		}
		for _, kv := range pairs {
			id, ok := idOf(base, kv.Key)
			if !ok {
				continue
			}
			r, found, err := load(id)
			if err != nil {
				return nil, err
			}
			// An entry that does not match its record (left by two calls
			// replacing one id at once) is skipped rather than shown twice.
			if found && kv.Key == base+encodeAt(r.At)+"/"+r.ID && (f.source == "" || r.Source == f.source) {
				out = append(out, r.Struct())
			}
		}
		if len(out) >= f.limit {
			break
		}
	}
	return out, nil
}

func (s *service) stats(p guest.Params) (any, error) {
	if err := p.Want(0); err != nil {
		return nil, err
	}
	total, err := readCount(totalKey)
	if err != nil {
		return nil, err
	}
	pairs, err := guest.KVScan(countPrefix, maxSources)
	if err != nil {
		return nil, err
	}
	bySource := make(abi.Struct, 0, len(pairs))
	for _, kv := range pairs {
		n, err := strconv.ParseInt(string(kv.Value), 10, 64)
		if err != nil {
			return nil, errors.New("counter " + kv.Key + " is corrupt: " + strconv.Quote(string(kv.Value)))
		}
		bySource = append(bySource, abi.Member{Name: unescape(kv.Key[len(countPrefix):]), Value: n})
	}
	out := abi.Struct{{Name: "count", Value: total}, {Name: "bySource", Value: bySource}}
	if first, ok, err := firstAt(); err != nil {
		return nil, err
	} else if ok {
		last, _, err := lastAt()
		if err != nil {
			return nil, err
		}
		out = append(out, abi.Member{Name: "first", Value: first}, abi.Member{Name: "last", Value: last})
	}
	return out, nil
}

// firstAt is the earliest time in the index: one scan.
func firstAt() (time.Time, bool, error) {
	pairs, err := guest.KVScan(timeBase, 1)
	if err != nil || len(pairs) == 0 {
		return time.Time{}, false, err
	}
	return atOf(pairs[0].Key)
}

// lastAt is the latest time in the index. kv_scan only goes forwards, so
// it finds the time digit by digit, probing 9 down to 0 with one-key scans
// (at most 10 per digit).
func lastAt() (time.Time, bool, error) {
	prefix := timeBase
	for len(prefix) < len(timeBase)+atLen {
		found := false
		for d := byte('9'); d >= '0'; d-- {
			pairs, err := guest.KVScan(prefix+string(d), 1)
			if err != nil {
				return time.Time{}, false, err
			}
			if len(pairs) > 0 {
				prefix += string(d)
				found = true
				break
			}
		}
		if !found {
			return time.Time{}, false, nil
		}
	}
	return atOf(prefix + "/")
}

func atOf(key string) (time.Time, bool, error) {
	if len(key) < len(timeBase)+atLen {
		return time.Time{}, false, errors.New("index key " + strconv.Quote(key) + " is corrupt")
	}
	t, err := decodeAt(key[len(timeBase) : len(timeBase)+atLen])
	return t, err == nil, err
}
