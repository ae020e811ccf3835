package regularfile

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// TestReadAllSizes reads content whose size was taken right, too small
// (the file grew) and too large (it shrank), with reads of every length.
func TestReadAllSizes(t *testing.T) {
	content := strings.Repeat("0123456789", 1000)
	for _, size := range []int64{0, 1, 9999, 10000, 10001, 20000} {
		for name, r := range map[string]io.Reader{
			"whole":   strings.NewReader(content),
			"onebyte": iotest.OneByteReader(strings.NewReader(content)),
			"half":    iotest.HalfReader(strings.NewReader(content)),
		} {
			b, err := readAll(r, size)
			if err != nil || string(b) != content {
				t.Errorf("size %d, %s reads: %d bytes, %v", size, name, len(b), err)
			}
		}
	}
	if _, err := readAll(iotest.ErrReader(io.ErrUnexpectedEOF), 10); err != io.ErrUnexpectedEOF {
		t.Errorf("a failing read: %v", err)
	}
}

// TestReadAllAllocatesOnce: the point of readAll, a buffer sized once.
func TestReadAllAllocatesOnce(t *testing.T) {
	content := bytes.Repeat([]byte{1}, 1<<20)
	r := bytes.NewReader(content)
	allocs := testing.AllocsPerRun(10, func() {
		r.Reset(content)
		if _, err := readAll(r, int64(len(content))); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 1 {
		t.Errorf("%v allocations reading 1 MiB of known size, want 1", allocs)
	}
}
