package xmlrpc_test

import (
	"fmt"

	"github.com/rpchost/rpchost/internal/xmlrpc"
)

func Example() {
	body := []byte(`<?xml version="1.0"?>
<methodCall>
  <methodName>math.add</methodName>
  <params>
    <param><value><int>3</int></value></param>
    <param><value><i4>4</i4></value></param>
  </params>
</methodCall>`)
	req, err := xmlrpc.ParseRequest(body, xmlrpc.Limits{})
	if err != nil {
		panic(err)
	}
	sum := req.Params[0].(int64) + req.Params[1].(int64)
	out, err := xmlrpc.AppendResponse(nil, sum)
	if err != nil {
		panic(err)
	}
	fmt.Println(req.Method, req.Params)
	fmt.Println(string(out))
	// Output:
	// math.add [3 4]
	// <?xml version="1.0"?><methodResponse><params><param><value><int>7</int></value></param></params></methodResponse>
}
