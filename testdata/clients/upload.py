"""Uploads and removes a plugin with Python's xmlrpc.client, as a deploy script would.

usage: upload.py URL TOKEN MODULE.wasm
The token travels as the basic-auth password: http://admin:TOKEN@host:port/.
"""
import sys
import xmlrpc.client as x

url, token, module = sys.argv[1], sys.argv[2], sys.argv[3]
host = url.split("://", 1)[1]
admin = x.ServerProxy("http://admin:%s@%s" % (token, host), use_builtin_types=True)
anonymous = x.ServerProxy(url, use_builtin_types=True)
wasm = open(module, "rb").read()


def expect_fault(what, code, call):
    try:
        call()
    except x.Fault as f:
        if f.faultCode != code:
            sys.exit("%s: fault %d %r, want code %d" % (what, f.faultCode, f.faultString, code))
        print("ok  %s -> fault %d: %s" % (what, f.faultCode, f.faultString))
        return
    sys.exit("%s: no fault" % what)


info = admin.plugins.upload("pyup.wasm", wasm)
assert info["name"] == "pyup" and info["version"] >= 1 and len(info["sha256"]) == 64, info
assert "answer" in info["methods"], info
print("ok  plugins.upload ->", info["name"], "version", info["version"])
assert admin.pyup.answer() == 1
print("ok  pyup.answer() == 1 right after the upload")
names = [p["name"] for p in anonymous.plugins.list()]
assert "pyup" in names, names
print("ok  plugins.list lists pyup")

expect_fault("upload without a token", -32004, lambda: anonymous.plugins.upload("nope", wasm))
wrong = x.ServerProxy("http://admin:wrong@%s" % host, use_builtin_types=True)
expect_fault("upload with a wrong token", -32004, lambda: wrong.plugins.upload("nope", wasm))
expect_fault("upload of a shell script", -32602, lambda: admin.plugins.upload("nope", b"#!/bin/sh\necho hi\n"))
expect_fault("upload with a traversal name", -32602, lambda: admin.plugins.upload("../nope", wasm))
expect_fault("upload with a reserved name", -32602, lambda: admin.plugins.upload("system", wasm))
expect_fault("upload over the size limit", -32602, lambda: admin.plugins.upload("nope", wasm + b"\0" * 70000))

assert admin.plugins.remove("pyup") is True
print("ok  plugins.remove('pyup')")
expect_fault("pyup.answer after removal", -32601, lambda: anonymous.pyup.answer())
print("all upload checks passed")
