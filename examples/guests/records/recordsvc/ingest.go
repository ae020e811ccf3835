package recordsvc

import (
	"bytes"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/rpchost/rpchost/abi/guest"
)

// ingest and ingestStrict read their batch in place and write their
// result directly (guest.RegisterTyped): inside wasm an allocation costs
// about half a microsecond, and decoding a batch into []any and abi.Struct
// cost dozens per reading. What still allocates per stored reading: one
// string holding its id, source, tags and keys, and its share of the
// arena its stored value is encoded into.

func (s *service) ingest(args guest.Args, out *guest.Writer) error {
	return s.store(args, out, false)
}

func (s *service) ingestStrict(args guest.Args, out *guest.Writer) error {
	return s.store(args, out, true)
}

// rejection is one invalid record of a batch.
type rejection struct {
	index  int
	reason string
}

// sourceDelta is the change a call makes to one source's count.
type sourceDelta struct {
	source string
	delta  int64
}

// batchState is what store keeps while it goes through a batch, reused
// from call to call (the ABI runs one call at a time per instance, and
// Invoke serializes native calls).
type batchState struct {
	scratch []byte // one record's strings and keys, before they become one string
	tagEnds []int  // where each normalized tag ends in scratch
	values  []byte // the arena stored values are encoded into (see value)
	enc     guest.Writer
	deltas  []sourceDelta
	byName  map[string]int // index into deltas, once there are many sources
	reject  []rejection
	valid   []parsedRecord // the batch's valid records, in order
	recKeys []string       // their record keys, for KVGetMany
	olds    [][]byte       // their stored versions, nil where none is
}

// store is ingest and ingestStrict.
func (s *service) store(args guest.Args, out *guest.Writer, strict bool) error {
	if err := args.Want(1); err != nil {
		return err
	}
	v, err := args.At(0)
	if err != nil {
		return err
	}
	batch, err := v.Array()
	if err != nil {
		return err
	}
	if batch.Len() > MaxBatch {
		return invalid(strconv.Itoa(batch.Len()) + " records in one call, at most " + strconv.Itoa(MaxBatch) +
			": send smaller batches")
	}
	st := &s.batch
	st.deltas, st.reject, st.byName = st.deltas[:0], st.reject[:0], nil
	var total int64
	stored, replaced := 0, 0
	// Every record is parsed and checked first, so that the old versions
	// of all ids are read in one host call per 1,000 (guest.KVGetMany)
	// rather than one each; strict mode then also stores nothing on a bad
	// record without having read anything.
	st.valid, st.recKeys = st.valid[:0], st.recKeys[:0]
	for i := 0; ; i++ {
		e, ok := batch.Next()
		if !ok {
			break
		}
		r, keys, err := st.parse(e)
		if err == nil {
			err = s.rule.Check(r)
		}
		if err != nil {
			if strict {
				return invalid("record " + strconv.Itoa(i) + idNoteOf(e) + ": " + err.Error() + "; nothing was stored")
			}
			st.reject = append(st.reject, rejection{i, err.Error()})
			continue
		}
		st.valid = append(st.valid, parsedRecord{r, keys})
		st.recKeys = append(st.recKeys, keys.rec)
	}
	olds, err := st.readOld()
	if err != nil {
		return err
	}
	var seen map[string]struct{}
	if len(st.valid) > 1 {
		seen = make(map[string]struct{}, len(st.valid))
	}
	for k, p := range st.valid {
		r, keys := p.r, p.keys
		var old oldRecord
		var found bool
		if _, again := seen[r.ID]; again {
			// An id repeated in the batch: its old version is the one
			// this call wrote, which only a read after that write sees.
			old, found, err = st.loadOld(r.ID, keys.rec)
		} else if olds[k] != nil {
			old, err = st.oldFrom(r.ID, olds[k])
			found = err == nil
		}
		if seen != nil {
			seen[r.ID] = struct{}{}
		}
		if err != nil {
			return err
		}
		if found {
			if err := guest.KVDelete(old.src); err != nil {
				return err
			}
			if err := guest.KVDelete(old.at); err != nil {
				return err
			}
			st.count(old.source, -1)
			total--
			replaced++
		}
		value, err := st.value(r)
		if err != nil {
			return err
		}
		if err := guest.KVPut(keys.rec, value); err != nil {
			return err
		}
		if err := guest.KVPut(keys.src, nil); err != nil {
			return err
		}
		if err := guest.KVPut(keys.at, nil); err != nil {
			return err
		}
		st.count(r.Source, 1)
		total++
		stored++
	}
	for _, d := range st.deltas {
		if d.delta != 0 {
			if err := addTo(countKey(d.source), d.delta); err != nil {
				return err
			}
		}
	}
	if total != 0 {
		if err := addTo(totalKey, total); err != nil {
			return err
		}
	}
	guest.Log(guest.LevelInfo, "ingest", "stored", stored, "replaced", replaced, "rejected", len(st.reject), "strict", strict)
	out.Struct(2)
	out.Name("stored")
	out.Int(int64(stored))
	out.Name("rejected")
	out.Array(len(st.reject))
	for _, r := range st.reject {
		out.Struct(2)
		out.Name("index")
		out.Int(int64(r.index))
		out.Name("reason")
		out.String(r.reason)
	}
	st.reject = st.reject[:0] // drop the reasons' strings
	return nil
}

// count adds delta to source's count change. A batch names few sources,
// so a linear search beats hashing (dear in wasm) until there are many.
func (st *batchState) count(source string, delta int64) {
	if st.byName != nil {
		if i, ok := st.byName[source]; ok {
			st.deltas[i].delta += delta
			return
		}
	} else {
		for i := range st.deltas {
			if st.deltas[i].source == source {
				st.deltas[i].delta += delta
				return
			}
		}
	}
	st.deltas = append(st.deltas, sourceDelta{source, delta})
	if st.byName == nil && len(st.deltas) > 32 {
		st.byName = make(map[string]int, 2*len(st.deltas))
		for i, d := range st.deltas {
			st.byName[d.source] = i
		}
	} else if st.byName != nil {
		st.byName[source] = len(st.deltas) - 1
	}
}

// recordKeys are the keys of one record: its own and its index entries.
type recordKeys struct{ rec, src, at string }

// span is where a string lies in scratch.
type span struct{ from, to int }

func (sp span) of(s string) string { return s[sp.from:sp.to] }

// parse reads one element of an ingest array, checks it and normalizes it
// (strings trimmed; tags trimmed, lower-cased, empty ones dropped and
// duplicates removed, first occurrence kept) and builds its keys. The
// error's text is the reason reported to the client. The record's strings
// and keys are cut from one string made of scratch.
func (st *batchState) parse(e guest.Value) (Record, recordKeys, error) {
	members, err := e.Struct()
	if err != nil {
		return Record{}, recordKeys{}, reason("want a struct, got " + e.Type())
	}
	b := st.scratch[:0]
	st.tagEnds = st.tagEnds[:0]
	var r Record
	var id, source span
	var haveID, haveSource, haveAt, haveValue, haveTags bool
	tagsFrom := 0
	for m, ok := members.Next(); ok; m, ok = members.Next() {
		switch name := m.Name(); string(name) {
		case "id":
			haveID = true
			id.from = len(b)
			b, err = appendText(b, "id", m, maxIDBytes)
			id.to = len(b)
		case "source":
			haveSource = true
			source.from = len(b)
			b, err = appendText(b, "source", m, maxSourceBytes)
			source.to = len(b)
		case "at":
			haveAt = true
			r.At, err = timestampOf(m)
		case "value":
			haveValue = true
			r.Value, err = numberOf(m)
		case "tags":
			haveTags = true
			tagsFrom = len(b)
			b, st.tagEnds, err = appendTags(b, st.tagEnds, m)
		default:
			err = reason("unknown member " + strconv.Quote(string(name)) + " (a record has id, source, at, value and tags)")
		}
		if err != nil {
			st.scratch = b
			return Record{}, recordKeys{}, err
		}
	}
	switch {
	case !haveID:
		err = reason("id is missing")
	case !haveSource:
		err = reason("source is missing")
	case !haveAt:
		err = reason("at is missing")
	case !haveValue:
		err = reason("value is missing")
	}
	if err != nil {
		st.scratch = b
		return Record{}, recordKeys{}, err
	}
	// The keys, after the strings: rec/<id>, src/<source>/<at>/<id>, at/<at>/<id>.
	var rec, src, at span
	rec.from = len(b)
	b = append(append(b, recPrefix...), b[id.from:id.to]...)
	rec.to = len(b)
	src.from = len(b)
	b = append(b, srcPrefix...)
	b = appendEscaped(b, b[source.from:source.to])
	b = append(b, '/')
	atFrom := len(b)
	b = appendAt(b, r.At)
	atTo := len(b)
	b = append(append(b, '/'), b[id.from:id.to]...)
	src.to = len(b)
	at.from = len(b)
	b = append(b, timeBase...)
	b = append(b, b[atFrom:atTo]...)
	b = append(append(b, '/'), b[id.from:id.to]...)
	at.to = len(b)
	st.scratch = b

	all := string(b) // the record's one allocation for its strings
	r.ID, r.Source = id.of(all), source.of(all)
	r.Tags = noTags
	if haveTags && len(st.tagEnds) > 0 {
		r.Tags = make([]string, len(st.tagEnds))
		from := tagsFrom
		for i, to := range st.tagEnds {
			r.Tags[i] = all[from:to]
			from = to
		}
	}
	return r, recordKeys{rec: rec.of(all), src: src.of(all), at: at.of(all)}, nil
}

// noTags is the Tags of a record without any: empty, not nil, shared.
var noTags = []string{}

// reason is a reason for rejecting a record. A plain string type keeps
// the valid path free of error values.
type reason string

func (r reason) Error() string { return string(r) }

// appendText checks a string member that must not be empty after
// trimming, and appends it trimmed.
func appendText(b []byte, name string, m guest.Value, maxBytes int) ([]byte, error) {
	s, err := m.StringBytes()
	if err != nil {
		return b, reason(name + " must be a string, got " + m.Type())
	}
	s = bytes.TrimSpace(s)
	switch {
	case len(s) == 0:
		return b, reason(name + " is empty")
	case len(s) > maxBytes:
		return b, reason(name + " is " + strconv.Itoa(len(s)) + " bytes, at most " + strconv.Itoa(maxBytes))
	case hasControl(s):
		return b, reason(name + " contains a control character")
	}
	return append(b, s...), nil
}

// hasControl is strings.IndexFunc(s, unicode.IsControl) >= 0 without the
// call per rune for ASCII.
func hasControl(s []byte) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return bytes.IndexFunc(s[i:], unicode.IsControl) >= 0
		}
		if c < 0x20 || c == 0x7f {
			return true
		}
	}
	return false
}

func timestampOf(m guest.Value) (time.Time, error) {
	t, err := m.Time()
	if err != nil {
		return time.Time{}, reason("at must be a dateTime.iso8601, got " + m.Type())
	}
	// Years minYear to maxYear, compared as seconds: t.Year costs a dozen
	// calls, dear in wasm.
	if sec := t.Unix(); sec < minUnix || sec > maxUnix {
		return time.Time{}, reason("at is in year " + strconv.Itoa(t.Year()) + ", outside " + yearRange)
	}
	return t, nil
}

// minUnix and maxUnix are the first and last seconds of years minYear to
// maxYear (0001-01-01T00:00:00Z, 9999-12-31T23:59:59Z).
const (
	minUnix = -62135596800
	maxUnix = 253402300799
)

// numberOf accepts a double or an int (some clients send whole numbers as
// ints).
func numberOf(m guest.Value) (float64, error) {
	switch m.Type() {
	case "double", "int", "i8":
	default:
		return 0, reason("value must be a number, got " + m.Type())
	}
	f, _ := m.Float()
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, reason("value must be a finite number")
	}
	return f, nil
}

// appendTags checks tags, an array of strings (nil counts as none), and
// normalizes them, appending each kept tag to b
// and where it ends to ends.
func appendTags(b []byte, ends []int, m guest.Value) ([]byte, []int, error) {
	if m.IsNil() {
		return b, ends, nil
	}
	a, err := m.Array()
	if err != nil {
		return b, ends, reason("tags must be an array of strings, got " + m.Type())
	}
	from := len(b)
	for i := 0; ; i++ {
		e, ok := a.Next()
		if !ok {
			break
		}
		s, err := e.StringBytes()
		if err != nil {
			return b, ends, reason("tags[" + strconv.Itoa(i) + "] must be a string, got " + e.Type())
		}
		start := len(b)
		b = appendLower(b, bytes.TrimSpace(s))
		t := b[start:]
		switch {
		case len(t) == 0 || containsTag(b, from, ends, t):
			b = b[:start]
			continue
		case len(t) > maxTagBytes:
			return b, ends, reason("tags[" + strconv.Itoa(i) + "] is " + strconv.Itoa(len(t)) + " bytes, at most " +
				strconv.Itoa(maxTagBytes))
		case hasControl(t):
			return b, ends, reason("tags[" + strconv.Itoa(i) + "] contains a control character")
		}
		ends = append(ends, len(b))
	}
	if len(ends) > maxTags {
		return b, ends, reason(strconv.Itoa(len(ends)) + " distinct tags, at most " + strconv.Itoa(maxTags))
	}
	return b, ends, nil
}

// containsTag reports whether t is one of the tags kept so far, which lie
// in b from from, ending at ends.
func containsTag(b []byte, from int, ends []int, t []byte) bool {
	for _, to := range ends {
		if bytes.Equal(b[from:to], t) {
			return true
		}
		from = to
	}
	return false
}

// appendLower appends s lower-cased as strings.ToLower does: byte by byte
// when it is ASCII, through strings.ToLower otherwise.
func appendLower(b, s []byte) []byte {
	for _, c := range s {
		if c >= utf8.RuneSelf {
			return append(b, strings.ToLower(string(s))...)
		}
	}
	for _, c := range s {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return b
}

// appendEscaped appends source escaped as escape does ("%" → "%25",
// "/" → "%2F").
func appendEscaped(b, source []byte) []byte {
	for _, c := range source {
		switch c {
		case '%':
			b = append(b, "%25"...)
		case '/':
			b = append(b, "%2F"...)
		default:
			b = append(b, c)
		}
	}
	return b
}

// appendAt appends t (UTC, years 1 to 9999) as encodeAt writes it. It
// computes the civil date itself (H. Hinnant's days_from_civil, inverted)
// rather than call t.Date and t.Clock: inside wasm each Go function call
// costs tens of nanoseconds, and those two make a dozen.
func appendAt(b []byte, t time.Time) []byte {
	sec := t.Unix()
	days := sec / 86400
	if sec%86400 < 0 {
		days--
	}
	rem := sec - days*86400
	z := days + 719468 // days since 0000-03-01
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097                                  // [0, 146096]
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365 // [0, 399]
	year := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100) // [0, 365], from March 1
	mp := (5*doy + 2) / 153                  // [0, 11], March = 0
	day := doy - (153*mp+2)/5 + 1
	month := mp + 3
	if mp >= 10 {
		month = mp - 9
		year++
	}
	var d [atLen]byte // YYYY MM DD hh mm ss nnnnnnnnn
	putDigits(d[0:4], year)
	putDigits(d[4:6], month)
	putDigits(d[6:8], day)
	putDigits(d[8:10], rem/3600)
	putDigits(d[10:12], rem%3600/60)
	putDigits(d[12:14], rem%60)
	putDigits(d[14:23], int64(t.Nanosecond()))
	return append(b, d[:]...)
}

// putDigits writes n (≥ 0) into d as len(d) decimal digits. It is small
// enough to be inlined.
func putDigits(d []byte, n int64) {
	for i := len(d) - 1; i >= 0; i-- {
		d[i] = byte('0' + n%10)
		n /= 10
	}
}

// valueArena is the size of the chunks stored values are encoded into.
const valueArena = 32 << 10

// value encodes r's stored form ([1, source, at, value, tags]) into the arena and returns it. Values share a chunk but
// never overlap, and a chunk is never written again once a value in it is
// handed to KVPut: a new one is taken when it is full.
func (st *batchState) value(r Record) ([]byte, error) {
	need := 48 + len(r.Source) // headers, version, time, float: at most 41 bytes
	for _, t := range r.Tags {
		need += 5 + len(t)
	}
	if cap(st.values)-len(st.values) < need {
		st.values = make([]byte, 0, max(valueArena, need))
	}
	start := len(st.values)
	w := &st.enc
	w.Reset(st.values)
	w.Array(5)
	w.Int(formatVersion)
	w.String(r.Source)
	w.Time(r.At)
	w.Float(r.Value)
	w.Array(len(r.Tags))
	for _, t := range r.Tags {
		w.String(t)
	}
	b, err := w.Finish()
	if err != nil {
		return nil, err
	}
	st.values = b
	return b[start:len(b):len(b)], nil
}

// idNoteOf names a rejected record's id when it has a readable one.
func idNoteOf(e guest.Value) string {
	members, err := e.Struct()
	if err != nil {
		return ""
	}
	for m, ok := members.Next(); ok; m, ok = members.Next() {
		if string(m.Name()) == "id" {
			if s, err := m.String(); err == nil && strings.TrimSpace(s) != "" {
				return " (id " + strconv.Quote(strings.TrimSpace(s)) + ")"
			}
		}
	}
	return ""
}

// oldRecord is what replacing a stored record needs of it: its source
// and its two index keys.
type oldRecord struct{ source, src, at string }

// parsedRecord is a valid record of the batch and its keys, waiting for
// its old version to be read.
type parsedRecord struct {
	r    Record
	keys recordKeys
}

// getManyChunk is how many old records one KVGetMany reads: one answer is
// bounded by store.max_scan_bytes (8 MiB by default), which 1,000 records
// of the largest size stay well under.
const getManyChunk = 1000

// readOld reads the stored versions of st.recKeys, nil where none is.
func (st *batchState) readOld() ([][]byte, error) {
	st.olds = st.olds[:0]
	for from := 0; from < len(st.recKeys); from += getManyChunk {
		got, err := guest.KVGetMany(st.recKeys[from:min(from+getManyChunk, len(st.recKeys))])
		if err != nil {
			return nil, err
		}
		st.olds = append(st.olds, got...)
	}
	return st.olds, nil
}

// loadOld reads the record stored under key, whose id is id, for
// replacing it.
func (st *batchState) loadOld(id, key string) (oldRecord, bool, error) {
	b, found, err := guest.KVGet(key)
	if err != nil || !found {
		return oldRecord{}, false, err
	}
	old, err := st.oldFrom(id, b)
	return old, err == nil, err
}

// oldFrom reads what replacing needs of the stored record b, whose id is
// id. The stored form written by value is read in place; any other goes
// through decodeRecord, which also words the error for a corrupt one.
func (st *batchState) oldFrom(id string, b []byte) (oldRecord, error) {
	source, at, ok := storedSourceAt(b)
	if !ok {
		r, err := decodeRecord(id, b)
		if err != nil {
			return oldRecord{}, err
		}
		k := indexKeys(r)
		return oldRecord{source: r.Source, src: k[0], at: k[1]}, nil
	}
	// source, then the two index keys, in one string.
	s := st.scratch[:0]
	s = append(s, source...)
	srcFrom := len(s)
	s = append(s, srcPrefix...)
	s = appendEscaped(s, source)
	s = append(s, '/')
	atFrom := len(s)
	s = appendAt(s, at)
	atTo := len(s)
	s = append(append(s, '/'), id...)
	timeFrom := len(s)
	s = append(s, timeBase...)
	s = append(s, s[atFrom:atTo]...)
	s = append(append(s, '/'), id...)
	st.scratch = s
	all := string(s)
	return oldRecord{source: all[:srcFrom], src: all[srcFrom:timeFrom], at: all[timeFrom:]}, nil
}

// storedSourceAt reads the source and time of a stored record as value
// writes it: [1, str (fixstr or str 8), timestamp 32/64/96, float 64,
// array of str]. It reports false for anything else (decodeRecord then
// reads it), so it checks only what it relies on: the prefix up to the
// time, well-formed, and nothing that would make decodeRecord refuse it
// in what follows (the float and the tags are checked by skipping them).
func storedSourceAt(b []byte) (source []byte, at time.Time, ok bool) {
	if len(b) < 3 || b[0] != 0x95 || b[1] != formatVersion {
		return nil, time.Time{}, false
	}
	b = b[2:]
	var n int
	switch c := b[0]; {
	case c >= 0xa0 && c <= 0xbf:
		n, b = int(c&0x1f), b[1:]
	case c == 0xd9 && len(b) >= 2:
		n, b = int(b[1]), b[2:]
	default:
		return nil, time.Time{}, false
	}
	if len(b) < n || !utf8.Valid(b[:n]) {
		return nil, time.Time{}, false
	}
	source, b = b[:n], b[n:]
	switch {
	case len(b) >= 6 && b[0] == 0xd6 && b[1] == 0xff:
		at = time.Unix(int64(be(b[2:6])), 0).UTC()
		b = b[6:]
	case len(b) >= 10 && b[0] == 0xd7 && b[1] == 0xff:
		u := be(b[2:10])
		if u>>34 >= 1e9 {
			return nil, time.Time{}, false
		}
		at = time.Unix(int64(u&(1<<34-1)), int64(u>>34)).UTC()
		b = b[10:]
	default:
		return nil, time.Time{}, false // 96-bit times (before 1970 or after 2514) go the long way
	}
	if len(b) < 10 || b[0] != 0xcb {
		return nil, time.Time{}, false
	}
	b = b[9:]
	// The tags: a fixarray of fixstr or str 8, each valid UTF-8, and nothing after.
	if b[0] < 0x90 || b[0] > 0x9f {
		return nil, time.Time{}, false
	}
	count := int(b[0] & 0x0f)
	b = b[1:]
	for range count {
		switch {
		case len(b) >= 1 && b[0] >= 0xa0 && b[0] <= 0xbf:
			n, b = int(b[0]&0x1f), b[1:]
		case len(b) >= 2 && b[0] == 0xd9:
			n, b = int(b[1]), b[2:]
		default:
			return nil, time.Time{}, false
		}
		if len(b) < n || !utf8.Valid(b[:n]) {
			return nil, time.Time{}, false
		}
		b = b[n:]
	}
	if len(b) != 0 {
		return nil, time.Time{}, false
	}
	return source, at, true
}

// be reads b as a big-endian unsigned integer.
func be(b []byte) uint64 {
	var u uint64
	for _, c := range b {
		u = u<<8 | uint64(c)
	}
	return u
}
