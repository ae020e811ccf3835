package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/rpchost/rpchost/abi"
)

// How the command line writes XML-RPC values (README "The command line"
// states the same):
//
//	3, -1            int (i8 beyond 32 bits; beyond 64 bits an error)
//	1.5, 3.0, 1e3    double
//	true, false      boolean
//	nil              nil
//	[...], {...}, "..."  JSON, with the tags below
//	anything else    string
//	TYPE:TEXT        a typed value: int:3 (or i4:), i8:3, double:3,
//	                 bool:true (or boolean:), str:3 (or string:),
//	                 datetime:2026-01-02T03:04:05Z (or dateTime.iso8601:),
//	                 base64:aGk=, json:JSON
//
// In JSON, a number with a fraction or exponent is a double (3.0), one
// without an int; null is nil; and objects of one tagged member stand for
// the types JSON lacks: {"$datetime": "2026-01-02T03:04:05Z"},
// {"$base64": "aGk="}, {"$double": 3}, {"$int": 3}. Results are printed in
// this JSON form, so that what is printed can be given back.

var (
	intRE   = regexp.MustCompile(`^[+-]?[0-9]+$`)
	floatRE = regexp.MustCompile(`^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$`)
)

// parseArg reads a command-line word as the value a person means by it.
func parseArg(s string) (any, error) {
	if typ, text, ok := strings.Cut(s, ":"); ok {
		if v, err, known := parseTyped(typ, text); known {
			return v, err
		}
	}
	switch s {
	case "true":
		return true, nil
	case "false":
		return false, nil
	case "nil":
		return nil, nil
	}
	if intRE.MatchString(s) {
		return parseInt(s, 64)
	}
	if floatRE.MatchString(s) && strings.ContainsAny(s, ".eE") {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, fmt.Errorf("%s is beyond what a double holds; send it as str:%s", s, s)
		}
		return f, nil
	}
	if t := strings.TrimSpace(s); strings.HasPrefix(t, "[") || strings.HasPrefix(t, "{") || strings.HasPrefix(t, `"`) {
		v, err := parseJSON(t)
		if err != nil {
			return nil, fmt.Errorf("%q looks like JSON but is not: %w", s, err)
		}
		return v, nil
	}
	return s, nil
}

// parseTyped reads TYPE:TEXT; known is false when TYPE is not a type name,
// so that "http://x" or "a:b" stay strings.
func parseTyped(typ, text string) (v any, err error, known bool) {
	switch typ {
	case "int", "i4":
		v, err = parseInt(text, 32)
	case "i8":
		v, err = parseInt(text, 64)
	case "double":
		f, perr := strconv.ParseFloat(text, 64)
		switch {
		case perr != nil:
			err = fmt.Errorf("double:%s: not a number", text)
		case math.IsInf(f, 0) || math.IsNaN(f):
			err = fmt.Errorf("double:%s: XML-RPC has no infinities or NaN", text)
		}
		v = f
	case "bool", "boolean":
		b, perr := strconv.ParseBool(text)
		if perr != nil {
			err = fmt.Errorf("%s:%s: want true or false", typ, text)
		}
		v = b
	case "str", "string":
		v = text
	case "datetime", "dateTime.iso8601":
		v, err = parseDateTime(text)
	case "base64":
		v, err = parseBase64(text)
	case "json":
		v, err = parseJSON(text)
	default:
		return nil, nil, false
	}
	return v, err, true
}

func parseInt(s string, bits int) (any, error) {
	n, err := strconv.ParseInt(s, 10, bits)
	if err != nil {
		if bits == 32 {
			return nil, fmt.Errorf("%s does not fit in an int (32 bits); use i8:%s", s, s)
		}
		return nil, fmt.Errorf("%s does not fit in an i8 (64 bits); send it as double:%s or str:%s", s, s, s)
	}
	return n, nil
}

// parseDateTime accepts RFC 3339 (2026-01-02T03:04:05Z, with a fraction or
// an offset) and XML-RPC's own 20260102T03:04:05 (taken as UTC).
func parseDateTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse("20060102T15:04:05", s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("datetime %q: want 2026-01-02T03:04:05Z (RFC 3339) or 20260102T03:04:05", s)
}

func parseBase64(s string) ([]byte, error) {
	if b, err := base64.StdEncoding.DecodeString(s); err == nil {
		return b, nil
	}
	b, err := base64.RawStdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("base64 %q: %w", s, err)
	}
	return b, nil
}

// parseJSON reads one JSON value with the tags above. Objects are read
// token by token so that a struct keeps its members' order.
func parseJSON(s string) (any, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	v, err := jsonValue(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("more than one JSON value")
	}
	return v, nil
}

func jsonValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch x := tok.(type) {
	case json.Delim:
		if x == '[' {
			out := []any{}
			for dec.More() {
				v, err := jsonValue(dec)
				if err != nil {
					return nil, err
				}
				out = append(out, v)
			}
			_, err := dec.Token()
			return out, err
		}
		out := abi.Struct{}
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return nil, err
			}
			v, err := jsonValue(dec)
			if err != nil {
				return nil, err
			}
			out = append(out, abi.Member{Name: k.(string), Value: v})
		}
		if _, err := dec.Token(); err != nil {
			return nil, err
		}
		return untag(out)
	case json.Number:
		if !strings.ContainsAny(x.String(), ".eE") {
			return parseInt(x.String(), 64)
		}
		return x.Float64()
	case nil, bool, string:
		return x, nil
	}
	return nil, fmt.Errorf("unexpected JSON token %v", tok)
}

// untag turns a one-member object whose name is a tag into its value.
func untag(s abi.Struct) (any, error) {
	if len(s) != 1 || !strings.HasPrefix(s[0].Name, "$") {
		return s, nil
	}
	tag, v := s[0].Name, s[0].Value
	str, isStr := v.(string)
	switch tag {
	case "$datetime":
		if isStr {
			return parseDateTime(str)
		}
	case "$base64":
		if isStr {
			return parseBase64(str)
		}
	case "$double":
		switch n := v.(type) {
		case int64:
			return float64(n), nil
		case float64:
			return n, nil
		}
	case "$int":
		if _, ok := v.(int64); ok {
			return v, nil
		}
	default:
		return nil, fmt.Errorf("unknown tag %s: want $datetime, $base64, $double or $int (a struct with one member named %s cannot be written)", tag, tag)
	}
	return nil, fmt.Errorf("%s: a %s is not a value for it", tag, abi.TypeName(v))
}

// formatValue writes v in the JSON form parseJSON reads, indented.
func formatValue(v any) (string, error) {
	var b bytes.Buffer
	if err := writeValue(&b, v, ""); err != nil {
		return "", err
	}
	return b.String(), nil
}

func writeValue(b *bytes.Buffer, v any, indent string) error {
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case float64:
		s := strconv.FormatFloat(x, 'g', -1, 64)
		if !strings.ContainsAny(s, ".eEIN") { // 3 is an int: a double prints as 3.0
			s += ".0"
		}
		b.WriteString(s)
	case string:
		writeString(b, x)
	case []byte:
		b.WriteString(`{"$base64": `)
		writeString(b, base64.StdEncoding.EncodeToString(x))
		b.WriteString("}")
	case time.Time:
		b.WriteString(`{"$datetime": `)
		writeString(b, x.UTC().Format(time.RFC3339Nano))
		b.WriteString("}")
	case []any:
		if len(x) == 0 {
			b.WriteString("[]")
			return nil
		}
		b.WriteString("[\n")
		for i, e := range x {
			b.WriteString(indent + "  ")
			if err := writeValue(b, e, indent+"  "); err != nil {
				return err
			}
			if i < len(x)-1 {
				b.WriteString(",")
			}
			b.WriteString("\n")
		}
		b.WriteString(indent + "]")
	case abi.Struct:
		if len(x) == 0 {
			b.WriteString("{}")
			return nil
		}
		b.WriteString("{\n")
		for i, m := range x {
			b.WriteString(indent + "  ")
			writeString(b, m.Name)
			b.WriteString(": ")
			if err := writeValue(b, m.Value, indent+"  "); err != nil {
				return err
			}
			if i < len(x)-1 {
				b.WriteString(",")
			}
			b.WriteString("\n")
		}
		b.WriteString(indent + "}")
	default:
		return fmt.Errorf("cannot print a %T", v)
	}
	return nil
}

func writeString(b *bytes.Buffer, s string) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)       // a string always encodes
	b.Truncate(b.Len() - 1) // Encode's newline
}
