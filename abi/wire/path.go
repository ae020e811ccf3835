package wire

import "strconv"

// MemberStep renders a struct member's name as a step of a path in a
// message: .name when it is a plain identifier, ["quoted"] otherwise, so
// that `[2].name` and `[2]["two words"]` read unambiguously.
func MemberStep(name string) string {
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			return "[" + strconv.Quote(name) + "]"
		}
	}
	if name == "" {
		return `[""]`
	}
	return "." + name
}
