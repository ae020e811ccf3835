package recordsvc

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/rpchost/rpchost/abi"
)

// Record is one reading as it is stored: normalized and validated.
type Record struct {
	ID     string
	Source string
	At     time.Time // UTC
	Value  float64
	Tags   []string // lower case, no duplicates, never nil
}

// Limits of the built-in checks; a deployment's Rule comes on top.
const (
	maxIDBytes     = 200
	maxSourceBytes = 200
	maxTags        = 32
	maxTagBytes    = 64
	minYear        = 1
	maxYear        = 9999
)

// Struct is the record as XML-RPC returns it: members id, source, at,
// value, tags, in that order.
func (r Record) Struct() abi.Struct {
	tags := make([]any, len(r.Tags))
	for i, t := range r.Tags {
		tags[i] = t
	}
	return abi.Struct{
		{Name: "id", Value: r.ID},
		{Name: "source", Value: r.Source},
		{Name: "at", Value: r.At},
		{Name: "value", Value: r.Value},
		{Name: "tags", Value: tags},
	}
}

// parseRecord reads one element of an ingest array, checks it and
// normalizes it: strings trimmed, tags trimmed, lower-cased, empty ones
// dropped and duplicates removed (first occurrence kept). The error's text
// is the reason reported to the client.
func parseRecord(v any) (Record, error) {
	s, ok := v.(abi.Struct)
	if !ok {
		return Record{}, fmt.Errorf("want a struct, got %s", abi.TypeName(v))
	}
	var r Record
	var haveID, haveSource, haveAt, haveValue bool
	for _, m := range s {
		var err error
		switch m.Name {
		case "id":
			haveID = true
			r.ID, err = text("id", m.Value, maxIDBytes)
		case "source":
			haveSource = true
			r.Source, err = text("source", m.Value, maxSourceBytes)
		case "at":
			haveAt = true
			r.At, err = timestamp(m.Value)
		case "value":
			haveValue = true
			r.Value, err = number(m.Value)
		case "tags":
			r.Tags, err = tags(m.Value)
		default:
			err = fmt.Errorf("unknown member %q (a record has id, source, at, value and tags)", m.Name)
		}
		if err != nil {
			return Record{}, err
		}
	}
	for _, missing := range []struct {
		have bool
		name string
	}{{haveID, "id"}, {haveSource, "source"}, {haveAt, "at"}, {haveValue, "value"}} {
		if !missing.have {
			return Record{}, fmt.Errorf("%s is missing", missing.name)
		}
	}
	if r.Tags == nil {
		r.Tags = []string{}
	}
	return r, nil
}

// text checks a string member that must not be empty after trimming.
func text(name string, v any, maxBytes int) (string, error) {
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("%s must be a string, got %s", name, abi.TypeName(v))
	}
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return "", fmt.Errorf("%s is empty", name)
	case len(s) > maxBytes:
		return "", fmt.Errorf("%s is %d bytes, at most %d", name, len(s), maxBytes)
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		return "", fmt.Errorf("%s contains a control character", name)
	}
	return s, nil
}

func timestamp(v any) (time.Time, error) {
	t, ok := v.(time.Time)
	if !ok {
		return time.Time{}, fmt.Errorf("at must be a dateTime.iso8601, got %s", abi.TypeName(v))
	}
	t = t.UTC()
	if y := t.Year(); y < minYear || y > maxYear {
		return time.Time{}, fmt.Errorf("at is in year %d, outside %04d-%04d", y, minYear, maxYear)
	}
	return t, nil
}

// number accepts a double or an int (some clients send whole numbers as
// ints).
func number(v any) (float64, error) {
	var f float64
	switch x := v.(type) {
	case float64:
		f = x
	case int64:
		f = float64(x)
	default:
		return 0, fmt.Errorf("value must be a number, got %s", abi.TypeName(v))
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, errors.New("value must be a finite number")
	}
	return f, nil
}

// tags accepts an array of strings; nil counts as no tags.
func tags(v any) ([]string, error) {
	if v == nil {
		return []string{}, nil
	}
	a, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("tags must be an array of strings, got %s", abi.TypeName(v))
	}
	out := make([]string, 0, len(a))
	for i, e := range a {
		s, ok := e.(string)
		if !ok {
			return nil, fmt.Errorf("tags[%d] must be a string, got %s", i, abi.TypeName(e))
		}
		s = strings.ToLower(strings.TrimSpace(s))
		switch {
		case s == "" || slices.Contains(out, s):
			continue
		case len(s) > maxTagBytes:
			return nil, fmt.Errorf("tags[%d] is %d bytes, at most %d", i, len(s), maxTagBytes)
		case strings.IndexFunc(s, unicode.IsControl) >= 0:
			return nil, fmt.Errorf("tags[%d] contains a control character", i)
		}
		out = append(out, s)
	}
	if len(out) > maxTags {
		return nil, fmt.Errorf("%d distinct tags, at most %d", len(out), maxTags)
	}
	return out, nil
}

// Stored form: the MessagePack array [1, source, at, value, tags] (1 is the
// format's version; the id is the key's suffix).
const formatVersion = 1

func encodeRecord(r Record) ([]byte, error) {
	tags := make([]any, len(r.Tags))
	for i, t := range r.Tags {
		tags[i] = t
	}
	return abi.AppendValue(nil, []any{int64(formatVersion), r.Source, r.At, r.Value, tags})
}

func decodeRecord(id string, b []byte) (Record, error) {
	v, rest, err := abi.DecodeValue(b)
	if err == nil && len(rest) > 0 {
		err = errors.New("trailing bytes")
	}
	a, _ := v.([]any)
	if err == nil && (len(a) != 5 || a[0] != int64(formatVersion)) {
		err = errors.New("not a version 1 record")
	}
	if err != nil {
		return Record{}, fmt.Errorf("stored record %q is corrupt: %v", id, err)
	}
	r := Record{ID: id}
	var ok1, ok2, ok3 bool
	r.Source, ok1 = a[1].(string)
	r.At, ok2 = a[2].(time.Time)
	r.Value, ok3 = a[3].(float64)
	rawTags, ok4 := a[4].([]any)
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return Record{}, fmt.Errorf("stored record %q is corrupt: wrong member types", id)
	}
	r.Tags = make([]string, len(rawTags))
	for i, t := range rawTags {
		if r.Tags[i], ok1 = t.(string); !ok1 {
			return Record{}, fmt.Errorf("stored record %q is corrupt: tag %d is %s", id, i, abi.TypeName(t))
		}
	}
	return r, nil
}
