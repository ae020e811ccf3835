#!/usr/bin/env python3
"""Callers and TLS, seen by Python's xmlrpc.client: ServerProxy over HTTPS
with an SSL context trusting a test CA, credentials in the URL (basic auth).

Usage: python3 auth.py 127.0.0.1:PORT CA_FILE ALICE_TOKEN BOB_TOKEN LIMITED_TOKEN

The server serves remember.wasm with one instance: remember(x) returns what
the previous call stored. Alice may call remember.*, system.listMethods and
system.multicall; bob system.*; limited anything at 2 calls an hour; callers
without credentials nothing. Run by `go test -run TestAuthAndTLSEndToEnd`.
"""

import ssl
import sys
import xmlrpc.client
from xmlrpc.client import Fault, MultiCall, ProtocolError, ServerProxy

addr, cafile, alice, bob, limited = sys.argv[1:6]
ctx = ssl.create_default_context(cafile=cafile)
sys.stdout.reconfigure(line_buffering=True)


def proxy(userinfo=""):
    return ServerProxy(f"https://{userinfo}{addr}/", context=ctx)


def header(e, name):
    """A header of a ProtocolError: xmlrpc.client gives them as a plain
    dict, so the lookup ignores case itself."""
    return next((v for k, v in e.headers.items() if k.lower() == name.lower()), "")


def check(name, ok, got=""):
    print(("ok   " if ok else "FAIL ") + name + (f": {got}" if not ok else ""))
    if not ok:
        sys.exit(1)


check("alice stores 1", proxy(f"alice:{alice}@").remember.remember(1) == [0, 0])


def refused(name, p, status, code):
    try:
        r = p.remember.remember(99)
        check(name, False, f"answered {r}")
    except ProtocolError as e:
        check(name, e.errcode == status, f"HTTP {e.errcode}, want {status}")
        if status == 401:
            check(name + " has a Basic challenge", header(e, "WWW-Authenticate").startswith('Basic realm="rpchost"'), e.headers)
        if status == 429:
            check(name + " says when to retry", int(header(e, "Retry-After") or 0) >= 1, e.headers)
    except Fault as f:
        check(name, status == 200 and f.faultCode == code, f"fault {f.faultCode} {f.faultString}")


refused("no credentials: 401", proxy(), 401, None)
refused("a wrong token: 401", proxy("alice:not-her-token@"), 401, None)
refused("bob's token under alice's name: 401", proxy(f"alice:{bob}@"), 401, None)
refused("bob may not call remember: -32010", proxy(f"bob:{bob}@"), 200, -32010)

methods = proxy(f"bob:{bob}@").system.listMethods()
check("bob is shown only system.*", methods and all(m.startswith("system.") for m in methods), methods)
methods = proxy(f"alice:{alice}@").system.listMethods()
check("alice is shown remember", "remember.remember" in methods and "plugins.upload" not in methods, methods)

mc = MultiCall(proxy(f"alice:{alice}@"))
mc.system.getCapabilities()
try:
    list(mc())
    check("a multicall's forbidden call is refused", False, "it ran")
except Fault as f:
    check("a multicall's forbidden call is refused", f.faultCode == -32010, f)

lp = proxy(f"limited:{limited}@")
lp.system.listMethods()
lp.system.listMethods()
try:
    lp.remember.remember(99)
    check("limited's third call is refused", False, "it ran")
except ProtocolError as e:
    check("limited's third call is refused: 429", e.errcode == 429 and int(header(e, "Retry-After") or 0) >= 1, e)

# None of the refused calls reached the instance: it still holds alice's 1.
got = proxy(f"alice:{alice}@").remember.remember(2)
check("the refused calls never ran", got == [1, 1], got)

try:
    ServerProxy(f"https://alice:{alice}@{addr}/", context=ssl.create_default_context()).system.listMethods()
    check("a client that does not trust the CA is refused", False, "it connected")
except ssl.SSLCertVerificationError:
    check("a client that does not trust the CA is refused", True)
print("all checks passed")
