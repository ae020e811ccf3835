package conformance_test

// contract is the manifest conformance/README.md specifies, method by
// method: what every conformance guest must declare, word for word. The
// host serves each method as "conf.<name>".
var contract = []methodSpec{
	{"echo", "Returns its param.", nil},
	{"echo_all", "Returns its params as an array.", nil},
	{"add", "Adds two values like Python's +.", [][]string{
		{"int", "int", "int"}, {"double", "double", "double"}, {"string", "string", "string"}, {"array", "array", "array"}}},
	{"type_of", "Names the type of its param.", nil},
	{"made", "Returns one value of every type, made by the guest.", [][]string{{"struct"}}},
	{"fault", "Returns the fault it is asked for.", [][]string{{"nil", "int", "string"}}},
	{"trap", "Traps.", [][]string{{"nil"}}},
	{"kv_put", "Stores a value under a key.", [][]string{{"boolean", "string", "base64"}}},
	{"kv_get", "Reads the value stored under a key.", [][]string{{"base64", "string"}}},
	{"kv_delete", "Deletes a key.", [][]string{{"boolean", "string"}}},
	{"kv_put_then_fault", "Stores a value, then fails.", [][]string{{"nil", "string", "base64"}}},
	{"kv_count", "Counts calls under a name.", [][]string{{"int", "string"}}},
	{"config", "Reads the plugin's configuration.", nil},
	{"now", "Returns the host's clock.", [][]string{{"dateTime.iso8601"}}},
	{"log", "Logs a message.", [][]string{{"boolean", "string"}}},
}

// methodSpec is one method as introspection reports it.
type methodSpec struct {
	name       string
	help       string
	signatures [][]string // nil: none declared
}
