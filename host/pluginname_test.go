package host

import (
	"strings"
	"testing"
)

func TestCheckPluginNameNamesTheOffendingCharacter(t *testing.T) {
	for _, c := range []struct{ name, want string }{
		{"ｘ", `has 'ｘ'`},
		{"my-plugin", `has '-'`},
		{"a\xffb", "byte 0xFF"},
		{"a\uFFFDb", `has '�'`},
		{"_x", `starts with "_"`},
		{"system", "reserved"},
		{"", "1 to 64"},
		{strings.Repeat("a", 65), "1 to 64"},
	} {
		err := CheckPluginName(c.name)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want %q", c.name, err, c.want)
		}
	}
	for _, ok := range []string{"a", "my_plugin", "A9_", strings.Repeat("z", 64)} {
		if err := CheckPluginName(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
}
