package host

import (
	"fmt"
	"strings"
)

// examples writes one call of method in Python, curl and the rpchost CLI,
// with a sample value for each param type of the method's first
// signature. Method names hold only A-Z a-z 0-9 _ . : / (abi.CheckMethodName)
// and the samples no quote, so every example is safe inside the single
// quotes of a shell and the double quotes of Python as written.
func examples(endpoint, method string, params []string) (python, curl, cli string) {
	py := make([]string, len(params))
	xml := make([]string, len(params))
	args := make([]string, len(params))
	for i, t := range params {
		s := sampleOf(t, i)
		py[i], xml[i], args[i] = s.python, "<param><value>"+s.xml+"</value></param>", s.cli
	}
	call := "s." + method
	if !pythonAttribute(method) {
		call = fmt.Sprintf("getattr(s, %q)", method)
	}
	python = fmt.Sprintf("import xmlrpc.client\ns = xmlrpc.client.ServerProxy(%q, allow_none=True)\nprint(%s(%s))",
		endpoint, call, strings.Join(py, ", "))
	curl = fmt.Sprintf("curl -s %s -H 'Content-Type: text/xml' --data-binary \\\n  '<?xml version=\"1.0\"?><methodCall><methodName>%s</methodName><params>%s</params></methodCall>'",
		endpoint, method, strings.Join(xml, ""))
	cli = strings.Join(append([]string{"rpchost call --server", endpoint, method}, args...), " ")
	return python, curl, cli
}

// sample is one value of a type, as each client writes it.
type sample struct{ python, xml, cli string }

// sampleOf is a value of XML-RPC type t (abi.TypeNames) for the i-th param.
func sampleOf(t string, i int) sample {
	n := fmt.Sprint(i + 1)
	switch t {
	case "int":
		return sample{n, "<int>" + n + "</int>", n}
	case "i8":
		return sample{n, "<i8>" + n + "</i8>", "i8:" + n}
	case "double":
		return sample{n + ".5", "<double>" + n + ".5</double>", n + ".5"}
	case "boolean":
		return sample{"True", "<boolean>1</boolean>", "true"}
	case "dateTime.iso8601":
		return sample{`xmlrpc.client.DateTime("20260102T03:04:05")`, "<dateTime.iso8601>20260102T03:04:05</dateTime.iso8601>", "datetime:2026-01-02T03:04:05Z"}
	case "base64":
		return sample{`xmlrpc.client.Binary(b"hi")`, "<base64>aGk=</base64>", "base64:aGk="}
	case "struct":
		return sample{`{"a": 1}`, "<struct><member><name>a</name><value><int>1</int></value></member></struct>", `'{"a":1}'`}
	case "array":
		return sample{"[1, 2]", "<array><data><value><int>1</int></value><value><int>2</int></value></data></array>", "'[1,2]'"}
	case "nil":
		return sample{"None", "<nil/>", "nil"}
	default: // "string", and any name a later ABI adds
		return sample{`"text` + n + `"`, "<string>text" + n + "</string>", "text" + n}
	}
}

// pythonKeywords cannot follow a dot in Python.
var pythonKeywords = map[string]bool{"False": true, "None": true, "True": true, "and": true, "as": true,
	"assert": true, "async": true, "await": true, "break": true, "class": true, "continue": true, "def": true,
	"del": true, "elif": true, "else": true, "except": true, "finally": true, "for": true, "from": true,
	"global": true, "if": true, "import": true, "in": true, "is": true, "lambda": true, "nonlocal": true,
	"not": true, "or": true, "pass": true, "raise": true, "return": true, "try": true, "while": true,
	"with": true, "yield": true}

// pythonAttribute reports whether s.<method> is valid Python: every dotted
// part an identifier and no keyword. Otherwise the example uses getattr,
// which ServerProxy answers for any name.
func pythonAttribute(method string) bool {
	for _, part := range strings.Split(method, ".") {
		if part == "" || pythonKeywords[part] || part[0] >= '0' && part[0] <= '9' ||
			strings.HasPrefix(part, "__") || strings.ContainsAny(part, ":/") {
			return false
		}
	}
	return true
}
