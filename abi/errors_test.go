package abi

import (
	"errors"
	"testing"
)

func TestMalformedErrorWrapsSentinel(t *testing.T) {
	var err error = &MalformedError{Offset: 7, Reason: "map key is int, want str"}
	if !errors.Is(err, ErrMalformed) {
		t.Fatal("errors.Is(err, ErrMalformed) = false")
	}
	const want = "abi: malformed message at byte 7: map key is int, want str"
	if got := err.Error(); got != want {
		t.Fatalf("Error() = %q, want %q", got, want)
	}
}
