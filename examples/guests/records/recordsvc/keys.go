package recordsvc

import (
	"errors"
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

// escape and unescape loop over the bytes rather than use a
// strings.Replacer, which would add 25 KB to the plugin.
func escape(source string) string {
	if !strings.ContainsAny(source, "%/") {
		return source
	}
	return string(appendEscaped(make([]byte, 0, len(source)+8), []byte(source)))
}

func unescape(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch {
		case strings.HasPrefix(s[i:], "%25"):
			b = append(b, '%')
			i += 2
		case strings.HasPrefix(s[i:], "%2F"):
			b = append(b, '/')
			i += 2
		default:
			b = append(b, s[i])
		}
	}
	return string(b)
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

// decodeAt reads what encodeAt wrote. It takes the digits apart itself
// rather than call time.Parse, which would add 50 KB to the plugin.
func decodeAt(s string) (time.Time, error) {
	bad := errors.New("time " + strconv.Quote(s) + ": want " + strconv.Itoa(atLen) + " digits of a valid time")
	if len(s) != atLen {
		return time.Time{}, bad
	}
	// YYYY MM DD hh mm ss nnnnnnnnn
	var n [7]int
	off := 0
	for i, width := range [7]int{4, 2, 2, 2, 2, 2, 9} {
		v, err := strconv.Atoi(s[off : off+width])
		if err != nil || s[off] < '0' || s[off] > '9' { // Atoi takes a sign
			return time.Time{}, bad
		}
		n[i] = v
		off += width
	}
	t := time.Date(n[0], time.Month(n[1]), n[2], n[3], n[4], n[5], n[6], time.UTC)
	if encodeAt(t) != s { // time.Date normalized a field out of range (month 13)
		return time.Time{}, bad
	}
	return t, nil
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
