package recordsvc

import (
	"errors"
	"math"
	"slices"
	"strconv"
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
	yearRange      = "0001-9999" // minYear-maxYear, as at's error states it
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
		return Record{}, errors.New("want a struct, got " + abi.TypeName(v))
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
			err = errors.New("unknown member " + strconv.Quote(m.Name) + " (a record has id, source, at, value and tags)")
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
			return Record{}, errors.New(missing.name + " is missing")
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
		return "", errors.New(name + " must be a string, got " + abi.TypeName(v))
	}
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return "", errors.New(name + " is empty")
	case len(s) > maxBytes:
		return "", errors.New(name + " is " + strconv.Itoa(len(s)) + " bytes, at most " + strconv.Itoa(maxBytes))
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		return "", errors.New(name + " contains a control character")
	}
	return s, nil
}

func timestamp(v any) (time.Time, error) {
	t, ok := v.(time.Time)
	if !ok {
		return time.Time{}, errors.New("at must be a dateTime.iso8601, got " + abi.TypeName(v))
	}
	t = t.UTC()
	if y := t.Year(); y < minYear || y > maxYear {
		return time.Time{}, errors.New("at is in year " + strconv.Itoa(y) + ", outside " + yearRange)
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
		return 0, errors.New("value must be a number, got " + abi.TypeName(v))
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
		return nil, errors.New("tags must be an array of strings, got " + abi.TypeName(v))
	}
	out := make([]string, 0, len(a))
	for i, e := range a {
		s, ok := e.(string)
		if !ok {
			return nil, errors.New("tags[" + strconv.Itoa(i) + "] must be a string, got " + abi.TypeName(e))
		}
		s = strings.ToLower(strings.TrimSpace(s))
		switch {
		case s == "" || slices.Contains(out, s):
			continue
		case len(s) > maxTagBytes:
			return nil, errors.New("tags[" + strconv.Itoa(i) + "] is " + strconv.Itoa(len(s)) + " bytes, at most " +
				strconv.Itoa(maxTagBytes))
		case strings.IndexFunc(s, unicode.IsControl) >= 0:
			return nil, errors.New("tags[" + strconv.Itoa(i) + "] contains a control character")
		}
		out = append(out, s)
	}
	if len(out) > maxTags {
		return nil, errors.New(strconv.Itoa(len(out)) + " distinct tags, at most " + strconv.Itoa(maxTags))
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
		return Record{}, errors.New("stored record " + strconv.Quote(id) + " is corrupt: " + err.Error())
	}
	r := Record{ID: id}
	var ok1, ok2, ok3 bool
	r.Source, ok1 = a[1].(string)
	r.At, ok2 = a[2].(time.Time)
	r.Value, ok3 = a[3].(float64)
	rawTags, ok4 := a[4].([]any)
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return Record{}, errors.New("stored record " + strconv.Quote(id) + " is corrupt: wrong member types")
	}
	r.Tags = make([]string, len(rawTags))
	for i, t := range rawTags {
		if r.Tags[i], ok1 = t.(string); !ok1 {
			return Record{}, errors.New("stored record " + strconv.Quote(id) + " is corrupt: tag " + strconv.Itoa(i) +
				" is " + abi.TypeName(t))
		}
	}
	return r, nil
}
