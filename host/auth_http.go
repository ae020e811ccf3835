package host

import (
	"errors"
	"math"
	"net/http"
	"strconv"
)

// realm is the realm of the WWW-Authenticate challenge of a 401.
const realm = "rpchost"

// callStatus is the HTTP status a front end answers a failed call with,
// setting the headers that go with it on hdr; every front end uses it, so
// that XML-RPC and JSON-RPC refuse callers alike:
//   - ErrUnauthenticated (no credentials where they are needed, or
//     credentials that name no caller): 401 with WWW-Authenticate: Basic
//     realm="rpchost", which is what makes a client such as Python's
//     ServerProxy or curl send the credentials of its URL;
//   - ErrRateLimited: 429 with Retry-After in whole seconds;
//   - anything else, ErrNotPermitted included: 200, the fault being the
//     answer (a known caller that may not call a procedure gets a fault,
//     like a call of a procedure that does not exist).
//
// The body stays the front end's fault or error either way.
func callStatus(err error, hdr http.Header) int {
	switch {
	case errors.Is(err, ErrUnauthenticated):
		hdr.Set("WWW-Authenticate", `Basic realm="`+realm+`", charset="UTF-8"`)
		return http.StatusUnauthorized
	case errors.Is(err, ErrRateLimited):
		secs := 1
		var rl *RateLimitedError
		if errors.As(err, &rl) {
			secs = max(1, int(math.Ceil(rl.RetryAfter.Seconds())))
		}
		hdr.Set("Retry-After", strconv.Itoa(secs))
		return http.StatusTooManyRequests
	}
	return http.StatusOK
}

// callStatusOr is callStatus for an answer without a fault, where 200
// cannot carry a refusal: other, then, instead of 200.
func callStatusOr(err error, hdr http.Header, other int) int {
	if s := callStatus(err, hdr); s != http.StatusOK {
		return s
	}
	return other
}
