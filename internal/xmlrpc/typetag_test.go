package xmlrpc

import (
	"strings"
	"testing"
)

// typeTag must read each common type tag as tag and typed would, and
// nothing else: every byte of each is changed in turn.
func TestTypeTagMatchesTag(t *testing.T) {
	pad := strings.Repeat(" ", 20)
	for k := range typeTags {
		tt, tt0 := typeTags[k], &typeTags[k]
		src := tt.lit.s
		if tt.hasRest {
			src += string([]byte{byte(tt.rest), byte(tt.rest >> 8)})
		}
		check := func(doc string, want bool) {
			t.Helper()
			d := decoder{scanner: scanner{buf: []byte(doc)}}
			got, gotTag, ok := d.typeTag()
			if ok != want {
				t.Fatalf("%q: typeTag found %v, want %v", doc, ok, want)
			}
			if !ok {
				if d.pos != 0 {
					t.Fatalf("%q: typeTag moved to %d reading nothing", doc, d.pos)
				}
				return
			}
			r := scanner{buf: []byte(doc)}
			wantTag, err := r.tag()
			if err != nil || gotTag != wantTag || d.pos != r.pos {
				t.Fatalf("%q: typeTag %+v at %d, tag %+v at %d (%v)", doc, gotTag, d.pos, wantTag, r.pos, err)
			}
			if got != tt0 {
				t.Fatalf("%q: typeTag says %q", doc, got.lit.s)
			}
		}
		check(src+pad, true)
		check(src, len(src) >= 18) // within 18 bytes of the end: left to tag
		for i := range len(src) {
			b := []byte(src + pad)
			b[i] ^= 1
			if strings.HasPrefix(string(b), "<i5>") || strings.HasPrefix(string(b), "<i8>") || strings.HasPrefix(string(b), "<i4>") {
				continue // another type tag
			}
			check(string(b), false)
		}
	}
	for _, doc := range []string{"<string >", "<ex:i8>", "<nil/>", "<string/>", " <string>", "<strings>", "<dateTime.iso8601 >"} {
		check := doc + pad
		d := decoder{scanner: scanner{buf: []byte(check)}}
		if _, _, ok := d.typeTag(); ok {
			t.Errorf("%q: typeTag found a tag", doc)
		}
	}
}
