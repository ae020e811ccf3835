package main

import (
	"strings"
)

// trickyIngest is one records.ingest call of readings on the edges of the
// records plugin's validation (examples/guests/records/recordsvc): the
// ingest part sends it to rpchost and to the Python B before measuring,
// and TestClassicBValidatesLikeThePlugin compares the two results, so
// that both servers are known to accept and reject the same readings,
// for the same reasons. The members are raw XML so that they can hold
// what a Go value would normalize away (ints as <i8>, times with offsets
// and fractions, nil, character references).
func trickyIngest() []byte {
	at := func(s string) string { return "<dateTime.iso8601>" + s + "</dateTime.iso8601>" }
	str := func(s string) string { return "<string>" + s + "</string>" }
	rec := func(members ...string) string {
		var b strings.Builder
		b.WriteString("<value><struct>")
		for i := 0; i+1 < len(members); i += 2 {
			b.WriteString("<member><name>" + members[i] + "</name><value>" + members[i+1] + "</value></member>")
		}
		b.WriteString("</struct></value>\n")
		return b.String()
	}
	ok := func(id string, extra ...string) string {
		return rec(append([]string{"id", str(id), "source", str("attic"), "at", at("20240301T12:00:00"), "value", "<double>1.5</double>"}, extra...)...)
	}
	tags := func(ts ...string) string {
		var b strings.Builder
		b.WriteString("<array><data>")
		for _, t := range ts {
			b.WriteString("<value>" + t + "</value>")
		}
		b.WriteString("</data></array>")
		return b.String()
	}
	many := make([]string, 33)
	for i := range many {
		many[i] = str("t" + pad2(i))
	}
	readings := []string{
		ok("t-plain"),
		rec("id", str("  t-padded\t"), "source", str(" attic "), "at", at("20240301T12:00:00"), "value", "<double>2</double>",
			"tags", tags(str(" Indoor "), str("INDOOR"), str(""), str("outdoor"))),
		rec("id", str(""), "source", str("attic"), "at", at("20240301T12:00:00"), "value", "<double>1</double>"),
		rec("id", str(" \n "), "source", str("attic"), "at", at("20240301T12:00:00"), "value", "<double>1</double>"),
		ok("t-a&#9;b"),
		ok("t-" + strings.Repeat("x", 198)),     // 200 bytes
		ok("t-" + strings.Repeat("x", 199)),     // 201
		ok("t" + strings.Repeat("é", 99) + "x"), // 200 bytes in UTF-8
		ok("t" + strings.Repeat("é", 100)),      // 201
		ok("&#xa0;t-nbsp&#x85;&#x2003;"),        // Go's space, trimmed
		ok("t-nel&#x85;inside"),                 // a C1 control
		ok("t-zwsp&#x200b;"),                    // not a space, not a control
		rec("id", str("t-nosource"), "at", at("20240301T12:00:00"), "value", "<double>1</double>"),
		rec("source", str("attic"), "at", at("20240301T12:00:00"), "value", "<double>1</double>"),
		rec("id", str("t-noat"), "source", str("attic"), "value", "<double>1</double>"),
		rec("id", str("t-novalue"), "source", str("attic"), "at", at("20240301T12:00:00")),
		rec("id", str("t-int"), "source", str("attic"), "at", at("20240301T12:00:00"), "value", "<int>5</int>"),
		rec("id", str("t-i8"), "source", str("attic"), "at", at("20240301T12:00:00"), "value", "<i8>-999999999</i8>"),
		rec("id", str("t-bigi8"), "source", str("attic"), "at", at("20240301T12:00:00"), "value", "<i8>4000000000</i8>"),
		rec("id", str("t-strvalue"), "source", str("attic"), "at", at("20240301T12:00:00"), "value", str("12")),
		rec("id", str("t-untyped"), "source", str("attic"), "at", at("20240301T12:00:00"), "value", "12"),
		rec("id", str("t-bool"), "source", str("attic"), "at", at("20240301T12:00:00"), "value", "<boolean>1</boolean>"),
		rec("id", str("t-rule"), "source", str("attic"), "at", at("20240301T12:00:00"), "value", "<double>1000000000.5</double>"),
		rec("id", str("t-edge"), "source", str("attic"), "at", at("20240301T12:00:00"), "value", "<double>-1e9</double>"),
		rec("id", str("t-strat"), "source", str("attic"), "at", str("20240301T12:00:00"), "value", "<double>1</double>"),
		rec("id", str("t-offset"), "source", str("attic"), "at", at("2024-03-01T00:30:00+01:00"), "value", "<double>1</double>"),
		rec("id", str("t-frac"), "source", str("attic"), "at", at("2024-03-01T00:30:00.123456789Z"), "value", "<double>1</double>"),
		rec("id", str("t-year0"), "source", str("attic"), "at", at("00000101T00:00:00"), "value", "<double>1</double>"),
		rec("id", str("t-year0utc"), "source", str("attic"), "at", at("0001-01-01T00:30:00+01:00"), "value", "<double>1</double>"),
		rec("id", str("t-year1"), "source", str("attic"), "at", at("0001-01-01T00:30:00-01:00"), "value", "<double>1</double>"),
		ok("t-colour", "colour", str("red")),
		"<value><string>not a record</string></value>\n",
		"<value><array><data></data></array></value>\n",
		rec(),
		rec("id", "<int>7</int>", "source", str("attic"), "at", at("20240301T12:00:00"), "value", "<double>1</double>"),
		rec("id", str("t-src"), "source", "<base64>YQ==</base64>", "at", at("20240301T12:00:00"), "value", "<double>1</double>"),
		ok("t-nil", "tags", "<nil/>"),
		ok("t-tagstr", "tags", str("indoor")),
		ok("t-tagint", "tags", tags(str(""), "<int>1</int>")),
		ok("t-33tags", "tags", tags(many...)),
		ok("t-32tags", "tags", tags(append(many[:32:32], str("T00"))...)),
		ok("t-longtag", "tags", tags(str(strings.Repeat("a", 65)))),
		ok("t-longdup", "tags", tags(str("a"), str(" A "))),
		ok("t-64tag", "tags", tags(str(strings.Repeat("B", 64)))),
		ok("t-ctltag", "tags", tags(str("a&#x9f;b"))),
		ok("t-dotted", "tags", tags(str("&#x130;STANBUL"))),
		rec("id", str("t-source/%2F"), "source", str("a/b%"), "at", at("20240301T12:00:00"), "value", "<double>1</double>"),
		ok("t-plain"), // the same id twice in one call: both stored
	}
	var b strings.Builder
	b.WriteString("<?xml version='1.0'?>\n<methodCall>\n<methodName>records.ingest</methodName>\n<params>\n<param>\n<value><array><data>\n")
	for _, r := range readings {
		b.WriteString(r)
	}
	b.WriteString("</data></array></value>\n</param>\n</params>\n</methodCall>\n")
	return []byte(b.String())
}
