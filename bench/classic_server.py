#!/usr/bin/env python3
"""The classic server rpchost replaces: SimpleXMLRPCServer with
ThreadingMixIn and register_instance, as service B ran before.

    python3 bench/classic_server.py PORT [--keepalive]

PORT 0 picks a free port. Once listening it writes
"msg=listening addr=127.0.0.1:PORT" to stderr (the line rpchost logs, so
the benchmark harness reads both the same way), and it stops on SIGTERM or
SIGINT.

Two settings differ from the library's defaults, both in Python's favour:
request logging is off (rpchost logs nothing per request either) and the
listen backlog is 128 rather than 5, so that 64 clients reconnecting do
not overflow it. --keepalive also answers HTTP/1.1 with keep-alive instead
of the default HTTP/1.0, which closes the connection after every response.
"""

import signal
import socketserver
import sys
from xmlrpc.server import SimpleXMLRPCRequestHandler, SimpleXMLRPCServer


class Procedures:
    """What service B served: add, and sum for the request-size curve."""

    def add(self, a, b):
        return a + b

    def sum(self, values):
        return sum(values)


class ThreadingServer(socketserver.ThreadingMixIn, SimpleXMLRPCServer):
    daemon_threads = True
    request_queue_size = 128


class KeepAliveHandler(SimpleXMLRPCRequestHandler):
    protocol_version = "HTTP/1.1"


def main():
    if len(sys.argv) not in (2, 3) or (len(sys.argv) == 3 and sys.argv[2] != "--keepalive"):
        sys.exit("usage: classic_server.py PORT [--keepalive]")
    port = int(sys.argv[1])
    handler = KeepAliveHandler if len(sys.argv) == 3 else SimpleXMLRPCRequestHandler
    server = ThreadingServer(("127.0.0.1", port), requestHandler=handler, logRequests=False, allow_none=True)
    server.register_instance(Procedures())

    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    host, port = server.server_address
    print(f"msg=listening addr={host}:{port}", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
