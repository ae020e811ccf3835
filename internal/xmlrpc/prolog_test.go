package xmlrpc

import "testing"

const body = `<methodCall><methodName>m</methodName><params><param><value>caf&#233;</value></param></params></methodCall>`

func TestProlog(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want string
	}{
		{"none", body, "café"},
		{"version only", `<?xml version="1.0"?>` + body, "café"},
		{"single quotes", `<?xml version='1.0'?>` + "\n" + body, "café"},
		{"version 1.1", `<?xml version="1.1"?>` + body, "café"},
		{"spaces", `<?xml  version = "1.0"  encoding = 'UTF-8'  standalone="yes" ?>` + body, "café"},
		{"utf-8 lower", `<?xml version="1.0" encoding="utf-8"?>` + body, "café"},
		{"bom", "\xef\xbb\xbf" + body, "café"},
		{"bom and declaration", "\xef\xbb\xbf<?xml version=\"1.0\" encoding=\"UTF-8\"?>" + body, "café"},
		{"us-ascii", `<?xml version="1.0" encoding="us-ascii"?>` + body, "café"},
		{"ascii", `<?xml version="1.0" encoding="ASCII"?>` + body, "café"},
		{"latin1", "<?xml version='1.0' encoding='iso-8859-1'?><methodCall><methodName>m</methodName><params><param><value>caf\xe9 \xa9</value></param></params></methodCall>", "café ©"},
		{"latin-1 ref", `<?xml version="1.0" encoding="latin-1"?>` + body, "café"},
		{"pi not declaration", `<?xml-stylesheet href="x"?>` + body, "café"},
		{"comment first", "<!-- c -->" + body, "café"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, err := ParseRequest([]byte(c.in), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if len(req.Params) != 1 || req.Params[0] != c.want {
				t.Fatalf("got %s", show(req.Params))
			}
		})
	}
}

func TestPrologErrors(t *testing.T) {
	runErrCases(t, []errCase{
		{"unknown encoding", `<?xml version="1.0" encoding="windows-1252"?>` + body, ErrUnsupportedEncoding, []string{`encoding "windows-1252" is not supported`}},
		{"utf-16 declared", `<?xml version="1.0" encoding="UTF-16"?>` + body, ErrUnsupportedEncoding, []string{`"UTF-16"`}},
		{"utf-16 bom", "\xff\xfe<\x00?\x00", ErrUnsupportedEncoding, []string{"UTF-16"}},
		{"utf-16 be bom", "\xfe\xff\x00<", ErrUnsupportedEncoding, []string{"UTF-16"}},
		{"bom with latin1", "\xef\xbb\xbf<?xml version=\"1.0\" encoding=\"latin1\"?>" + body, ErrUnsupportedEncoding, []string{"byte order mark"}},
		{"no version", `<?xml encoding="utf-8"?>` + body, ErrNotWellFormed, []string{"in that order"}},
		{"empty declaration", `<?xml ?>` + body, ErrNotWellFormed, []string{"has no version"}},
		{"bad version", `<?xml version="2.0"?>` + body, ErrNotWellFormed, []string{`XML version "2.0" is not supported`}},
		{"wrong order", `<?xml version="1.0" standalone="yes" encoding="utf-8"?>` + body, ErrNotWellFormed, []string{"in that order"}},
		{"repeated", `<?xml version="1.0" version="1.0"?>` + body, ErrNotWellFormed, []string{"each once"}},
		{"unknown pseudo-attribute", `<?xml version="1.0" foo="bar"?>` + body, ErrNotWellFormed, []string{"unknown foo"}},
		{"unquoted", `<?xml version=1.0?>` + body, ErrNotWellFormed, []string{"not quoted"}},
		{"unclosed value", `<?xml version="1.0?>`, ErrNotWellFormed, []string{"not closed"}},
		{"unclosed", `<?xml version="1.0"`, ErrNotWellFormed, []string{"XML declaration is not closed"}},
		{"no space", `<?xml version="1.0"encoding="utf-8"?>` + body, ErrNotWellFormed, []string{"malformed XML declaration"}},
		{"no equals", `<?xml version "1.0"?>` + body, ErrNotWellFormed, []string{"malformed XML declaration"}},
	})
}

func TestCommonDeclaration(t *testing.T) {
	for in, want := range map[string]int{
		`<?xml version='1.0'?>` + "\n<a/>":                21,
		`<?xml version="1.0"?><a/>`:                       21,
		`<?xml version="1.0" encoding="UTF-8"?><a/>`:      38,
		`<?xml version="1.0" encoding="utf-8"?><a/>`:      0, // read by declaration
		`<?xml version="1.0" ?><a/>`:                      0,
		`<?xml version='1.0' encoding='iso-8859-1'?><a/>`: 0,
		`<?xml version="1.1"?><a/>`:                       0,
		`<?xml version="1.0"`:                             0,
		``:                                                0,
		`<a/>`:                                            0,
	} {
		if got := commonDeclaration([]byte(in)); got != want {
			t.Errorf("%q: got %d, want %d", in, got, want)
		}
	}
}
