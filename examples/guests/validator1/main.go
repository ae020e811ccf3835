// Command validator1 is the rpchost plugin implementing UserLand's
// validator1 interoperability suite; the host serves its methods as
// validator1.<name>. It is lenient where real clients differ: ints of any
// size are accepted, and untyped values arrive as strings anyway.
// Build it with `go run ./examples/build`.
package main

import (
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/rpchost/rpchost/abi"
	"github.com/rpchost/rpchost/abi/guest"
)

func init() {
	guest.Register("arrayOfStructsTest", arrayOfStructsTest, guest.Signature("int", "array"),
		guest.Help("Takes an array of structs, each with int members moe, larry and curly, "+
			"and returns the sum of all the curly members."))
	guest.Register("countTheEntities", countTheEntities, guest.Signature("struct", "string"),
		guest.Help("Takes a string and returns a struct counting its left angle brackets, right angle "+
			"brackets, ampersands, apostrophes and quotes: ctLeftAngleBrackets, ctRightAngleBrackets, "+
			"ctAmpersands, ctApostrophes, ctQuotes."))
	guest.Register("easyStructTest", easyStructTest, guest.Signature("int", "struct"),
		guest.Help("Takes a struct with int members moe, larry and curly and returns their sum."))
	guest.Register("echoStructTest", echoStructTest, guest.Signature("struct", "struct"),
		guest.Help("Takes a struct and returns it unchanged."))
	guest.Register("manyTypesTest", manyTypesTest,
		guest.Signature("array", "int", "boolean", "string", "double", "dateTime.iso8601", "base64"),
		guest.Help("Takes an int, a boolean, a string, a double, a dateTime and a base64 and returns "+
			"them as an array of six, types preserved."))
	guest.Register("moderateSizeArrayCheck", moderateSizeArrayCheck, guest.Signature("string", "array"),
		guest.Help("Takes an array of strings (100 to 200 of them in the suite) and returns the first "+
			"and the last concatenated."))
	guest.Register("nestedStructTest", nestedStructTest, guest.Signature("int", "struct"),
		guest.Help("Takes a calendar struct (years, then zero-padded months, then zero-padded days) and "+
			"returns the sum of the moe, larry and curly members of the struct for April 1st, 2000."))
	guest.Register("simpleStructReturnTest", simpleStructReturnTest, guest.Signature("struct", "int"),
		guest.Help("Takes an int and returns a struct with members times10, times100 and times1000: "+
			"the int multiplied by 10, 100 and 1000."))
}

// invalid is the fault for params a method cannot use. Messages are put
// together with strconv rather than abi.Faultf, whose formatter would add
// about 0.1 MB to the plugin.
func invalid(msg string) error {
	return &abi.Fault{Code: abi.CodeInvalidParams, Message: msg}
}

// stooges sums the int members moe, larry and curly of s; where names s in
// messages.
func stooges(s abi.Struct, where string) (int64, error) {
	var sum int64
	for _, name := range []string{"moe", "larry", "curly"} {
		n, err := intMember(s, name, where)
		if err != nil {
			return 0, err
		}
		if sum, err = addInts(sum, n, where); err != nil {
			return 0, err
		}
	}
	return sum, nil
}

// intMember returns the int member name of s.
func intMember(s abi.Struct, name, where string) (int64, error) {
	v, ok := s.Get(name)
	if !ok {
		return 0, invalid(where + " has no member " + strconv.Quote(name))
	}
	n, ok := v.(int64)
	if !ok {
		return 0, invalid(where + "." + name + ": want int, got " + abi.TypeName(v))
	}
	return n, nil
}

func addInts(a, b int64, where string) (int64, error) {
	sum := a + b
	if (sum > a) != (b > 0) {
		return 0, invalid(where + ": the sum overflows a 64-bit integer")
	}
	return sum, nil
}

func arrayOfStructsTest(p guest.Params) (any, error) {
	if err := p.Want(1); err != nil {
		return nil, err
	}
	list, err := p.Array(0)
	if err != nil {
		return nil, err
	}
	var sum int64
	for i, v := range list {
		where := "param 1[" + strconv.Itoa(i) + "]"
		s, ok := v.(abi.Struct)
		if !ok {
			return nil, invalid(where + ": want struct, got " + abi.TypeName(v))
		}
		curly, err := intMember(s, "curly", where)
		if err != nil {
			return nil, err
		}
		if sum, err = addInts(sum, curly, "arrayOfStructsTest"); err != nil {
			return nil, err
		}
	}
	return sum, nil
}

func countTheEntities(p guest.Params) (any, error) {
	if err := p.Want(1); err != nil {
		return nil, err
	}
	s, err := p.String(0)
	if err != nil {
		return nil, err
	}
	return abi.Struct{
		{Name: "ctLeftAngleBrackets", Value: int64(strings.Count(s, "<"))},
		{Name: "ctRightAngleBrackets", Value: int64(strings.Count(s, ">"))},
		{Name: "ctAmpersands", Value: int64(strings.Count(s, "&"))},
		{Name: "ctApostrophes", Value: int64(strings.Count(s, "'"))},
		{Name: "ctQuotes", Value: int64(strings.Count(s, `"`))},
	}, nil
}

func easyStructTest(p guest.Params) (any, error) {
	if err := p.Want(1); err != nil {
		return nil, err
	}
	s, err := p.Struct(0)
	if err != nil {
		return nil, err
	}
	return stooges(s, "param 1")
}

func echoStructTest(p guest.Params) (any, error) {
	if err := p.Want(1); err != nil {
		return nil, err
	}
	return p.Struct(0)
}

func manyTypesTest(p guest.Params) (any, error) {
	if err := p.Want(6); err != nil {
		return nil, err
	}
	return slices.Clone([]any(p)), nil
}

func moderateSizeArrayCheck(p guest.Params) (any, error) {
	if err := p.Want(1); err != nil {
		return nil, err
	}
	list, err := p.Array(0)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, invalid("param 1: the array is empty, want strings")
	}
	first, ok := list[0].(string)
	if !ok {
		return nil, invalid("param 1[0]: want string, got " + abi.TypeName(list[0]))
	}
	last, ok := list[len(list)-1].(string)
	if !ok {
		return nil, invalid("param 1[" + strconv.Itoa(len(list)-1) + "]: want string, got " +
			abi.TypeName(list[len(list)-1]))
	}
	return first + last, nil
}

func nestedStructTest(p guest.Params) (any, error) {
	if err := p.Want(1); err != nil {
		return nil, err
	}
	s, err := p.Struct(0)
	if err != nil {
		return nil, err
	}
	where := "param 1"
	for _, key := range []string{"2000", "04", "01"} {
		v, ok := s.Get(key)
		if !ok {
			return nil, invalid(where + " has no member " + strconv.Quote(key))
		}
		where += "[" + key + "]"
		if s, ok = v.(abi.Struct); !ok {
			return nil, invalid(where + ": want struct, got " + abi.TypeName(v))
		}
	}
	return stooges(s, where)
}

func simpleStructReturnTest(p guest.Params) (any, error) {
	if err := p.Want(1); err != nil {
		return nil, err
	}
	n, err := p.Int(0)
	if err != nil {
		return nil, err
	}
	if n > math.MaxInt64/1000 || n < math.MinInt64/1000 {
		return nil, invalid("simpleStructReturnTest: " + strconv.FormatInt(n, 10) + " times 1000 overflows a 64-bit integer")
	}
	return abi.Struct{
		{Name: "times10", Value: n * 10},
		{Name: "times100", Value: n * 100},
		{Name: "times1000", Value: n * 1000},
	}, nil
}

func main() {}
