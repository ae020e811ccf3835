package interrupt

import (
	"errors"
	"testing"
)

// The memory a module declares is read as written, maximum included,
// whether it is defined or imported, after other imports.
func TestDeclaredMemory(t *testing.T) {
	mod := func(sections ...[]byte) []byte {
		b := append([]byte{}, magic...)
		for _, s := range sections {
			b = append(b, s...)
		}
		return b
	}
	section := func(id byte, payload ...byte) []byte { return append([]byte{id, byte(len(payload))}, payload...) }
	for _, tc := range []struct {
		name string
		wasm []byte
		want Memory
	}{
		{"none", mod(), Memory{}},
		{"min only", mod(section(sectionMemory, 1, 0, 17)), Memory{Declared: true, Min: 17}},
		// 70,000 pages: more than wasm32 allows, and what a limit would cut.
		{"min and max", mod(section(sectionMemory, 1, 1, 2, 0xf0, 0xa2, 0x04)), Memory{Declared: true, Min: 2, Max: 70000, HasMax: true}},
		{"imported after a function", mod(section(sectionImport, 2,
			3, 'e', 'n', 'v', 1, 'f', importFunc, 0,
			3, 'e', 'n', 'v', 3, 'm', 'e', 'm', importMemory, 1, 5, 9)),
			Memory{Declared: true, Imported: true, Min: 5, Max: 9, HasMax: true}},
	} {
		got, err := DeclaredMemory(tc.wasm)
		if err != nil || got != tc.want {
			t.Errorf("%s: %+v, %v; want %+v", tc.name, got, err, tc.want)
		}
	}
	for _, bad := range [][]byte{[]byte("garbage"), mod(section(sectionMemory, 1, 1, 2)), mod([]byte{sectionMemory, 9, 1})} {
		if _, err := DeclaredMemory(bad); !errors.Is(err, ErrMalformed) {
			t.Errorf("DeclaredMemory(% x) = %v, want ErrMalformed", bad, err)
		}
	}
}
