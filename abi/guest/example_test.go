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

// A method that takes or returns many values can read its params in place
// and write its result directly: RegisterTyped. Nothing is decoded into
// []any or abi.Struct, so the call allocates nothing here.
func init() {
	guest.RegisterTyped("total", total, guest.Help("Sums an array of ints, and counts them."),
		guest.Signature("struct", "array"))
}

func total(args guest.Args, out *guest.Writer) error {
	if err := args.Want(1); err != nil {
		return err
	}
	v, err := args.At(0)
	if err != nil {
		return err
	}
	a, err := v.Array()
	if err != nil {
		return err
	}
	var sum int64
	for e, ok := a.Next(); ok; e, ok = a.Next() {
		n, err := e.Int() // a fault names the element: "param 1[2]: want int, got string"
		if err != nil {
			return err
		}
		sum += n
	}
	out.Struct(2)
	out.Name("sum")
	out.Int(sum)
	out.Name("count")
	out.Int(int64(a.Len()))
	return nil
}

func ExampleRegisterTyped() {
	fmt.Println(guest.Invoke("total", []int{1, 2, 3}))
	fmt.Println(guest.Invoke("total", []any{1, 2, "three"}))
	// Output:
	// [{sum 6} {count 3}] <nil>
	// <nil> fault -32602: param 1[2]: want int, got string
}
