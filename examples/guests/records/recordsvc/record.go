package recordsvc

import (
	"errors"
	"strconv"
	"time"

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

// Stored form: the MessagePack array [1, source, at, value, tags] (1 is the
// format's version; the id is the key's suffix).
const formatVersion = 1

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
