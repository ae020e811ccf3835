#!/usr/bin/env python3
"""Checks the records plugin from Python's xmlrpc.client: datetimes both
ways, member order, normalization, query filters, faults and multicall.

    python3 testdata/clients/records_check.py http://127.0.0.1:8088/

It writes its own records (ids "pycheck-*", source "py/check") and fails
with a traceback at the first wrong answer.
"""

import datetime
import sys
import xmlrpc.client

url = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8088/"
s = xmlrpc.client.ServerProxy(url, use_builtin_types=True)
t0 = datetime.datetime(2024, 5, 1, 8, 0, 0)
minute = datetime.timedelta(minutes=1)


def expect(got, want, what):
    if got != want:
        raise AssertionError("%s: got %r, want %r" % (what, got, want))


batch = [{"id": " pycheck-%d " % i, "source": "py/check", "at": t0 + i * minute,
          "value": i - 5, "tags": [" A", "b", "a"]} for i in range(10)]
expect(s.records.ingest(batch), {"stored": 10, "rejected": []}, "ingest")

r = s.records.get("pycheck-3")
expect(list(r), ["id", "source", "at", "value", "tags"], "member order")
expect(r, {"id": "pycheck-3", "source": "py/check", "at": t0 + 3 * minute, "value": -2.0,
           "tags": ["a", "b"]}, "get")

ids = lambda rs: [x["id"] for x in rs]
expect(ids(s.records.query({"source": "py/check", "from": t0 + 2 * minute, "to": t0 + 5 * minute})),
       ["pycheck-2", "pycheck-3", "pycheck-4"], "query from/to")
expect(ids(s.records.query({"source": "py/check", "limit": 2})), ["pycheck-0", "pycheck-1"], "query limit")
expect(s.records.query({"source": "py"}), [], "query of a source that is a prefix of another")
expect(s.records.stats()["bySource"]["py/check"], 10, "stats bySource")

res = s.records.ingest([{"id": "pycheck-x", "source": "py/check", "at": t0, "value": "high"}, 42])
expect(res["stored"], 0, "stored of a bad batch")
expect(res["rejected"], [{"index": 0, "reason": "value must be a number, got string"},
                         {"index": 1, "reason": "want a struct, got int"}], "rejected")

for method, args, code in [("get", ("pycheck-missing",), 404), ("ingest", ("not an array",), -32602),
                           ("query", ({"limit": 5000},), -32602), ("ingestStrict", ([{"id": "pycheck-y"}],), -32602)]:
    try:
        getattr(s.records, method)(*args)
    except xmlrpc.client.Fault as f:
        expect(f.faultCode, code, "fault code of %s%r" % (method, args))
    else:
        raise AssertionError("%s%r did not fail" % (method, args))

m = xmlrpc.client.MultiCall(s)
m.records.get("pycheck-1")
m.records.get("pycheck-missing")
results = m()
expect(results[0]["value"], -4.0, "multicall get")
try:
    results[1]
except xmlrpc.client.Fault as f:
    expect((f.faultCode, f.faultString), (404, 'no record with id "pycheck-missing"'), "multicall fault")
else:
    raise AssertionError("multicall: get of a missing id did not fail")

help_text = s.system.methodHelp("records.ingest")
if "Deployment rule:" not in help_text:
    raise AssertionError("methodHelp(records.ingest) does not state the rule: %r" % help_text)
expect(s.system.methodSignature("records.get"), [["struct", "string"]], "methodSignature")
print("records_check.py: all checks passed")
