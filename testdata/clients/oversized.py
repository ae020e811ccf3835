#!/usr/bin/env python3
"""A body over limits.max_body_bytes, sent by Python's clients, which send
the whole body before they read the answer: each must receive rpchost's
-32600 fault, not a connection reset.

Usage: python3 oversized.py URL MAX_BODY_BYTES

Prints one line per check and exits non-zero at the first failure. Run by
`go test -run TestPythonReceivesTheAnswerToAnOversizedBody`.
"""

import io
import sys
import time
import urllib.request
import xmlrpc.client

url, limit = sys.argv[1], int(sys.argv[2])
sys.stdout.reconfigure(line_buffering=True)


class Zeros(io.RawIOBase):
    """n bytes of XML-looking padding, produced as they are read, so a
    200 MB body costs this script no memory."""

    def __init__(self, n):
        self.left = n

    def readable(self):
        return True

    def readinto(self, b):
        n = min(len(b), self.left)
        b[:n] = b" " * n
        self.left -= n
        return n


def fail(msg):
    print("FAIL " + msg)
    sys.exit(1)


# urllib, 200 MB streamed with a Content-Length.
size = 200 * 1000 * 1000
start = time.monotonic()
req = urllib.request.Request(url, data=Zeros(size), method="POST",
                             headers={"Content-Type": "text/xml", "Content-Length": str(size)})
try:
    with urllib.request.urlopen(req, timeout=60) as resp:
        status, body = resp.status, resp.read().decode()
except Exception as e:  # ConnectionResetError, BrokenPipeError, ...
    fail(f"urllib, {size} bytes: {type(e).__name__}: {e}")
if status != 200 or "<int>-32600</int>" not in body or "limits.max_body_bytes" not in body:
    fail(f"urllib, {size} bytes: {status} {body[:300]!r}; want 200 and fault -32600 naming limits.max_body_bytes")
print(f"ok urllib: {size} bytes over a {limit}-byte limit answered {status} with fault -32600 "
      f"in {time.monotonic() - start:.2f}s")

# xmlrpc.client, a string param 32 times the limit.
start = time.monotonic()
try:
    xmlrpc.client.ServerProxy(url).add("x" * (32 * limit), "y")
    fail("xmlrpc.client: an oversized call was answered with a result")
except xmlrpc.client.Fault as f:
    if f.faultCode != -32600 or "limits.max_body_bytes" not in f.faultString:
        fail(f"xmlrpc.client: fault {f.faultCode} {f.faultString!r}; want -32600 naming limits.max_body_bytes")
    print(f"ok xmlrpc.client: {32 * limit} bytes of params answered Fault({f.faultCode}, {f.faultString!r}) "
          f"in {time.monotonic() - start:.2f}s")
except Exception as e:
    fail(f"xmlrpc.client: {type(e).__name__}: {e}")

# The server still answers afterwards.
if xmlrpc.client.ServerProxy(url).add(3, 4) != 7:
    fail("add(3, 4) after the oversized bodies")
print("ok add(3, 4) == 7 afterwards")
