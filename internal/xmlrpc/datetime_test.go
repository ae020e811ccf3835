package xmlrpc

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"
)

func TestParseDateTime(t *testing.T) {
	cases := []struct {
		in   string
		want time.Time
	}{
		{"19980717T14:08:55", utc(1998, 7, 17, 14, 8, 55, 0)},
		{"1998-07-17T14:08:55", utc(1998, 7, 17, 14, 8, 55, 0)},
		{"19980717T140855", utc(1998, 7, 17, 14, 8, 55, 0)},
		{"20240102T03:04:05Z", utc(2024, 1, 2, 3, 4, 5, 0)},
		{"2024-01-02T03:04:05.123Z", utc(2024, 1, 2, 3, 4, 5, 123_000_000)},
		{"20240102T03:04:05.123456", utc(2024, 1, 2, 3, 4, 5, 123_456_000)},
		{"20240102T03:04:05.1234567891234", utc(2024, 1, 2, 3, 4, 5, 123_456_789)},
		{"2014-11-10T23:38:51+0000", utc(2014, 11, 10, 23, 38, 51, 0)},
		{"2014-11-10T23:38:51+02:00", utc(2014, 11, 10, 21, 38, 51, 0)},
		{"2014-11-10T23:38:51-0530", utc(2014, 11, 11, 5, 8, 51, 0)},
		{"20000229T00:00:00", utc(2000, 2, 29, 0, 0, 0, 0)},
		{"00000101T00:00:00", utc(0, 1, 1, 0, 0, 0, 0)},
		{"99991231T23:59:59", utc(9999, 12, 31, 23, 59, 59, 0)},
	}
	for _, c := range cases {
		got, problem := parseDateTime([]byte(c.in))
		if problem != "" || !got.Equal(c.want) || got.Location() != time.UTC {
			t.Errorf("%s: got %v (%q), want %v", c.in, got, problem, c.want)
		}
	}
}

func TestParseDateTimeErrors(t *testing.T) {
	cases := []struct{ in, problem string }{
		{"", "year must have 4 digits"},
		{"1998717T14:08:55", "day must have 2 digits"},
		{"19980717 14:08:55", "want 'T'"},
		{"19980717t14:08:55", "want 'T'"},
		{"1998-0717T14:08:55", "mixes the 1998-07-17 and 19980717 forms"},
		{"19980717T14:0855", "mixes the 14:08:55 and 140855 forms"},
		{"19980717T14:08", "time mixes"},
		{"19980717T14:08:5", "second must have 2 digits"},
		{"19981317T14:08:55", "month out of range"},
		{"19980017T14:08:55", "month out of range"},
		{"19980732T14:08:55", "day out of range"},
		{"19980700T14:08:55", "day out of range"},
		{"19990229T14:08:55", "day out of range"},
		{"19980717T24:00:00", "time of day out of range"},
		{"19980717T14:60:00", "time of day out of range"},
		{"19980717T14:08:60", "time of day out of range"},
		{"19980717T14:08:55.", "fraction of a second must have digits"},
		{"19980717T14:08:55+2", "offset hours must have 2 digits"},
		{"19980717T14:08:55+24:00", "offset out of range"},
		{"19980717T14:08:55+01:60", "offset out of range"},
		{"19980717T14:08:55Zjunk", `unexpected "junk" at the end`},
		{"19980717T14:08:55 +01:00", "unexpected"},
		{"00000101T00:00:00+01:00", "year out of range after conversion to UTC"},
		{"99991231T23:59:59-01:00", "year out of range"},
	}
	for _, c := range cases {
		_, problem := parseDateTime([]byte(c.in))
		if !strings.Contains(problem, c.problem) {
			t.Errorf("%s: problem %q, want %q", c.in, problem, c.problem)
		}
	}
}

func TestAppendDateTime(t *testing.T) {
	cases := []struct {
		in   time.Time
		want string
		ok   bool
	}{
		{utc(1998, 7, 17, 14, 8, 55, 999_999_999), "19980717T14:08:55", true},
		{time.Date(1998, 7, 17, 14, 8, 55, 0, time.FixedZone("x", 2*3600)), "19980717T12:08:55", true},
		{utc(5, 1, 2, 3, 4, 5, 0), "00050102T03:04:05", true},
		{utc(10000, 1, 1, 0, 0, 0, 0), "", false},
		{utc(-1, 1, 1, 0, 0, 0, 0), "", false},
	}
	for _, c := range cases {
		got, ok := appendDateTime([]byte("x"), c.in, 0)
		if ok != c.ok || (ok && string(got) != "x"+c.want) || (!ok && string(got) != "x") {
			t.Errorf("%v: got %q, %v; want %q, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestAppendDateTimeFraction(t *testing.T) {
	tm := utc(2026, 11, 25, 1, 2, 59, 999_654_321)
	for frac, want := range []string{"20261125T01:02:59", "20261125T01:02:59.9", "20261125T01:02:59.99",
		"20261125T01:02:59.999", "20261125T01:02:59.9996", "", "20261125T01:02:59.999654",
		"", "", "20261125T01:02:59.999654321"} {
		if want == "" {
			continue
		}
		if got, _ := appendDateTime(nil, tm, frac); string(got) != want {
			t.Errorf("%d digits: %s, want %s", frac, got, want)
		}
	}
	if got, _ := appendDateTime(nil, utc(2026, 1, 1, 0, 0, 0, 4_000_000), 3); string(got) != "20260101T00:00:00.004" {
		t.Errorf("leading zeros of the fraction: %s", got)
	}
}

// A fraction sent is a fraction returned, with as many digits as the
// longest one in the request; no fraction sent, none returned. Offsets are
// converted to UTC.
func TestResponseKeepsTheRequestsFraction(t *testing.T) {
	for _, c := range []struct {
		sent   []string
		digits int
		want   string // the first time, as AppendResponseTo writes it
	}{
		{[]string{"2026-11-25T01:02:03.456Z"}, 3, "20261125T01:02:03.456"},
		{[]string{"20261125T01:02:03"}, 0, "20261125T01:02:03"},
		{[]string{"20261125T01:02:03.000"}, 3, "20261125T01:02:03.000"},
		{[]string{"20261125T01:02:03.5", "20261125T01:02:03.123456"}, 6, "20261125T01:02:03.500000"},
		{[]string{"2026-11-25T03:02:03.123456789123+02:00"}, 9, "20261125T01:02:03.123456789"},
		{[]string{"20261125T01:02:03+0100"}, 0, "20261125T00:02:03"},
	} {
		var body strings.Builder
		body.WriteString("<methodCall><methodName>echo</methodName><params>")
		for _, s := range c.sent {
			body.WriteString("<param><value><dateTime.iso8601>" + s + "</dateTime.iso8601></value></param>")
		}
		body.WriteString("</params></methodCall>")
		req, err := ParseRequest([]byte(body.String()), Limits{})
		if err != nil {
			t.Fatalf("%v: %v", c.sent, err)
		}
		if req.TimeDigits != c.digits {
			t.Errorf("%v: TimeDigits = %d, want %d", c.sent, req.TimeDigits, c.digits)
		}
		out, err := AppendResponseTo(nil, &req, req.Params)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(out), "<dateTime.iso8601>"+c.want+"</dateTime.iso8601>") {
			t.Errorf("%v: response %s, want %s", c.sent, out, c.want)
		}
		// What was written reads back as the same time, to the digits kept.
		v, err := ParseResponse(out, Limits{})
		if err != nil {
			t.Fatal(err)
		}
		in := req.Params[0].(time.Time)
		back := v.([]any)[0].(time.Time)
		if d := in.Sub(back); d < 0 || d >= time.Duration(math.Pow10(9-c.digits)) {
			t.Errorf("%v: read back %v from %v", c.sent, back, in)
		}
		plain, _ := AppendResponse(nil, req.Params)
		if _, rest, _ := strings.Cut(string(plain), "<dateTime.iso8601>"); strings.Contains(rest[:strings.Index(rest, "<")], ".") {
			t.Errorf("AppendResponse wrote a fraction: %s", plain)
		}
	}
}

// commonDateTime must agree with the general reading (dtReader and
// time.Date) on every date of the years around the edge cases, in both
// forms, and leave every invalid one to it.
func TestCommonDateTimeAgrees(t *testing.T) {
	check := func(s string) {
		t.Helper()
		fast, ok := commonDateTime([]byte(s))
		slow, problem := parseDateTimeGeneral([]byte(s))
		if ok && (problem != "" || fast != slow) {
			t.Fatalf("%s: fast %v, general %v (%q)", s, fast, slow, problem)
		}
	}
	for _, year := range []int{0, 1, 2, 3, 4, 99, 100, 400, 1582, 1900, 1969, 1970, 1971, 2000, 2023, 2024, 2100, 9999} {
		for month := 0; month <= 13; month++ {
			for day := 0; day <= 32; day++ {
				for _, clock := range []string{"00:00:00", "23:59:59", "12:34:56", "24:00:00", "12:60:00", "12:00:60"} {
					check(fmt.Sprintf("%04d%02d%02dT%s", year, month, day, clock))
					check(fmt.Sprintf("%04d-%02d-%02dT%s", year, month, day, clock))
				}
			}
		}
	}
	for _, s := range []string{"1998071 T14:08:55", "19980717T14:08:5x", "1998-07-17T14-08-55", "19980717T14:08:55", "+998-07-17T14:08:55", "1998-07-1/T14:08:55", "19980717T14:08:55Z"} {
		check(s)
	}
	if _, ok := commonDateTime([]byte("20240301T12:00:17")); !ok {
		t.Fatal("the common form is not read by commonDateTime")
	}
}
