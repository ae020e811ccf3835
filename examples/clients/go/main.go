// Command client calls rpchost from Go with github.com/kolo/xmlrpc.
//
//	go run ./examples/clients/go -server http://127.0.0.1:8088/
package main

import (
	"flag"
	"fmt"
	"log"

	"github.com/kolo/xmlrpc"
)

func main() {
	url := flag.String("server", "http://127.0.0.1:8088/", "rpchost URL")
	flag.Parse()

	client, err := xmlrpc.NewClient(*url, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()

	// add is served by plugins/add.wasm (also callable as "add.add").
	var sum int
	if err := client.Call("add", []any{3, 4}, &sum); err != nil {
		log.Fatal(err)
	}
	fmt.Println(sum) // 7

	var s string
	if err := client.Call("add", []any{"hello", "world"}, &s); err != nil {
		log.Fatal(err)
	}
	fmt.Println(s) // helloworld

	// A wrong call is an error. kolo/xmlrpc goes through net/rpc, so a fault
	// arrives as an rpc.ServerError reading "Fault(code): message".
	if err := client.Call("add", []any{1, "x"}, &s); err != nil {
		fmt.Println(err) // Fault(-32602): add: cannot add int and string
	}

	// Several calls in one request with system.multicall: each result is a
	// one-element array, or a fault struct in its place.
	calls := []any{
		map[string]any{"methodName": "add", "params": []any{1, 2}},
		map[string]any{"methodName": "numeric.triple", "params": []any{14}},
		map[string]any{"methodName": "validator1.countTheEntities", "params": []any{"<a & b>"}},
	}
	var results []any
	if err := client.Call("system.multicall", []any{calls}, &results); err != nil {
		log.Fatal(err)
	}
	for _, r := range results {
		fmt.Println(r) // [3], [42], [map[ctAmpersands:1 ...]]
	}

	// Every method the plugins provide.
	var names []string
	if err := client.Call("system.listMethods", nil, &names); err != nil {
		log.Fatal(err)
	}
	fmt.Println(names)
}
