package load

import (
	"strconv"
	"strings"
)

// BuildRequest returns the bytes of one HTTP/1.1 POST of body to path on
// host, with the headers Python's xmlrpc.client sends (but no
// Accept-Encoding: responses come back uncompressed, so verifying them
// costs the generator nothing).
func BuildRequest(host, path string, body []byte) []byte {
	var b strings.Builder
	b.WriteString("POST " + path + " HTTP/1.1\r\n")
	b.WriteString("Host: " + host + "\r\n")
	b.WriteString("User-Agent: rpchost-bench (like Python-xmlrpc/3)\r\n")
	b.WriteString("Content-Type: text/xml\r\n")
	b.WriteString("Content-Length: " + strconv.Itoa(len(body)) + "\r\n")
	b.WriteString("\r\n")
	b.Write(body)
	return []byte(b.String())
}
