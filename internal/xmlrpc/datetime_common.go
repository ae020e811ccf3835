package xmlrpc

import "time"

// A batch of readings has a dateTime in every struct, and reading one field
// by field (dtReader, then time.Date with its normalization and zone
// lookup) cost over a thousand instructions, a tenth of the whole parse.
// commonDateTime reads the two forms that nearly every client writes,
// 19980717T14:08:55 and 1998-07-17T14:08:55, with no fraction or offset,
// in a few dozen; anything else, or anything out of range, is left to
// parseDateTime's general reading, which then says what is wrong.

// commonDateTime returns the time of b if it is a valid dateTime in one of
// the two common forms, with a year from 1 on.
func commonDateTime(b []byte) (time.Time, bool) {
	var date [8]byte // YYYYMMDD
	var clock []byte // HH:MM:SS
	switch {
	case len(b) == 17 && b[8] == 'T':
		copy(date[:], b[:8])
		clock = b[9:]
	case len(b) == 19 && b[4] == '-' && b[7] == '-' && b[10] == 'T':
		copy(date[:4], b[:4])
		copy(date[4:6], b[5:7])
		copy(date[6:], b[8:10])
		clock = b[11:]
	default:
		return time.Time{}, false
	}
	if clock[2] != ':' || clock[5] != ':' {
		return time.Time{}, false
	}
	year, ok1 := digits2(date[0], date[1])
	y2, ok2 := digits2(date[2], date[3])
	month, ok3 := digits2(date[4], date[5])
	day, ok4 := digits2(date[6], date[7])
	hour, ok5 := digits2(clock[0], clock[1])
	minute, ok6 := digits2(clock[3], clock[4])
	sec, ok7 := digits2(clock[6], clock[7])
	year = year*100 + y2
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6 && ok7) || year < 1 ||
		month < 1 || month > 12 || day < 1 || day > monthDays(year, month) ||
		hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	unix := daysSinceEpoch(year, month, day)*86400 + int64(hour*3600+minute*60+sec)
	// time.Unix(...).UTC() is the same value as time.Date(..., time.UTC):
	// both hold no monotonic reading and a nil location.
	return time.Unix(unix, 0).UTC(), true
}

// digits2 reads two decimal digits.
func digits2(hi, lo byte) (int, bool) {
	h, l := hi-'0', lo-'0' // bytes below '0' wrap to large values
	return int(h)*10 + int(l), h <= 9 && l <= 9
}

// monthDays is how many days month (1 to 12) of year has.
func monthDays(year, month int) int {
	if month == 2 {
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	}
	return 30 + (month+month/8)%2 // 31 in Jan, Mar, May, Jul, Aug, Oct, Dec
}

// daysSinceEpoch counts days from 1970-01-01 to the given date (year from
// 1 on) in the proleptic Gregorian calendar, as time.Date does: the
// days_from_civil algorithm of Howard Hinnant, with March as the first
// month of the year so that a leap day falls at its end.
func daysSinceEpoch(year, month, day int) int64 {
	y := year
	if month <= 2 {
		y--
	}
	era := y / 400 // y >= 0
	yoe := y - era*400
	mp := (month + 9) % 12 // March is 0
	doy := (153*mp+2)/5 + day - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era*146097+doe) - 719468
}
