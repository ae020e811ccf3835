package abi

import (
	"strings"
	"testing"
)

func TestCheckMethodName(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  string // substring; "" means valid
	}{
		{"add", ""},
		{"validator1.easyStructTest", ""},
		{"a:b/c_D9", ""},
		{"x_", ""},
		{"", "empty"},
		{"_private", `starts with "_"`},
		{"a b", `' ' at byte 1`},
		{"héllo", `'é' at byte 1`},
		{"a-b", `'-' at byte 1`},
	} {
		err := CheckMethodName(tc.name)
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("CheckMethodName(%q) = %v, want nil", tc.name, err)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("CheckMethodName(%q) = %v, want an error containing %q", tc.name, err, tc.err)
		}
	}
}

func TestTypeNamesMatchTypeName(t *testing.T) {
	for _, n := range []string{TypeName(int64(1)), TypeName(int64(1 << 40)), TypeName(true),
		TypeName(""), TypeName(1.5), TypeName(Struct{}), TypeName([]any{}), TypeName([]byte{}), TypeName(nil)} {
		if !IsTypeName(n) {
			t.Errorf("IsTypeName(%q) = false", n)
		}
	}
	if IsTypeName("i4") || IsTypeName("any") {
		t.Error("IsTypeName accepts a name outside the list")
	}
}

func TestCheckSignature(t *testing.T) {
	if err := CheckSignature([]string{"int", "int", "int"}); err != nil {
		t.Error(err)
	}
	if err := CheckSignature([]string{"nil"}); err != nil {
		t.Error(err)
	}
	if err := CheckSignature(nil); err == nil {
		t.Error("empty signature accepted")
	}
	if err := CheckSignature([]string{"int", "integer"}); err == nil || !strings.Contains(err.Error(), `"integer"`) {
		t.Errorf("bad type name: err = %v", err)
	}
}

func TestLongMethodNamesAreRefusedWithoutEchoingThem(t *testing.T) {
	long := strings.Repeat("\x7f", 15<<20)
	err := CheckMethodName(long)
	if err == nil || len(err.Error()) > 400 {
		t.Fatalf("a 15 MB name: %d bytes of error", len(err.Error()))
	}
	if err := CheckMethodName(strings.Repeat("a", MaxMethodNameBytes)); err != nil {
		t.Errorf("a name of the largest size: %v", err)
	}
	if err := CheckDeclaredMethodName(strings.Repeat("a", MaxDeclaredMethodNameBytes+1)); err == nil {
		t.Error("a declared name over MaxDeclaredMethodNameBytes was accepted")
	}
	if MaxDeclaredMethodNameBytes+1+64 > MaxMethodNameBytes {
		t.Error("a served name (plugin name, dot, declared name) could be longer than a call may give")
	}
}
