#!/usr/bin/env python3
"""Calling rpchost from Python: nothing but the standard library.

    python3 examples/clients/python/client.py [http://127.0.0.1:8088/]
"""

import sys
import xmlrpc.client

url = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8088/"
server = xmlrpc.client.ServerProxy(url)

# add is served by plugins/add.wasm (also callable as "add.add").
print(server.add(3, 4))                # 7
print(server.add("hello", "world"))    # helloworld

# A wrong call is an xmlrpc.client.Fault, as with any XML-RPC server.
try:
    server.add(1, "x")
except xmlrpc.client.Fault as fault:
    print("fault", fault.faultCode, fault.faultString)

# Several calls in one request with system.multicall.
multi = xmlrpc.client.MultiCall(server)
multi.add(1, 2)
multi.numeric.triple(14)
multi.validator1.countTheEntities("<a & b>")
for result in multi():
    print(result)                      # 3, 42, {'ctAmpersands': 1, ...}

# Every method the plugins provide, and what one of them does.
print(server.system.listMethods())
print(server.system.methodHelp("add"))
