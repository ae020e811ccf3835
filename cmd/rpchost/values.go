package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/rpchost/rpchost/abi"
	"github.com/rpchost/rpchost/internal/jsonrpc"
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
// In JSON (README "JSON-RPC", its value table: the command line reads and
// prints the JSON-RPC front end's mapping, by its code), a number with a
// fraction or exponent is a double (3.0), one without an int; null is nil;
// and {"__datetime__": "2026-01-02T03:04:05Z"} and {"__base64__": "aGk="}
// stand for the types JSON lacks. The older {"$datetime": ...},
// {"$base64": ...}, {"$double": 3} and {"$int": 3} are still read.
// Results are printed in the JSON-RPC form, so that what is printed can
// be given back.

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

// parseDateTime reads a time as the JSON-RPC front end reads a
// {"__datetime__"}: RFC 3339 (2026-01-02T03:04:05Z, with a fraction or an
// offset) or XML-RPC's own 20260102T03:04:05 (no offset: UTC).
func parseDateTime(s string) (time.Time, error) {
	t, err := jsonrpc.ParseTime(s)
	if err != nil {
		return time.Time{}, fmt.Errorf("datetime %q: want 2026-01-02T03:04:05Z (RFC 3339) or 20260102T03:04:05", s)
	}
	return t, nil
}

// parseBase64 reads base64 as the JSON-RPC front end reads a
// {"__base64__"}: padding optional, line breaks ignored.
func parseBase64(s string) ([]byte, error) {
	b, err := jsonrpc.DecodeBase64(s)
	if err != nil {
		return nil, fmt.Errorf("base64 %q: %w", s, err)
	}
	return b, nil
}

// parseJSON reads one JSON value in the JSON-RPC front end's mapping,
// by its own decoder and limits (README "JSON-RPC", its value table), so
// that a value is written the same way to either. The tags the command
// line used before that, {"$datetime": ...}, {"$base64": ...},
// {"$double": ...} and {"$int": ...}, are still read, for the scripts
// written with them.
func parseJSON(s string) (any, error) {
	v, err := jsonrpc.DecodeValue([]byte(s), jsonrpc.Limits{})
	if err != nil {
		return nil, err
	}
	return untagLegacy(v)
}

// untagLegacy turns the old one-member {"$tag": ...} objects inside v into
// their values; any other struct is left as it is.
func untagLegacy(v any) (any, error) {
	switch x := v.(type) {
	case []any:
		for i, e := range x {
			var err error
			if x[i], err = untagLegacy(e); err != nil {
				return nil, err
			}
		}
	case abi.Struct:
		if len(x) == 1 {
			if v, err, known := legacyTag(x[0].Name, x[0].Value); known {
				return v, err
			}
		}
		for i := range x {
			var err error
			if x[i].Value, err = untagLegacy(x[i].Value); err != nil {
				return nil, err
			}
		}
	}
	return v, nil
}

// legacyTag reads the value of an old tag; known is false when name is
// not one.
func legacyTag(name string, v any) (_ any, err error, known bool) {
	str, isStr := v.(string)
	switch name {
	case "$datetime":
		if isStr {
			v, err = parseDateTime(str)
			return v, err, true
		}
	case "$base64":
		if isStr {
			v, err = parseBase64(str)
			return v, err, true
		}
	case "$double":
		switch n := v.(type) {
		case int64:
			return float64(n), nil, true
		case float64:
			return n, nil, true
		}
	case "$int":
		if _, ok := v.(int64); ok {
			return v, nil, true
		}
	default:
		return nil, nil, false
	}
	return nil, fmt.Errorf("%s: a %s is not a value for it", name, abi.TypeName(v)), true
}

// oneLine is the widest result printed on one line; a wider one is
// indented, to be read by a person.
const oneLine = 80

// formatValue writes v as the JSON-RPC front end writes a result, so that
// what is printed can be given back as an argument; a result wider than
// a line is indented.
func formatValue(v any) (string, error) {
	out, err := jsonrpc.AppendValue(nil, v)
	if err != nil {
		return "", fmt.Errorf("the result cannot be printed as JSON: %w", err)
	}
	if len(out) <= oneLine {
		return string(out), nil
	}
	var b bytes.Buffer
	if err := json.Indent(&b, out, "", "  "); err != nil {
		return "", err // AppendValue writes valid JSON; this is not reached
	}
	return b.String(), nil
}
