#!/usr/bin/env python3
"""rpchost called with Python's xmlrpc.client, exactly as the classic user
of a SimpleXMLRPCServer writes it.

Usage: python3 classic.py http://127.0.0.1:8088/

Prints one line per check and exits non-zero at the first failure. Run by
`go test -run ClassicPythonClient`.
"""

import datetime
import sys
import traceback
import xmlrpc.client
from xmlrpc.client import DateTime, Fault, MultiCall, ServerProxy

url = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8088/"
sys.stdout.reconfigure(line_buffering=True)


def _unexpected(kind, exc, tb):
    """An exception no check expected (a Fault, a refused connection) fails
    the run with the line of the check it came from."""
    here = [f for f in traceback.extract_tb(tb) if f.filename == __file__]
    where = f" at line {here[-1].lineno}: {here[-1].line}" if here else ""
    print(f"FAIL unexpected {kind.__name__}{where}: {exc}")
    sys.exit(1)


sys.excepthook = _unexpected


def fail(msg):
    print(f"FAIL {msg}")
    sys.exit(1)


def _types(v):
    """The type tree of a value: XML-RPC tells True from 1 and 1 from 1.0."""
    if isinstance(v, (list, tuple)):
        return [_types(x) for x in v]
    if isinstance(v, dict):
        return {k: _types(x) for k, x in v.items()}
    return type(v).__name__


def check(name, got, want):
    if got != want or _types(got) != _types(want):
        fail(f"{name}: got {got!r}, want {want!r}")
    shown = repr(got)
    print(f"ok   {name}: {shown if len(shown) <= 100 else shown[:97] + '...'}")


def check_fault(name, code, fn, *args, contains=()):
    try:
        got = fn(*args)
    except Fault as f:
        if f.faultCode != code:
            fail(f"{name}: fault {f.faultCode} {f.faultString!r}, want code {code}")
        for word in contains:
            if word not in f.faultString:
                fail(f"{name}: fault string {f.faultString!r} does not mention {word!r}")
        print(f"ok   {name}: fault {f.faultCode} {f.faultString!r}")
        return f
    fail(f"{name}: returned {got!r}, want a fault {code}")


class RecordingTransport(xmlrpc.client.Transport):
    """A Transport that remembers the Content-Encoding of the last response."""

    last_encoding = None

    def parse_response(self, response):
        self.last_encoding = response.getheader("Content-Encoding")
        return super().parse_response(response)


# The classic calls.
server = ServerProxy(url)
check("add(3, 4)", server.add(3, 4), 7)
check('add("hello", "world")', server.add("hello", "world"), "helloworld")
check("add(1.5, 2)", server.add(1.5, 2), 3.5)
check("add([1, 2], [3])", server.add([1, 2], [3]), [1, 2, 3])
check("add.add(40, 2)", getattr(server, "add.add")(40, 2), 42)
check("numeric.triple(14)", server.numeric.triple(14), 42)
check_fault('add(1, "x")', -32602, server.add, 1, "x", contains=("int", "string"))

# MultiCall: one HTTP request, results in order, a fault raised where it sits.
multi = MultiCall(server)
multi.add(1, 2)
multi.add("a", "b")
multi.add(1, "x")
multi.numeric.triple(5)
multi.system.listMethods()
results = multi()
got = []
try:
    for r in results:
        got.append(r)
    fail(f"MultiCall: iterating gave {got!r} and no fault")
except Fault as f:
    if got != [3, "ab"] or f.faultCode != -32602:
        fail(f"MultiCall: got {got!r} then fault {f.faultCode} {f.faultString!r}; "
             "want [3, 'ab'] then fault -32602 at position 2")
    print(f"ok   MultiCall iteration: {got!r} then fault {f.faultCode} at position 2")
check("MultiCall result[3]", results[3], 15)
if "add" not in results[4]:
    fail(f"MultiCall result[4] (system.listMethods) = {results[4]!r}")
print("ok   MultiCall result[4]: system.listMethods inside a multicall")

# Introspection.
names = server.system.listMethods()
for want in ["add", "add.add", "numeric.triple", "system.multicall",
             "validator1.arrayOfStructsTest", "validator1.countTheEntities",
             "validator1.easyStructTest", "validator1.echoStructTest",
             "validator1.manyTypesTest", "validator1.moderateSizeArrayCheck",
             "validator1.nestedStructTest", "validator1.simpleStructReturnTest"]:
    if want not in names:
        fail(f"system.listMethods() lacks {want!r}: {names!r}")
print(f"ok   system.listMethods(): {len(names)} names incl. add, add.add, numeric.triple, "
      "system.multicall and validator1.*")
if names != sorted(names):
    fail(f"system.listMethods() is not sorted: {names!r}")
print("ok   system.listMethods() is sorted")
help_text = server.system.methodHelp("add")
if not isinstance(help_text, str) or not help_text:
    fail(f"system.methodHelp('add') = {help_text!r}, want a non-empty string")
print(f"ok   system.methodHelp('add'): {help_text[:80]!r}")
check('system.methodSignature("numeric.triple")', server.system.methodSignature("numeric.triple"),
      [["i8", "i8"]])
caps = server.system.getCapabilities()
if "faults_interop" not in caps or caps["faults_interop"].get("specVersion") != 20010516:
    fail(f"system.getCapabilities() = {caps!r}, want faults_interop version 20010516")
print(f"ok   system.getCapabilities(): {sorted(caps)}")

# types.echo round trips every type Python writes.
nil_server = ServerProxy(url, allow_none=True)
if nil_server.types.echo(None) is not None:
    fail("types.echo(None) is not None")
print("ok   types.echo(None): None")
when = DateTime(datetime.datetime(2024, 1, 2, 3, 4, 5))
for name, value in [
    ("int", 42),
    ("negative int", -2_147_483_648),
    ("max int", 2_147_483_647),
    ("True", True),
    ("False", False),
    ("str with markup and unicode", "<a href='x'>Tom & Jerry</a> caf\u00e9 \u2603 \U0001F600 ]]>"),
    ("str with white space", "  lead\ttab\nline  "),
    ("empty str", ""),
    ("float 0.1", 0.1),
    ("float 1e300", 1e300),
    ("float -2.5e-300", -2.5e-300),
    ("list", [1, "two", 3.0, [True, None], {"k": "v"}]),
    ("nested dict", {"a": {"b": {"c": [1, {"d": None}]}}, "e": "f", "": "empty key"}),
    ("empty list", []),
    ("empty dict", {}),
]:
    check(f"types.echo({name})", nil_server.types.echo(value), value)
got = nil_server.types.echo(when)
if not isinstance(got, DateTime) or got.value != "20240102T03:04:05":
    fail(f"types.echo(DateTime) = {got!r}, want <DateTime '20240102T03:04:05'>")
print(f"ok   types.echo(DateTime): {got!r}")
builtin = ServerProxy(url, allow_none=True, use_builtin_types=True)
blob = bytes(range(256)) * 3
check("types.echo(bytes) with use_builtin_types", builtin.types.echo(blob), blob)
check("types.echo(datetime) with use_builtin_types",
      builtin.types.echo(datetime.datetime(1999, 12, 31, 23, 59, 59)),
      datetime.datetime(1999, 12, 31, 23, 59, 59))

# gzip: a large response comes gzipped (Python's client accepts gzip), and a
# gzipped request is decoded.
big = {"items": [f"item {i} <&> \u00e9" for i in range(300)], "n": list(range(300))}
recording = RecordingTransport()
check("types.echo(large struct)", ServerProxy(url, transport=recording).types.echo(big), big)
if recording.last_encoding != "gzip":
    fail(f"the large response was sent with Content-Encoding {recording.last_encoding!r}, want gzip")
print("ok   the large response was gzipped")
gzipping = RecordingTransport()
gzipping.encode_threshold = 0  # gzip every request body
check("types.echo over a gzipped request", ServerProxy(url, transport=gzipping).types.echo(big), big)
check("add(3, 4) over a gzipped request", ServerProxy(url, transport=gzipping).add(3, 4), 7)

# Faults a procedure raises pass through; names starting with _ are refused.
f = check_fault('types.fault(123, "boom")', 123, server.types.fault, 123, "boom")
if f.faultString != "boom":
    fail(f'types.fault(123, "boom") fault string {f.faultString!r}, want "boom"')
check_fault("_private()", -32601, getattr(server, "_private"))
check_fault("add._hidden()", -32601, getattr(server, "add._hidden"))
check_fault("no.such.method()", -32601, server.no.such.method)

print("all classic client checks passed")
