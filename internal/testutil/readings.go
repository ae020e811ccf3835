package testutil

import (
	"fmt"
	"strings"
)

// ReadingsCall is an XML-RPC call of method with one param, an array of n
// structs shaped like B's readings as Python's xmlrpc.client writes them (a
// value per line): id, source, at, value, and tags on every other one. The
// parser's and the host's benchmarks of B's real job use it.
func ReadingsCall(method string, n int) []byte {
	var w strings.Builder
	w.WriteString("<?xml version='1.0'?>\n<methodCall>\n<methodName>" + method + "</methodName>\n<params>\n<param>\n<value><array><data>\n")
	for j := range n {
		fmt.Fprintf(&w, "<value><struct>\n<member>\n<name>id</name>\n<value><string>b00000001-%03d</string></value>\n</member>\n", j)
		w.WriteString("<member>\n<name>source</name>\n<value><string>boiler</string></value>\n</member>\n")
		fmt.Fprintf(&w, "<member>\n<name>at</name>\n<value><dateTime.iso8601>20240301T%02d:%02d:17</dateTime.iso8601></value>\n</member>\n", j/60%24, j%60)
		w.WriteString("<member>\n<name>value</name>\n<value><double>21.25</double></value>\n</member>\n")
		if j%2 == 0 {
			w.WriteString("<member>\n<name>tags</name>\n<value><array><data>\n<value><string>indoor</string></value>\n</data></array></value>\n</member>\n")
		}
		w.WriteString("</struct></value>\n")
	}
	w.WriteString("</data></array></value>\n</param>\n</params>\n</methodCall>\n")
	return []byte(w.String())
}
