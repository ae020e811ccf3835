package load

import (
	"errors"
	"testing"
)

func TestCheckInt(t *testing.T) {
	python := "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><int>7</int></value>\n</param>\n</params>\n</methodResponse>\n"
	rpchost := `<?xml version="1.0"?><methodResponse><params><param><value><int>7</int></value></param></params></methodResponse>`
	i8 := `<?xml version="1.0"?><methodResponse><params><param><value><i8>5000000000</i8></value></param></params></methodResponse>`
	i4 := "<methodResponse><params><param>\n  <value>\n <i4> 7 </i4></value></param></params></methodResponse>"
	fault := `<?xml version="1.0"?><methodResponse><fault><value><struct><member><name>faultCode</name><value><int>-32601</int></value></member>` +
		`<member><name>faultString</name><value><string>no method</string></value></member></struct></value></fault></methodResponse>`
	for _, c := range []struct {
		name, body string
		want       int64
		ok         bool
	}{
		{"python", python, 7, true},
		{"rpchost", rpchost, 7, true},
		{"i8", i8, 5_000_000_000, true},
		{"i4 with spaces", i4, 7, true},
		{"wrong value", rpchost, 8, false},
		{"fault", fault, 7, false},
		{"string", `<methodResponse><params><param><value><string>7</string></value></param></params></methodResponse>`, 7, false},
		{"unterminated", `<methodResponse><params><param><value><int>7</i4></value></param></params></methodResponse>`, 7, false},
		{"html", "<html>oops</html>", 7, false},
	} {
		err := CheckInt([]byte(c.body), c.want)
		if (err == nil) != c.ok {
			t.Errorf("%s: CheckInt = %v, want ok=%v", c.name, err, c.ok)
		}
		if err != nil && !errors.Is(err, ErrWrongAnswer) {
			t.Errorf("%s: %v does not wrap ErrWrongAnswer", c.name, err)
		}
	}
}

func TestCheckIntDoesNotAllocate(t *testing.T) {
	body := []byte(`<?xml version="1.0"?><methodResponse><params><param><value><int>7</int></value></param></params></methodResponse>`)
	if n := testing.AllocsPerRun(1000, func() { _ = CheckInt(body, 7) }); n != 0 {
		t.Errorf("CheckInt allocates %v times per good response", n)
	}
}
