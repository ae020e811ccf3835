package abi

import (
	"errors"
	"strconv"
)

// ErrMalformed is wrapped by every error the decoders return for input that
// is not a well-formed ABI message. Guests are untrusted, so the host tells a
// broken guest (errors.Is(err, ErrMalformed)) apart from its own failures.
var ErrMalformed = errors.New("abi: malformed message")

// ErrTooManyValues is returned by DecodeResultWithin for a result holding
// more array elements and map members than it allows. A small encoding can
// stand for many values (an empty array is one byte of MessagePack and 43 of
// XML), so a host bounds the count as well as the bytes.
var ErrTooManyValues = errors.New("abi: the result holds more values than allowed")

// MalformedError says what was wrong with a message and at which byte
// offset, so that the author of a guest can find the bug in their encoder.
// It wraps [ErrMalformed].
type MalformedError struct {
	// Offset is the position, in bytes from the start of the message given
	// to the decoder, of the item that could not be decoded.
	Offset int
	// Reason says what was wrong, e.g. "map key is int, want str".
	Reason string
}

func (e *MalformedError) Error() string {
	return "abi: malformed message at byte " + strconv.Itoa(e.Offset) + ": " + e.Reason
}

// Unwrap makes errors.Is(err, ErrMalformed) true.
func (e *MalformedError) Unwrap() error { return ErrMalformed }
