package jsonrpc

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"github.com/rpchost/rpchost/internal/collect"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rpchost/rpchost/abi"
)

// decoder is one parse: a token stream over the body plus the counts the
// limits bound.
type decoder struct {
	body  []byte
	dec   *scanner
	lim   Limits
	depth int   // arrays and objects open inside a value
	items int   // values counted so far (see count)
	soft  error // the first problem with a value that does not stop the parse
}

// Parse reads a request or a batch. An error means no request could be
// told apart (the body is not JSON, not a request or batch, an empty
// batch, or over a limit): it is answered by one error with a null id. A
// request that is wrong on its own carries its error in Request.Err, so
// the rest of a batch still runs.
func Parse(body []byte, lim Limits) (Message, error) {
	if err := checkUTF8(body); err != nil {
		return Message{}, err
	}
	d := &decoder{body: body, dec: newScanner(body), lim: lim.withDefaults()}
	var msg Message
	tok, err := d.token()
	if err != nil {
		return Message{}, err
	}
	switch tok {
	case json.Delim('['):
		msg.Batch = true
		for d.dec.More() {
			if len(msg.Requests) == d.lim.MaxBatch {
				return Message{}, errAt(d.dec.InputOffset(), ErrLimit, "the batch holds more than %d requests (limits.max_multicall)", d.lim.MaxBatch)
			}
			if err := d.count(); err != nil {
				return Message{}, err
			}
			tok, err := d.token()
			if err != nil {
				return Message{}, err
			}
			req, err := d.entry(tok)
			if err != nil {
				return Message{}, err
			}
			msg.Requests = append(msg.Requests, req)
		}
		if _, err := d.token(); err != nil { // ]
			return Message{}, err
		}
	default:
		req, err := d.entry(tok)
		if err != nil {
			return Message{}, err
		}
		msg.Requests = []Request{req}
	}
	if err := d.end("the request"); err != nil {
		return Message{}, err
	}
	if msg.Batch && len(msg.Requests) == 0 {
		return Message{}, errAt(0, ErrInvalidRequest, "the batch is empty")
	}
	return msg, nil
}

// DecodeValue reads data, which must hold one JSON value and nothing
// else, in the mapping the package documents (the one requests' params
// are read in), under lim's MaxDepth and MaxItems. It is how the command
// line reads a JSON argument, so that a value is written the same way
// to either. Errors wrap ErrParse, ErrInvalidParams or ErrLimit.
func DecodeValue(data []byte, lim Limits) (any, error) {
	if err := checkUTF8(data); err != nil {
		return nil, err
	}
	d := &decoder{body: data, dec: newScanner(data), lim: lim.withDefaults()}
	v, err := d.next()
	if err != nil {
		return nil, err
	}
	if err := d.end("the value"); err != nil {
		return nil, err
	}
	if d.soft != nil {
		return nil, d.soft
	}
	return v, nil
}

// end checks that only white space follows the top-level value, what.
func (d *decoder) end(what string) error {
	if _, err := d.dec.Token(); err != io.EOF {
		if err == nil {
			return errAt(d.dec.InputOffset(), ErrParse, "data after %s", what)
		}
		return err
	}
	return nil
}

// checkUTF8 refuses text that is not UTF-8, saying where it stops being.
func checkUTF8(body []byte) error {
	if utf8.Valid(body) {
		return nil
	}
	off := 0
	for off < len(body) {
		r, n := utf8.DecodeRune(body[off:])
		if r == utf8.RuneError && n <= 1 {
			break
		}
		off += n
	}
	return errAt(int64(off), ErrParse, "the body is not UTF-8")
}

// token reads the next token; its errors wrap ErrParse.
func (d *decoder) token() (json.Token, error) {
	return d.dec.Token()
}

// count counts one value against limits.max_items.
func (d *decoder) count() error {
	d.items++
	if d.items > d.lim.MaxItems {
		return errAt(d.dec.InputOffset(), ErrLimit, "the body holds more than %d values (limits.max_items)", d.lim.MaxItems)
	}
	return nil
}

// soften records the first problem with a value.
func (d *decoder) soften(err error) {
	if d.soft == nil {
		d.soft = err
	}
}

// entry reads one request, whose first token is tok. Only a syntax error
// or a limit is returned as an error; a request that is merely wrong
// carries its error.
func (d *decoder) entry(tok json.Token) (Request, error) {
	if tok != json.Delim('{') {
		start := d.dec.InputOffset()
		if _, err := d.value(tok); err != nil {
			return Request{}, err
		}
		d.soft = nil
		return Request{Err: errAt(start, ErrInvalidRequest, "a request must be an object")}, nil
	}
	var (
		req                          Request
		invalid                      error
		hasJSONRPC, hasMethod, hasID bool
		hasParams, v11, idNull       bool
	)
	bad := func(format string, args ...any) {
		if invalid == nil {
			invalid = errAt(d.dec.InputOffset(), ErrInvalidRequest, format, args...)
		}
	}
	seen := make(map[string]bool, 5)
	for d.dec.More() {
		if err := d.count(); err != nil {
			return Request{}, err
		}
		k, err := d.token()
		if err != nil {
			return Request{}, err
		}
		key := k.(string) // an object's key is always a string
		switch key {
		case "jsonrpc", "version", "method", "params", "id":
			if seen[key] {
				bad("the request has a second %q member", key)
			}
			seen[key] = true
		}
		start := d.dec.InputOffset()
		tok, err := d.token()
		if err != nil {
			return Request{}, err
		}
		d.soft = nil
		switch key {
		case "jsonrpc":
			hasJSONRPC = true
			if s, ok := tok.(string); !ok || s != "2.0" {
				bad(`"jsonrpc" must be "2.0"`)
			}
		case "version":
			s, ok := tok.(string)
			v11 = ok && s == "1.1"
		case "method":
			hasMethod = true
			if s, ok := tok.(string); ok {
				req.Method = s
			} else {
				bad(`"method" must be a string`)
			}
		case "params":
			hasParams = true
			switch tok {
			case json.Delim('['):
				if req.Params, err = d.params(); err != nil {
					return Request{}, err
				}
			case json.Delim('{'):
				s, err := d.object()
				if err != nil {
					return Request{}, err
				}
				if st, ok := s.(abi.Struct); ok {
					req.Params, req.Named = []any{st}, true
				} else if d.soft == nil { // a tagged object as params
					bad(`"params" must be an array or an object of named params`)
				}
			default:
				bad(`"params" must be an array or an object`)
			}
			if d.soft != nil && req.Err == nil {
				req.Err = d.soft
			}
			continue
		case "id":
			hasID = true
			switch tok.(type) {
			case string, int64, float64, badNumber, nil:
				req.ID = bytes.TrimSpace(bytes.TrimLeft(d.body[start:d.dec.InputOffset()], " \t\r\n:"))
				idNull = tok == nil
			default:
				bad(`"id" must be a string, a number or null`)
			}
		}
		if _, err := d.value(tok); err != nil { // the rest of a value not read above
			return Request{}, err
		}
	}
	if _, err := d.token(); err != nil { // }
		return Request{}, err
	}
	switch {
	case hasJSONRPC:
		req.Version = V2
	case v11 && hasMethod:
		req.Version = V11
	case hasMethod:
		req.Version = V1
	}
	if req.Version == V2 {
		req.Notification = !hasID
	} else {
		req.Notification = !hasID || idNull
	}
	if !hasMethod {
		bad(`the request has no "method"`)
	}
	if invalid != nil {
		req.Err = invalid
		if req.ID == nil || bytes.Equal(req.ID, []byte("null")) {
			req.ID = nil
		}
		req.Params, req.Named = nil, false
		return req, nil
	}
	if !hasParams {
		req.Params = []any{}
	}
	return req, nil
}

// value reads the value whose first token is tok. Scalars are complete
// in tok; for '[' and '{' the rest is read here.
func (d *decoder) value(tok json.Token) (any, error) {
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '[':
			return d.array()
		case '{':
			return d.object()
		}
		return nil, errAt(d.dec.InputOffset(), ErrParse, "unexpected %q", t) // encoding/json refuses first
	case string, bool, nil:
		return t, nil
	case int64, float64:
		return t, nil
	case badNumber:
		d.soften(errAt(d.dec.InputOffset(), ErrInvalidParams, "%s", numberProblem(string(t))))
		return nil, nil
	}
	return nil, errAt(d.dec.InputOffset(), ErrParse, "unexpected token %v", tok)
}

// next reads the next value, counted against limits.max_items.
func (d *decoder) next() (any, error) {
	if err := d.count(); err != nil {
		return nil, err
	}
	tok, err := d.token()
	if err != nil {
		return nil, err
	}
	return d.value(tok)
}

// params reads a params array, whose '[' was read.
func (d *decoder) params() ([]any, error) {
	var out collect.List[any]
	for d.dec.More() {
		v, err := d.next()
		if err != nil {
			return nil, err
		}
		out.Add(v)
	}
	_, err := d.token()
	return out.Result(), err
}

func (d *decoder) open() error {
	d.depth++
	if d.depth > d.lim.MaxDepth {
		return errAt(d.dec.InputOffset(), ErrLimit, "values nest more than %d levels deep (limits.max_depth)", d.lim.MaxDepth)
	}
	return nil
}

// array reads an array, whose '[' was read.
func (d *decoder) array() (any, error) {
	if err := d.open(); err != nil {
		return nil, err
	}
	v, err := d.params()
	d.depth--
	return v, err
}

// Tagged objects: the JSON forms of base64 and dateTime.
const (
	tagBase64   = "__base64__"
	tagDateTime = "__datetime__"
)

// object reads an object, whose '{' was read: an abi.Struct, or a []byte
// or time.Time for a tagged object.
func (d *decoder) object() (any, error) {
	if err := d.open(); err != nil {
		return nil, err
	}
	defer func() { d.depth-- }()
	var members collect.List[abi.Member]
	var names map[string]struct{} // past a few members, to find duplicates
	first := true
	var tagged any
	for d.dec.More() {
		if err := d.count(); err != nil {
			return nil, err
		}
		k, err := d.token()
		if err != nil {
			return nil, err
		}
		name := k.(string)
		tok, err := d.token()
		if err != nil {
			return nil, err
		}
		v, err := d.value(tok)
		if err != nil {
			return nil, err
		}
		if first && (name == tagBase64 || name == tagDateTime) {
			first = false
			tagged = d.tagged(name, v)
			if d.dec.More() {
				d.soften(errAt(d.dec.InputOffset(), ErrInvalidParams, `an object whose first member is %q must have no other member`, name))
			}
			continue
		}
		first = false
		if dup(members.SoFar(), &names, name) {
			d.soften(errAt(d.dec.InputOffset(), ErrInvalidParams, "the object has a second member %q", name))
		}
		members.Add(abi.Member{Name: name, Value: v})
	}
	if _, err := d.token(); err != nil { // }
		return nil, err
	}
	if tagged != nil {
		return tagged, nil
	}
	return abi.Struct(members.Result()), nil
}

// dup reports whether s already has a member called name: a scan while s
// is small, a set once it is not, so that n members cost O(n).
func dup(s abi.Struct, names *map[string]struct{}, name string) bool {
	const scanUpTo = 16
	if len(s) < scanUpTo {
		_, found := s.Get(name)
		return found
	}
	if *names == nil {
		*names = make(map[string]struct{}, 2*len(s))
		for _, m := range s {
			(*names)[m.Name] = struct{}{}
		}
	}
	if _, found := (*names)[name]; found {
		return true
	}
	(*names)[name] = struct{}{}
	return false
}

// tagged turns the value of a {"__base64__": ...} or {"__datetime__": ...}
// object into a []byte or time.Time; on a problem it records it and
// returns an empty value, so the parse goes on.
func (d *decoder) tagged(tag string, v any) any {
	s, ok := v.(string)
	if !ok {
		d.soften(errAt(d.dec.InputOffset(), ErrInvalidParams, "%q must be a string, got %s", tag, abi.TypeName(v)))
		return []byte{}
	}
	if tag == tagBase64 {
		b, err := DecodeBase64(s)
		if err != nil {
			d.soften(errAt(d.dec.InputOffset(), ErrInvalidParams, "%q is not base64: %v", tag, err))
			return []byte{}
		}
		return b
	}
	t, err := ParseTime(s)
	if err != nil {
		d.soften(errAt(d.dec.InputOffset(), ErrInvalidParams, "%q is not a time like 2006-01-02T15:04:05Z: %s", tag, quote(s)))
		return time.Time{}
	}
	return t
}

// DecodeBase64 reads standard base64, with or without padding, line
// breaks ignored (as XML-RPC clients wrap it): the text of a
// {"__base64__"} object, and of the command line's base64:TEXT.
func DecodeBase64(s string) ([]byte, error) {
	if strings.ContainsAny(s, "\r\n") {
		s = strings.NewReplacer("\r", "", "\n", "").Replace(s)
	}
	if len(s)%4 != 0 {
		return base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "="))
	}
	return base64.StdEncoding.DecodeString(s)
}

// timeLayouts are the forms of a {"__datetime__"} time read: RFC 3339
// (what rpchost writes), and XML-RPC's, with hyphens or not. A time
// without an offset is UTC, as the XML-RPC front end takes it.
var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"20060102T15:04:05.999999999Z07:00",
	"20060102T15:04:05.999999999",
}

// ParseTime reads the text of a {"__datetime__"} object (and the command
// line's datetime:TEXT) in one of timeLayouts, converted to UTC.
func ParseTime(s string) (time.Time, error) {
	var err error
	for _, layout := range timeLayouts {
		var t time.Time
		if t, err = time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, err
}

// numberProblem says why a number has no value in the abi set.
func numberProblem(s string) string {
	if strings.ContainsAny(s, ".eE") {
		return "the number " + quote(s) + " is beyond the range of a double"
	}
	return "the integer " + quote(s) + " is outside the 64-bit range (-9223372036854775808 to 9223372036854775807); write it with a fraction to send a double"
}

// quote shows a piece of client text in a message, cut short.
func quote(s string) string {
	const max = 40
	if len(s) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		return strconv.Quote(s[:cut]) + "..."
	}
	return strconv.Quote(s)
}

func isInvalidRequest(err error) bool { return errors.Is(err, ErrInvalidRequest) }
