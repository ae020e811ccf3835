package conformance_test

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"time"

	"github.com/rpchost/rpchost/abi"
)

// The suite talks to the host as a client does, in XML-RPC, written and
// read here by hand rather than by a client library: it must send exact
// types (<i4>, <i8>, an untyped value, an empty <base64/>) and see exactly
// what comes back (a struct's member order, <nil/>, <i8> versus <int>).
//
// Values are those of the abi value set (int64, float64, string, []byte,
// time.Time, []any, abi.Struct, bool, nil), plus xmlText for a value
// written as given.

// xmlText is the content of a <value> element, written as it is.
type xmlText string

// client posts XML-RPC calls to a host's handler.
type client struct{ h http.Handler }

// fault is a fault response.
type fault struct {
	Code    int64
	Message string
}

func (f *fault) Error() string { return fmt.Sprintf("fault %d: %q", f.Code, f.Message) }

// call calls method with params; a fault comes back as a *fault error,
// anything else wrong (an HTTP status, XML that does not parse) as another
// error.
func (c client) call(method string, params ...any) (any, error) {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0"?><methodCall><methodName>`)
	xml.EscapeText(&b, []byte(method))
	b.WriteString(`</methodName><params>`)
	for _, p := range params {
		b.WriteString(`<param><value>`)
		if err := writeValue(&b, p); err != nil {
			return nil, err
		}
		b.WriteString(`</value></param>`)
	}
	b.WriteString(`</params></methodCall>`)
	req := httptest.NewRequest(http.MethodPost, "/RPC2", &b)
	req.Header.Set("Content-Type", "text/xml")
	rec := httptest.NewRecorder()
	c.h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		return nil, fmt.Errorf("HTTP %d: %s", rec.Code, clip(rec.Body.String()))
	}
	return readResponse(rec.Body.Bytes())
}

func writeValue(b *bytes.Buffer, v any) error {
	switch x := v.(type) {
	case xmlText:
		b.WriteString(string(x))
	case nil:
		b.WriteString("<nil/>")
	case bool:
		if x {
			b.WriteString("<boolean>1</boolean>")
		} else {
			b.WriteString("<boolean>0</boolean>")
		}
	case int64:
		tag := "int"
		if x != int64(int32(x)) {
			tag = "i8"
		}
		fmt.Fprintf(b, "<%s>%d</%s>", tag, x, tag)
	case int:
		return writeValue(b, int64(x))
	case float64:
		b.WriteString("<double>" + strconv.FormatFloat(x, 'f', -1, 64) + "</double>")
	case string:
		b.WriteString("<string>")
		xml.EscapeText(b, []byte(x))
		b.WriteString("</string>")
	case []byte:
		b.WriteString("<base64>" + base64.StdEncoding.EncodeToString(x) + "</base64>")
	case time.Time:
		// As many digits of the second's fraction as it has: the host
		// answers with as many as the request's longest.
		s := x.UTC().Format("20060102T15:04:05.999999999")
		b.WriteString("<dateTime.iso8601>" + s + "</dateTime.iso8601>")
	case []any:
		b.WriteString("<array><data>")
		for _, e := range x {
			b.WriteString("<value>")
			if err := writeValue(b, e); err != nil {
				return err
			}
			b.WriteString("</value>")
		}
		b.WriteString("</data></array>")
	case abi.Struct:
		b.WriteString("<struct>")
		for _, m := range x {
			b.WriteString("<member><name>")
			xml.EscapeText(b, []byte(m.Name))
			b.WriteString("</name><value>")
			if err := writeValue(b, m.Value); err != nil {
				return err
			}
			b.WriteString("</value></member>")
		}
		b.WriteString("</struct>")
	default:
		return fmt.Errorf("the suite cannot write a %T", v)
	}
	return nil
}

// readResponse reads a methodResponse: its value, or its fault as a
// *fault error.
func readResponse(body []byte) (any, error) {
	d := xml.NewDecoder(bytes.NewReader(body))
	r := reader{d: d}
	if err := r.open("methodResponse"); err != nil {
		return nil, r.wrap(err, body)
	}
	el, err := r.next()
	if err != nil {
		return nil, r.wrap(err, body)
	}
	switch el.Name.Local {
	case "params":
		if err := r.open("param"); err != nil {
			return nil, r.wrap(err, body)
		}
		if err := r.open("value"); err != nil {
			return nil, r.wrap(err, body)
		}
		v, err := r.value()
		if err != nil {
			return nil, r.wrap(err, body)
		}
		return v, nil
	case "fault":
		if err := r.open("value"); err != nil {
			return nil, r.wrap(err, body)
		}
		v, err := r.value()
		if err != nil {
			return nil, r.wrap(err, body)
		}
		s, ok := v.(abi.Struct)
		if !ok || len(s) != 2 || s[0].Name != "faultCode" || s[1].Name != "faultString" {
			return nil, fmt.Errorf("a fault that is not {faultCode, faultString}: %s", clip(string(body)))
		}
		code, cok := s[0].Value.(int64)
		msg, mok := s[1].Value.(string)
		if !cok || !mok {
			return nil, fmt.Errorf("a fault whose code is not an int or message not a string: %s", clip(string(body)))
		}
		return nil, &fault{Code: code, Message: msg}
	}
	return nil, fmt.Errorf("a methodResponse holding <%s>: %s", el.Name.Local, clip(string(body)))
}

// reader walks the elements of a response.
type reader struct{ d *xml.Decoder }

func (r reader) wrap(err error, body []byte) error {
	return fmt.Errorf("read the response: %w: %s", err, clip(string(body)))
}

// next returns the next start element, skipping white space; an end
// element or text is an error.
func (r reader) next() (xml.StartElement, error) {
	for {
		tok, err := r.d.Token()
		if err != nil {
			return xml.StartElement{}, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return t, nil
		case xml.CharData:
			if len(bytes.TrimSpace(t)) != 0 {
				return xml.StartElement{}, fmt.Errorf("unexpected text %q", clip(string(t)))
			}
		case xml.EndElement:
			return xml.StartElement{}, fmt.Errorf("unexpected </%s>", t.Name.Local)
		}
	}
}

func (r reader) open(name string) error {
	el, err := r.next()
	if err == nil && el.Name.Local != name {
		err = fmt.Errorf("<%s> where <%s> was expected", el.Name.Local, name)
	}
	return err
}

// close consumes tokens up to the end of the current element, allowing
// only white space.
func (r reader) close() error {
	for {
		tok, err := r.d.Token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return nil
		case xml.CharData:
			if len(bytes.TrimSpace(t)) != 0 {
				return fmt.Errorf("unexpected text %q", clip(string(t)))
			}
		case xml.StartElement:
			return fmt.Errorf("unexpected <%s>", t.Name.Local)
		}
	}
}

// text reads the text of the current element up to its end.
func (r reader) text() (string, error) {
	var s strings.Builder
	for {
		tok, err := r.d.Token()
		if err != nil {
			return "", err
		}
		switch t := tok.(type) {
		case xml.CharData:
			s.Write(t)
		case xml.EndElement:
			return s.String(), nil
		case xml.StartElement:
			return "", fmt.Errorf("unexpected <%s> in a scalar", t.Name.Local)
		}
	}
}

// value reads what follows <value> up to and including </value>.
func (r reader) value() (any, error) {
	var text strings.Builder
	for {
		tok, err := r.d.Token()
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.CharData:
			text.Write(t)
		case xml.EndElement: // untyped: a string
			return text.String(), nil
		case xml.StartElement:
			v, err := r.typed(t.Name.Local)
			if err != nil {
				return nil, err
			}
			return v, r.close()
		}
	}
}

// typed reads one typed value whose start tag was just read, up to and
// including its end tag.
func (r reader) typed(tag string) (any, error) {
	switch tag {
	case "nil":
		return nil, r.close()
	case "array":
		if err := r.open("data"); err != nil {
			return nil, err
		}
		a := []any{}
		for {
			tok, err := r.d.Token()
			if err != nil {
				return nil, err
			}
			switch t := tok.(type) {
			case xml.StartElement:
				if t.Name.Local != "value" {
					return nil, fmt.Errorf("<%s> in an array's data", t.Name.Local)
				}
				v, err := r.value()
				if err != nil {
					return nil, err
				}
				a = append(a, v)
			case xml.EndElement: // </data>
				return a, r.close()
			}
		}
	case "struct":
		s := abi.Struct{}
		for {
			tok, err := r.d.Token()
			if err != nil {
				return nil, err
			}
			switch t := tok.(type) {
			case xml.StartElement:
				if t.Name.Local != "member" {
					return nil, fmt.Errorf("<%s> in a struct", t.Name.Local)
				}
				if err := r.open("name"); err != nil {
					return nil, err
				}
				name, err := r.text()
				if err != nil {
					return nil, err
				}
				if err := r.open("value"); err != nil {
					return nil, err
				}
				v, err := r.value()
				if err != nil {
					return nil, err
				}
				s = append(s, abi.Member{Name: name, Value: v})
				if err := r.close(); err != nil { // </member>
					return nil, err
				}
			case xml.EndElement: // </struct>
				return s, nil
			}
		}
	}
	text, err := r.text()
	if err != nil {
		return nil, err
	}
	switch tag {
	case "int", "i4", "i8":
		return strconv.ParseInt(strings.TrimSpace(text), 10, 64)
	case "boolean":
		switch strings.TrimSpace(text) {
		case "1":
			return true, nil
		case "0":
			return false, nil
		}
		return nil, fmt.Errorf("boolean %q", text)
	case "string":
		return text, nil
	case "double":
		f, err := strconv.ParseFloat(strings.TrimSpace(text), 64)
		if err == nil && (math.IsInf(f, 0) || math.IsNaN(f)) {
			err = errors.New("not finite")
		}
		return f, err
	case "base64":
		return base64.StdEncoding.DecodeString(strings.TrimSpace(text))
	case "dateTime.iso8601":
		for _, layout := range []string{"20060102T15:04:05.999999999", "2006-01-02T15:04:05.999999999Z07:00"} {
			if t, err := time.Parse(layout, strings.TrimSpace(text)); err == nil {
				return t.UTC(), nil
			}
		}
		return nil, fmt.Errorf("dateTime %q", text)
	}
	return nil, fmt.Errorf("unknown type <%s>", tag)
}

// clip shortens s for a message.
func clip(s string) string {
	const max = 300
	if len(s) <= max {
		return s
	}
	return s[:max] + fmt.Sprintf("... (%d bytes)", len(s))
}
