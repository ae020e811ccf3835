package main

import (
	"errors"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/rpchost/rpchost/abi"
	"github.com/rpchost/rpchost/abi/guest"
)

func stoogesOf(moe, larry, curly int64) abi.Struct {
	return abi.Struct{{Name: "moe", Value: moe}, {Name: "larry", Value: larry}, {Name: "curly", Value: curly}}
}

// calendar builds the nestedStructTest param: a few days around April 1st,
// 2000, with the stooges of that day given.
func calendar(day any) abi.Struct {
	month := abi.Struct{{Name: "30", Value: stoogesOf(9, 9, 9)}, {Name: "01", Value: day}, {Name: "02", Value: stoogesOf(8, 8, 8)}}
	year := abi.Struct{{Name: "03", Value: abi.Struct{{Name: "31", Value: stoogesOf(7, 7, 7)}}}, {Name: "04", Value: month}}
	return abi.Struct{{Name: "1999", Value: abi.Struct{}}, {Name: "2000", Value: year}}
}

func TestValidator1(t *testing.T) {
	when := time.Date(1998, 7, 17, 14, 8, 55, 0, time.UTC)
	states := make([]any, 150)
	for i := range states {
		states[i] = "state" + strconv.Itoa(i)
	}
	states[0], states[149] = "Maine", "Wyoming"
	for _, tc := range []struct {
		name   string
		h      guest.Handler
		params guest.Params
		want   any
		msg    string // a CodeInvalidParams fault when not ""
	}{
		{name: "arrayOfStructs", h: arrayOfStructsTest,
			params: guest.Params{[]any{stoogesOf(1, 2, 3), stoogesOf(4, 5, 6), stoogesOf(0, 0, 1<<40)}}, want: int64(9 + 1<<40)},
		{name: "arrayOfStructs empty", h: arrayOfStructsTest, params: guest.Params{[]any{}}, want: int64(0)},
		{name: "arrayOfStructs extra members", h: arrayOfStructsTest,
			params: guest.Params{[]any{append(stoogesOf(1, 2, 3), abi.Member{Name: "shemp", Value: "x"})}}, want: int64(3)},
		{name: "arrayOfStructs no curly", h: arrayOfStructsTest,
			params: guest.Params{[]any{stoogesOf(1, 2, 3), abi.Struct{{Name: "moe", Value: int64(1)}}}}, msg: `param 1[1] has no member "curly"`},
		{name: "arrayOfStructs not a struct", h: arrayOfStructsTest, params: guest.Params{[]any{int64(1)}}, msg: "param 1[0]: want struct, got int"},
		{name: "arrayOfStructs curly string", h: arrayOfStructsTest,
			params: guest.Params{[]any{abi.Struct{{Name: "curly", Value: "3"}}}}, msg: "param 1[0].curly: want int, got string"},
		{name: "countTheEntities", h: countTheEntities, params: guest.Params{`<<<>>&''"""`},
			want: abi.Struct{{Name: "ctLeftAngleBrackets", Value: int64(3)}, {Name: "ctRightAngleBrackets", Value: int64(2)},
				{Name: "ctAmpersands", Value: int64(1)}, {Name: "ctApostrophes", Value: int64(2)}, {Name: "ctQuotes", Value: int64(3)}}},
		{name: "countTheEntities int", h: countTheEntities, params: guest.Params{int64(1)}, msg: "param 1: want string, got int"},
		{name: "easyStruct", h: easyStructTest, params: guest.Params{stoogesOf(2, 3, 4)}, want: int64(9)},
		{name: "easyStruct i8", h: easyStructTest, params: guest.Params{stoogesOf(1<<40, 1, 1)}, want: int64(1<<40 + 2)},
		{name: "easyStruct missing", h: easyStructTest, params: guest.Params{abi.Struct{{Name: "moe", Value: int64(1)}}}, msg: `param 1 has no member "larry"`},
		{name: "easyStruct overflow", h: easyStructTest, params: guest.Params{stoogesOf(1<<62, 1<<62, 1<<62)}, msg: "param 1: the sum overflows a 64-bit integer"},
		{name: "echoStruct", h: echoStructTest, params: guest.Params{calendar(stoogesOf(1, 2, 3))}, want: calendar(stoogesOf(1, 2, 3))},
		{name: "echoStruct array", h: echoStructTest, params: guest.Params{[]any{}}, msg: "param 1: want struct, got array"},
		{name: "manyTypes", h: manyTypesTest, params: guest.Params{int64(1), true, "s", 1.5, when, []byte("b64")},
			want: []any{int64(1), true, "s", 1.5, when, []byte("b64")}},
		{name: "manyTypes five", h: manyTypesTest, params: guest.Params{int64(1), true, "s", 1.5, when}, msg: "method takes 6 params, got 5"},
		{name: "moderateSizeArray", h: moderateSizeArrayCheck, params: guest.Params{states}, want: "MaineWyoming"},
		{name: "moderateSizeArray one", h: moderateSizeArrayCheck, params: guest.Params{[]any{"solo"}}, want: "solosolo"},
		{name: "moderateSizeArray empty", h: moderateSizeArrayCheck, params: guest.Params{[]any{}}, msg: "param 1: the array is empty, want strings"},
		{name: "moderateSizeArray int last", h: moderateSizeArrayCheck, params: guest.Params{[]any{"a", int64(1)}}, msg: "param 1[1]: want string, got int"},
		{name: "nestedStruct", h: nestedStructTest, params: guest.Params{calendar(stoogesOf(1, 2, 3))}, want: int64(6)},
		{name: "nestedStruct no day", h: nestedStructTest,
			params: guest.Params{abi.Struct{{Name: "2000", Value: abi.Struct{{Name: "04", Value: abi.Struct{}}}}}}, msg: `param 1[2000][04] has no member "01"`},
		{name: "nestedStruct day not struct", h: nestedStructTest, params: guest.Params{calendar("x")}, msg: "param 1[2000][04][01]: want struct, got string"},
		{name: "simpleStructReturn", h: simpleStructReturnTest, params: guest.Params{int64(13)},
			want: abi.Struct{{Name: "times10", Value: int64(130)}, {Name: "times100", Value: int64(1300)}, {Name: "times1000", Value: int64(13000)}}},
		{name: "simpleStructReturn negative", h: simpleStructReturnTest, params: guest.Params{int64(-2)},
			want: abi.Struct{{Name: "times10", Value: int64(-20)}, {Name: "times100", Value: int64(-200)}, {Name: "times1000", Value: int64(-2000)}}},
		{name: "simpleStructReturn overflow", h: simpleStructReturnTest, params: guest.Params{int64(1) << 60},
			msg: "simpleStructReturnTest: 1152921504606846976 times 1000 overflows a 64-bit integer"},
	} {
		v, err := tc.h(tc.params)
		if tc.msg == "" {
			if err != nil || !reflect.DeepEqual(v, tc.want) {
				t.Errorf("%s: got %#v, %v; want %#v", tc.name, v, err, tc.want)
			}
			continue
		}
		var f *abi.Fault
		if !errors.As(err, &f) || f.Code != abi.CodeInvalidParams || f.Message != tc.msg {
			t.Errorf("%s: err = %v, want fault %d %q", tc.name, err, abi.CodeInvalidParams, tc.msg)
		}
	}
}

func TestManyTypesThroughDispatch(t *testing.T) {
	when := time.Date(1998, 7, 17, 14, 8, 55, 0, time.UTC)
	v, err := guest.Invoke("manyTypesTest", 1, false, "s", 2.5, when, []byte{0, 1})
	want := []any{int64(1), false, "s", 2.5, when, []byte{0, 1}}
	if err != nil || !reflect.DeepEqual(v, want) {
		t.Fatalf("manyTypesTest = %#v, %v", v, err)
	}
}
