// Package xmlrpc is rpchost's XML-RPC wire codec: it turns request bodies
// into values of the [abi] value set and values back into response bodies.
// It knows nothing about methods, plugins or HTTP, so that dispatch can be
// tested without XML and the codec can be fuzzed without a server.
//
// The decoder is a single-pass scanner over the body rather than
// encoding/xml: it allocates only the values it returns, bounds nesting and
// element counts as it goes ([Limits]), and refuses DTDs outright, which
// closes entity-expansion and external-entity attacks by construction.
//
// It accepts what real clients send (see the interop notes the project
// keeps): the ontosys <nil/> and 64-bit <i8> extensions, with or without
// the Apache "ex:" prefix; untyped values as strings with whitespace kept;
// CDATA strings; dateTimes with hyphens, fractions and offsets; base64 with
// line breaks; and documents declared as UTF-8, US-ASCII or ISO-8859-1.
//
// Every decoding error wraps exactly one of the sentinel errors, each of
// which corresponds to a fault code of the XML-RPC fault-code
// interoperability convention, so dispatch can answer with the right fault
// using errors.Is.
package xmlrpc
