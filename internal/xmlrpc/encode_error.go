package xmlrpc

import (
	"strconv"
	"strings"
)

// encodeError says why a value cannot be written and where in it, so that
// the host's log points at the offending member of a guest's result.
type encodeError struct {
	rev []string // path segments, innermost first: collected as the error unwinds
	msg string
}

func (e *encodeError) Error() string {
	segs := make([]string, len(e.rev))
	for i, s := range e.rev {
		segs[len(segs)-1-i] = s
	}
	if len(segs) > 12 { // a path through a cyclic or absurdly deep value
		segs = append(segs[:8:8], append([]string{"..."}, segs[len(segs)-3:]...)...)
	}
	return "xmlrpc: cannot encode " + strings.Join(segs, "") + ": " + e.msg
}

// at adds the name of an enclosing value to the path. Appending rather
// than prefixing keeps an error from deep inside a value linear to build.
func (e *encodeError) at(segment string) *encodeError {
	e.rev = append(e.rev, segment)
	return e
}

// badText describes the character at s[i] that XML cannot carry.
func badText(s string, i int) string {
	return "byte " + strconv.Itoa(i) + " of the string: " + describeBadChar([]byte(s), i, false)
}
