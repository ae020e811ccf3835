package guest_test

import (
	"fmt"

	"github.com/rpchost/rpchost/abi/guest"
)

// A plugin is a main package (with an empty func main) that registers its
// methods in init; built with GOOS=wasip1 GOARCH=wasm -buildmode=c-shared
// it is a module rpchost loads. Invoke runs a method natively, for tests.

func init() {
	guest.Register("greet", greet, guest.Help("Greets someone by name."),
		guest.Signature("string", "string"))
}

func greet(p guest.Params) (any, error) {
	if err := p.Want(1); err != nil {
		return nil, err
	}
	name, err := p.String(0)
	if err != nil {
		return nil, err
	}
	return "Hello, " + name + "!", nil
}

func Example() {
	fmt.Println(guest.Invoke("greet", "World"))
	fmt.Println(guest.Invoke("greet", 42))
	fmt.Println(guest.Invoke("greet"))
	// Output:
	// Hello, World! <nil>
	// <nil> fault -32602: param 1: want string, got int
	// <nil> fault -32602: greet takes 1 param, got 0
}
