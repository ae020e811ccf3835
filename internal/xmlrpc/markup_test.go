package xmlrpc

import "testing"

func TestMisc(t *testing.T) {
	for _, in := range []string{"", " \n\t\r", "<!-- a --> <?p?> <!---->", "<?p x y z ?>\n"} {
		s := scanner{buf: []byte(in)}
		if err := s.misc(); err != nil || s.pos != len(in) {
			t.Errorf("%q: %v at %d", in, err, s.pos)
		}
	}
	s := scanner{buf: []byte(" <!-- a --><root/>")}
	if err := s.misc(); err != nil || s.pos != 11 {
		t.Errorf("stopped at %d, %v", s.pos, err)
	}
}

func TestCommentAndPI(t *testing.T) {
	for _, c := range []struct {
		in   string
		pi   bool
		want int // offset after it, or -1 for an error
	}{
		{"<!---->x", false, 7},
		{"<!-- a - b -->x", false, 14},
		{"<!-- a -- b -->", false, -1},
		{"<!-- a --->", false, -1},
		{"<!-- a --", false, -1},
		{"<!-- a", false, -1},
		{"<?p?>x", true, 5},
		{"<?p a?b ?>x", true, 10},
		{"<?xml-model x?>x", true, 15},
		{"<?XmL x?>", true, -1},
		{"<?p", true, -1},
		{"<?pa", true, -1},
		{"<?p-x", true, -1},
		{"<? p?>", true, -1},
		{"<?p=?>", true, -1},
	} {
		s := scanner{buf: []byte(c.in)}
		var got int
		var err error
		if c.pi {
			got, err = s.pi(0)
		} else {
			got, err = s.comment(0)
		}
		if c.want < 0 {
			checkErr(t, err, ErrNotWellFormed)
		} else if err != nil || got != c.want {
			t.Errorf("%q: %d, %v; want %d", c.in, got, err, c.want)
		}
	}
}

func TestRefuseDTD(t *testing.T) {
	for _, in := range []string{"<!DOCTYPE x>", "<!ENTITY a 'b'>", "<!ELEMENT x ANY>", "<!ATTLIST x>", "<!x", "<![INCLUDE[ ]]>"} {
		s := scanner{buf: []byte(in)}
		checkErr(t, s.refuseDTD(0), ErrInvalidRequest, "DTDs and entity declarations are refused")
	}
}
