package xmlrpc

import (
	"bytes"
	"time"
)

// The spec's dateTime is 19980717T14:08:55 with no zone, but clients add
// hyphens, fractions and offsets (see the interop notes); all are read, and
// the result is always UTC: a time without an offset is taken to be UTC,
// which is what a server with no idea of the client's zone can do best, and
// one with an offset is converted to UTC. The fraction is kept to the
// nanosecond; the decoder notes how many digits the longest had, so that
// the response can write as many (AppendResponseTo) and none to a client
// that sent none.

func (d *decoder) parseDateTime(t tag, text []byte) (time.Time, error) {
	b := trimScalar(text)
	if tm, ok := commonDateTime(b); ok {
		return tm, nil // no fraction of a second
	}
	tm, problem := parseDateTime(b)
	if problem != "" {
		return time.Time{}, d.errAt(int(t.off), ErrInvalidRequest, "<%s> value %s is not a date like 19980717T14:08:55: %s", d.qname(t), quote(b), problem)
	}
	d.timeDigits = max(d.timeDigits, fractionDigits(b))
	return tm, nil
}

// fractionDigits counts the digits of a valid dateTime's fraction of a
// second, up to the 9 a time.Time holds.
func fractionDigits(b []byte) int {
	i := bytes.IndexByte(b, '.')
	if i < 0 {
		return 0
	}
	n := 0
	for _, c := range b[i+1:] {
		if c < '0' || c > '9' {
			break
		}
		n++
	}
	return min(n, 9)
}

// dtReader reads fixed-width fields, remembering the first problem.
type dtReader struct {
	b       []byte
	i       int
	problem string
}

func (r *dtReader) digits(n int, what string) int {
	if r.problem != "" {
		return 0
	}
	v := 0
	for k := 0; k < n; k++ {
		if r.i >= len(r.b) || r.b[r.i] < '0' || r.b[r.i] > '9' {
			r.problem = what + " must have " + string(rune('0'+n)) + " digits"
			return 0
		}
		v = v*10 + int(r.b[r.i]-'0')
		r.i++
	}
	return v
}

func (r *dtReader) accept(c byte) bool {
	if r.problem == "" && r.i < len(r.b) && r.b[r.i] == c {
		r.i++
		return true
	}
	return false
}

func (r *dtReader) expect(c byte, why string) {
	if r.problem == "" && !r.accept(c) {
		r.problem = why
	}
}

// parseDateTime reads YYYY[-]MM[-]DDTHH[:]MM[:]SS[.fraction][Z|±HH[:]MM].
func parseDateTime(b []byte) (time.Time, string) {
	if t, ok := commonDateTime(b); ok {
		return t, ""
	}
	return parseDateTimeGeneral(b)
}

// parseDateTimeGeneral is parseDateTime for every form.
func parseDateTimeGeneral(b []byte) (time.Time, string) {
	r := dtReader{b: b}
	year := r.digits(4, "year")
	hyphens := r.accept('-')
	month := r.digits(2, "month")
	if hyphens {
		r.expect('-', "date mixes the 1998-07-17 and 19980717 forms")
	}
	day := r.digits(2, "day")
	r.expect('T', "want 'T' between date and time")
	hour := r.digits(2, "hour")
	colons := r.accept(':')
	minute := r.digits(2, "minute")
	if colons {
		r.expect(':', "time mixes the 14:08:55 and 140855 forms")
	}
	sec := r.digits(2, "second")
	nsec := 0
	if r.accept('.') {
		start := r.i
		for scale := 100_000_000; r.i < len(b) && b[r.i] >= '0' && b[r.i] <= '9'; r.i++ {
			nsec += int(b[r.i]-'0') * scale // digits past nanoseconds add 0
			scale /= 10
		}
		if r.i == start {
			r.problem = "fraction of a second must have digits"
		}
	}
	offset := 0
	if r.accept('Z') {
	} else if r.problem == "" && r.i < len(b) && (b[r.i] == '+' || b[r.i] == '-') {
		sign := 1
		if b[r.i] == '-' {
			sign = -1
		}
		r.i++
		oh := r.digits(2, "offset hours")
		r.accept(':')
		om := r.digits(2, "offset minutes")
		if r.problem == "" && (oh > 23 || om > 59) {
			r.problem = "offset out of range"
		}
		offset = sign * (oh*3600 + om*60)
	}
	if r.problem == "" && r.i < len(b) {
		r.problem = "unexpected " + quote(b[r.i:]) + " at the end"
	}
	if r.problem != "" {
		return time.Time{}, r.problem
	}
	switch {
	case month < 1 || month > 12:
		return time.Time{}, "month out of range"
	case day < 1 || day > daysIn(year, month):
		return time.Time{}, "day out of range"
	case hour > 23 || minute > 59 || sec > 59:
		return time.Time{}, "time of day out of range"
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC).Add(-time.Duration(offset) * time.Second)
	if y := t.Year(); y < 0 || y > 9999 {
		// The encoder could not write it back in four digits.
		return time.Time{}, "year out of range after conversion to UTC"
	}
	return t, ""
}

func daysIn(year, month int) int {
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// appendDateTime writes t in UTC in the spec's form, which every client
// reads, followed by frac digits of its fraction of a second (cut, not
// rounded, so that 59.9999 never becomes the next minute). With frac 0 the
// fraction is dropped, because several clients (Python's with
// use_builtin_types, Ruby's) reject one. With frac fracExact (requests
// only) the fraction gets as many digits as it needs, and none when it is 0.
func appendDateTime(dst []byte, t time.Time, frac int) ([]byte, bool) {
	t = t.UTC()
	year, month, day := t.Date()
	if year < 0 || year > 9999 {
		return dst, false
	}
	hour, minute, sec := t.Clock()
	dst = appendDigits(dst, year, 4)
	dst = appendDigits(dst, int(month), 2)
	dst = appendDigits(dst, day, 2)
	dst = append(dst, 'T')
	dst = appendDigits(dst, hour, 2)
	dst = append(dst, ':')
	dst = appendDigits(dst, minute, 2)
	dst = append(dst, ':')
	dst = appendDigits(dst, sec, 2)
	if frac == fracExact {
		frac = 0
		for ns := t.Nanosecond(); ns != 0; ns = ns % 100_000_000 * 10 {
			frac++
		}
	}
	if frac > 0 {
		ns := t.Nanosecond()
		for k := frac; k < 9; k++ {
			ns /= 10
		}
		dst = appendDigits(append(dst, '.'), ns, frac)
	}
	return dst, true
}

// fracExact asks appendDateTime for every nonzero digit of the fraction.
const fracExact = -1

func appendDigits(dst []byte, v, width int) []byte {
	var buf [9]byte
	for i := width - 1; i >= 0; i-- {
		buf[i] = byte('0' + v%10)
		v /= 10
	}
	return append(dst, buf[:width]...)
}
