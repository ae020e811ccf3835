#!/usr/bin/env python3
"""UserLand's validator1 suite, driven with Python's xmlrpc.client.

Usage: python3 validator1.py http://127.0.0.1:8088/

Runs all eight validator1 methods with non-trivial inputs, checks every
answer exactly, prints one line per check and exits non-zero on any
mismatch. Run by `go test -run Validator1FromPython`.
"""

import datetime
import sys
import traceback
import xmlrpc.client

url = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8088/"
sys.stdout.reconfigure(line_buffering=True)


def _unexpected(kind, exc, tb):
    """An exception no check expected (a Fault where a value was due, a
    refused connection) fails the run with the line it came from."""
    here = [f for f in traceback.extract_tb(tb) if f.filename == __file__]
    where = f" at line {here[-1].lineno}: {here[-1].line}" if here else ""
    print(f"FAIL unexpected {kind.__name__}{where}: {exc}")
    sys.exit(1)


sys.excepthook = _unexpected
proxy = xmlrpc.client.ServerProxy(url, use_builtin_types=True)
failures = 0


def check(name, got, want):
    global failures
    # type() too: True == 1 and 1 == 1.0 in Python, not in XML-RPC.
    if got == want and _types(got) == _types(want):
        shown = repr(got)
        print(f"ok   {name}: {shown if len(shown) <= 120 else shown[:117] + '...'}")
    else:
        failures += 1
        print(f"FAIL {name}: got {got!r}, want {want!r}")


def _types(v):
    if isinstance(v, list):
        return [_types(x) for x in v]
    if isinstance(v, dict):
        return {k: _types(x) for k, x in v.items()}
    return type(v).__name__


def check_fault(name, code, fn, *args):
    global failures
    try:
        got = fn(*args)
    except xmlrpc.client.Fault as f:
        if f.faultCode == code:
            print(f"ok   {name}: fault {f.faultCode} {f.faultString!r}")
        else:
            failures += 1
            print(f"FAIL {name}: fault {f.faultCode} {f.faultString!r}, want code {code}")
        return
    failures += 1
    print(f"FAIL {name}: returned {got!r}, want fault {code}")


v = proxy.validator1

# arrayOfStructsTest: the sum of every curly, other members ignored.
structs = [
    {"moe": i, "larry": -i * 7, "curly": i * i - 50, "shemp": "extra"} for i in range(1, 21)
]
check("arrayOfStructsTest", v.arrayOfStructsTest(structs), sum(s["curly"] for s in structs))
check("arrayOfStructsTest empty", v.arrayOfStructsTest([]), 0)

# countTheEntities: the documented example, then one with markup and unicode.
check(
    "countTheEntities example",
    v.countTheEntities("<<<>>&''\"\"\""),
    {"ctLeftAngleBrackets": 3, "ctRightAngleBrackets": 2, "ctAmpersands": 1,
     "ctApostrophes": 2, "ctQuotes": 3},
)
text = "<a href=\"x?y=1&amp;z='2'\">caf\u00e9 &lt; \U0001F600</a> ]]> <![CDATA[ & ]]>"
check(
    "countTheEntities markup",
    v.countTheEntities(text),
    {"ctLeftAngleBrackets": text.count("<"), "ctRightAngleBrackets": text.count(">"),
     "ctAmpersands": text.count("&"), "ctApostrophes": text.count("'"),
     "ctQuotes": text.count('"')},
)

# easyStructTest: moe + larry + curly.
check("easyStructTest", v.easyStructTest({"moe": 2_000_000_000, "larry": -17, "curly": 123_456}),
      2_000_000_000 - 17 + 123_456)

# echoStructTest: the same struct back, nested and of every type.
echo = {
    "substruct0": {"moe": 1, "larry": 2, "curly": 3},
    "substruct1": {"moe": -1, "larry": 0, "curly": 2**31 - 1},
    "text": "a < b && c > d \"quoted\" 'single' \u00fcber",
    "flag": True,
    "ratio": 0.1,
    "when": datetime.datetime(1998, 7, 17, 14, 8, 55),
    "blob": bytes(range(256)),
    "list": [1, "two", 3.0, False, [], {}],
    "empty": "",
}
check("echoStructTest", v.echoStructTest(echo), echo)

# manyTypesTest: six params back as an array, types preserved.
when = datetime.datetime(2024, 2, 29, 23, 59, 58)
blob = b"\x00\xffvalidator1\n\r\t"
check(
    "manyTypesTest",
    v.manyTypesTest(-2_147_483_648, True, "Tom & Jerry <3", -1.25e-7, when, blob),
    [-2_147_483_648, True, "Tom & Jerry <3", -1.25e-7, when, blob],
)

# moderateSizeArrayCheck: first + last of 100-200 strings.
states = ["Alabama", "Alaska", "Arizona", "Arkansas", "California", "Colorado",
          "Connecticut", "Delaware", "Florida", "Georgia"]
items = [states[i % len(states)] + str(i) for i in range(150)]
items[0] = "Maine & <Vermont>"
items[-1] = " New Hampshire "
check("moderateSizeArrayCheck", v.moderateSizeArrayCheck(items), "Maine & <Vermont> New Hampshire ")

# nestedStructTest: a calendar, summing the members of 2000-04-01.
calendar = {}
for year in range(1999, 2002):
    months = {}
    for month in range(1, 13):
        days = {}
        for day in range(1, 29):
            days[f"{day:02d}"] = {"moe": year, "larry": month, "curly": day}
        months[f"{month:02d}"] = days
    calendar[str(year)] = months
calendar["2000"]["04"]["01"] = {"moe": 1000, "larry": 200, "curly": 30, "noise": "x"}
check("nestedStructTest", v.nestedStructTest(calendar), 1230)

# simpleStructReturnTest: n * 10, 100, 1000.
check("simpleStructReturnTest", v.simpleStructReturnTest(12345),
      {"times10": 123450, "times100": 1234500, "times1000": 12345000})
# Above 2^31 the server answers <i8>, which Python reads as an int.
check("simpleStructReturnTest (i8 results)", v.simpleStructReturnTest(50_000_000),
      {"times10": 500_000_000, "times100": 5_000_000_000, "times1000": 50_000_000_000})
check("simpleStructReturnTest negative", v.simpleStructReturnTest(-7),
      {"times10": -70, "times100": -700, "times1000": -7000})

# Faults: wrong argument types, unknown method.
check_fault("easyStructTest(string) fault", -32602, v.easyStructTest, "not a struct")
check_fault("easyStructTest(struct of strings) fault", -32602, v.easyStructTest,
            {"moe": "1", "larry": "2", "curly": "3"})
check_fault("unknown method fault", -32601, v.noSuchMethod, 1)

if failures:
    print(f"{failures} check(s) failed")
    sys.exit(1)
print("all validator1 checks passed")
