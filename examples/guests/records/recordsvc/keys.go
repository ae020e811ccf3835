package recordsvc

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The key layout (see the package documentation):
//
//	rec/<id>                      the record: [1, source, at, value, tags]
//	src/<source>/<at>/<id>        "" (an index: one source's records by time)
//	at/<at>/<id>                  "" (an index: all records by time)
//	count/<source>                that source's number of records, in decimal
//	total                         the number of records, in decimal
//
// <at> is the time in UTC as 23 digits, YYYYMMDDhhmmssnnnnnnnnn, so that
// byte order is time order; <source> is escaped ("%" → "%25", "/" → "%2F")
// so that one source's keys are never a prefix of another's.
const (
	recPrefix   = "rec/"
	srcPrefix   = "src/"
	atPrefix    = "at/"
	countPrefix = "count/"
	totalKey    = "total"
)

// atLen is the length of an encoded time.
const atLen = 23

func recKey(id string) string { return recPrefix + id }

func escape(source string) string {
	if !strings.ContainsAny(source, "%/") {
		return source
	}
	return strings.NewReplacer("%", "%25", "/", "%2F").Replace(source)
}

func unescape(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	return strings.NewReplacer("%2F", "/", "%25", "%").Replace(s)
}

// sourceBase is the prefix of one source's index; timeBase that of the
// index over all sources.
func sourceBase(source string) string { return srcPrefix + escape(source) + "/" }

const timeBase = atPrefix

// indexKeys are the two index entries of r.
func indexKeys(r Record) [2]string {
	at := encodeAt(r.At)
	return [2]string{sourceBase(r.Source) + at + "/" + r.ID, timeBase + at + "/" + r.ID}
}

func countKey(source string) string { return countPrefix + escape(source) }

// encodeAt writes t (UTC, years 1 to 9999) as 23 digits.
func encodeAt(t time.Time) string {
	t = t.UTC()
	b := make([]byte, 0, atLen)
	b = t.AppendFormat(b, "20060102150405")
	ns := strconv.Itoa(t.Nanosecond())
	for range 9 - len(ns) {
		b = append(b, '0')
	}
	return string(append(b, ns...))
}

func decodeAt(s string) (time.Time, error) {
	if len(s) != atLen {
		return time.Time{}, fmt.Errorf("time %q: want %d digits", s, atLen)
	}
	t, err := time.Parse("20060102150405", s[:14])
	if err != nil {
		return time.Time{}, err
	}
	ns, err := strconv.Atoi(s[14:])
	if err != nil {
		return time.Time{}, err
	}
	return t.Add(time.Duration(ns)), nil
}

// idOf returns the id at the end of an index key under base.
func idOf(base, key string) (string, bool) {
	if len(key) < len(base)+atLen+2 || key[len(base)+atLen] != '/' {
		return "", false
	}
	return key[len(base)+atLen+1:], true
}

// atPrefixes returns, in order, the fewest digit strings p such that an
// encoded time lies in [lo, hi) exactly when it starts with one of them.
// lo "" means no lower bound, hi "" no upper bound. A scan of base+p for
// each p then lists the index in order without reading a key outside the
// range: at most 9 prefixes per digit on each side, fewer when the bounds
// are round (from a whole second, the last 9 digits cost nothing), and
// none that no valid time can start with (month 13, minute 60).
func atPrefixes(lo, hi string) []string {
	if hi != "" && lo >= hi {
		return nil
	}
	var out []string
	var walk func(p string)
	walk = func(p string) {
		first := p + strings.Repeat("0", atLen-len(p))
		last := p + strings.Repeat("9", atLen-len(p))
		switch {
		case !possible(p):
			return // no valid time starts with p
		case last < lo || (hi != "" && first >= hi):
			return // no time under p is in range
		case first >= lo && (hi == "" || last < hi):
			out = append(out, p) // every time under p is
			return
		}
		for d := byte('0'); d <= '9'; d++ {
			walk(p + string(d))
		}
	}
	walk("")
	return out
}

// fields are the two-digit fields of an encoded time after the year: their
// offset and range.
var fields = []struct{ at, min, max int }{
	{4, 1, 12},  // month
	{6, 1, 31},  // day
	{8, 0, 23},  // hour
	{10, 0, 59}, // minute
	{12, 0, 59}, // second
}

// possible reports whether some valid encoded time starts with the digit
// string p.
func possible(p string) bool {
	for _, f := range fields {
		switch {
		case len(p) <= f.at:
			return true
		case len(p) == f.at+1:
			tens := int(p[f.at] - '0')
			return tens*10 <= f.max && tens*10+9 >= f.min
		default:
			n := int(p[f.at]-'0')*10 + int(p[f.at+1]-'0')
			if n < f.min || n > f.max {
				return false
			}
		}
	}
	return true
}
