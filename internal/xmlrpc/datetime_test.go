package xmlrpc

import (
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
		got, ok := appendDateTime([]byte("x"), c.in)
		if ok != c.ok || (ok && string(got) != "x"+c.want) || (!ok && string(got) != "x") {
			t.Errorf("%v: got %q, %v; want %q, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}
