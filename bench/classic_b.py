#!/usr/bin/env python3
"""Service B written the classic way: SimpleXMLRPCServer + ThreadingMixIn +
sqlite3, for the benchmark's ingest part.

    python3 bench/classic_b.py PORT DATABASE
    python3 bench/classic_b.py --check < readings.json   (validation only)

PORT 0 picks a free port. Once listening it writes
"msg=listening addr=127.0.0.1:PORT" to stderr, as rpchost does, and stops
on SIGTERM or SIGINT.

records.ingest(array of readings) validates and normalizes every reading
exactly as the records plugin does (examples/guests/records/recordsvc and
its deployment rule, value between -1e9 and 1e9): the same readings are
accepted, the same rejected with the same reason, and the result has the
same shape, {stored: int, rejected: [{index: int, reason: string}]}. The
accepted readings are stored in one committed SQLite transaction per call,
durable (the default rollback journal, synchronous=FULL), a reading whose
id is stored already replacing it; the table has the plugin's two indexes,
(source, at, id) and (at, id). records.stats() returns {count, bySource}.

Where the two cannot agree: Python's xmlrpc decodes a struct into a dict,
so a record with a member twice keeps the last value where the plugin
checks both; and the Unicode tables (case mapping, control characters) are
Python's and Go's own versions. The measured batches have neither.

SQLite allows one writer at a time, so the server keeps one connection and
a lock around each call's transaction (opening a connection per request
would cost Python more).

--check reads a records.ingest methodCall from stdin, decodes it as the
server does and prints the ingest result as JSON without storing anything:
the bench's unit test compares it with the plugin's.
"""

import json
import math
import re
import signal
import socketserver
import sqlite3
import sys
import threading
import unicodedata
from datetime import datetime, timedelta
from xmlrpc.client import Binary, DateTime, Fault, loads
from xmlrpc.server import SimpleXMLRPCServer

MAX_ID_BYTES = 200
MAX_SOURCE_BYTES = 200
MAX_TAGS = 32
MAX_TAG_BYTES = 64
MAX_BATCH = 10000
CODE_INVALID_PARAMS = -32602

# Go's unicode.IsSpace, which strings.TrimSpace trims: Python's str.strip()
# also strips U+001C..U+001F, which Go keeps.
GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"


class Invalid(Exception):
    """A reading's reason for rejection."""


def type_name(v):
    """abi.TypeName: the XML-RPC type a value came as."""
    if v is None:
        return "nil"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int):
        return "int" if -(1 << 31) <= v < (1 << 31) else "i8"
    if isinstance(v, float):
        return "double"
    if isinstance(v, str):
        return "string"
    if isinstance(v, (bytes, Binary)):
        return "base64"
    if isinstance(v, list):
        return "array"
    if isinstance(v, dict):
        return "struct"
    if isinstance(v, (DateTime, datetime)):
        return "dateTime.iso8601"
    return type(v).__name__


def go_quote(s):
    """strconv.Quote, for member names in reasons."""
    out = ['"']
    for c in s:
        o = ord(c)
        if c in '"\\':
            out.append("\\" + c)
        elif c in "\a\b\f\n\r\t\v":
            out.append({"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v"}[c])
        elif o < 0x20 or o == 0x7F:
            out.append("\\x%02x" % o)
        elif c.isprintable():
            out.append(c)
        elif o < 0x10000:
            out.append("\\u%04x" % o)
        else:
            out.append("\\U%08x" % o)
    out.append('"')
    return "".join(out)


def is_control(c):
    """unicode.IsControl: C0 and C1."""
    return unicodedata.category(c) == "Cc"


def go_lower(s):
    """strings.ToLower: the simple case mapping, rune by rune (str.lower
    maps U+0130 to two characters and a final sigma by context)."""
    if s.isascii():
        return s.lower()
    return "".join("i" if c == "\u0130" else c.lower() for c in s)


def utf8_len(s):
    return len(s.encode("utf-8", "surrogatepass"))


def text(name, v, max_bytes):
    if not isinstance(v, str):
        raise Invalid("%s must be a string, got %s" % (name, type_name(v)))
    s = v.strip(GO_SPACE)
    if s == "":
        raise Invalid(name + " is empty")
    n = utf8_len(s)
    if n > max_bytes:
        raise Invalid("%s is %d bytes, at most %d" % (name, n, max_bytes))
    if any(is_control(c) for c in s):
        raise Invalid(name + " contains a control character")
    return s


# YYYY[-]MM[-]DDTHH[:]MM[:]SS[.fraction][Z|±HH[:]MM], rpchost's dateTime.
DATETIME_RE = re.compile(
    r"(\d{4})(-)?(\d{2})(?(2)-)(\d{2})T(\d{2})(:)?(\d{2})(?(6):)(\d{2})(?:\.(\d+))?(?:(Z)|([+-])(\d{2}):?(\d{2}))?\Z",
    re.ASCII)


def parse_datetime(raw):
    """A dateTime.iso8601 as rpchost's XML-RPC decoder reads it: (the UTC
    time to the second as a datetime, nanoseconds, the year in UTC).
    Python's datetime has no year 0, so a time before year 400 is computed
    400 years (one Gregorian cycle, the same calendar) later. A text rpchost
    refuses faults the whole call, as rpchost does."""
    m = DATETIME_RE.match(raw.strip())
    bad = Fault(-32600, "dateTime.iso8601 value %r is not a date like 19980717T14:08:55" % raw)
    if not m:
        raise bad
    year, month, day, hour, minute, sec = (int(m.group(i)) for i in (1, 3, 4, 5, 7, 8))
    frac = (m.group(9) or "")[:9]
    nsec = int(frac.ljust(9, "0")) if frac else 0
    offset = 0
    if m.group(11):
        oh, om = int(m.group(12)), int(m.group(13))
        if oh > 23 or om > 59:
            raise bad
        offset = (1 if m.group(11) == "+" else -1) * (oh * 3600 + om * 60)
    shift = 400 if year < 400 else 0
    try:
        t = datetime(year + shift, month, day, hour, minute, sec) - timedelta(seconds=offset)
    except (ValueError, OverflowError):
        raise bad
    return t, nsec, t.year - shift


def timestamp(v):
    if not isinstance(v, DateTime):
        raise Invalid("at must be a dateTime.iso8601, got " + type_name(v))
    t, nsec, year = parse_datetime(v.value)
    if year < 1 or year > 9999:
        raise Invalid("at is in year %d, outside 0001-9999" % year)
    # The plugin's index form: UTC as 23 digits, YYYYMMDDhhmmssnnnnnnnnn.
    return "%04d%02d%02d%02d%02d%02d%09d" % (year, t.month, t.day, t.hour, t.minute, t.second, nsec)


def number(v):
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise Invalid("value must be a number, got " + type_name(v))
    f = float(v)
    if math.isnan(f) or math.isinf(f):
        raise Invalid("value must be a finite number")
    return f


def tags(v):
    if v is None:
        return []
    if not isinstance(v, list):
        raise Invalid("tags must be an array of strings, got " + type_name(v))
    out = []
    for i, e in enumerate(v):
        if not isinstance(e, str):
            raise Invalid("tags[%d] must be a string, got %s" % (i, type_name(e)))
        s = go_lower(e.strip(GO_SPACE))
        if s == "" or s in out:
            continue
        n = utf8_len(s)
        if n > MAX_TAG_BYTES:
            raise Invalid("tags[%d] is %d bytes, at most %d" % (i, n, MAX_TAG_BYTES))
        if any(is_control(c) for c in s):
            raise Invalid("tags[%d] contains a control character" % i)
        out.append(s)
    if len(out) > MAX_TAGS:
        raise Invalid("%d distinct tags, at most %d" % (len(out), MAX_TAGS))
    return out


def parse_record(v):
    """recordsvc.parseRecord and the deployment rule: (id, source, at,
    value, tags) normalized, or Invalid with the plugin's reason."""
    if not isinstance(v, dict):
        raise Invalid("want a struct, got " + type_name(v))
    rid = source = at = value = None
    tag_list = []
    for name, m in v.items():
        if name == "id":
            rid = text("id", m, MAX_ID_BYTES)
        elif name == "source":
            source = text("source", m, MAX_SOURCE_BYTES)
        elif name == "at":
            at = timestamp(m)
        elif name == "value":
            value = number(m)
        elif name == "tags":
            tag_list = tags(m)
        else:
            raise Invalid("unknown member %s (a record has id, source, at, value and tags)" % go_quote(name))
    for have, name in ((rid, "id"), (source, "source"), (at, "at"), (value, "value")):
        if have is None:
            raise Invalid(name + " is missing")
    if value < -1e9 or value > 1e9:
        raise Invalid("value must be between -1e9 and 1e9")
    return (rid, source, at, value, json.dumps(tag_list))


def validate(batch):
    """The accepted rows and the ingest result's rejected list."""
    if not isinstance(batch, list):
        raise Fault(CODE_INVALID_PARAMS, "param 0: want array, got " + type_name(batch))
    if len(batch) > MAX_BATCH:
        raise Fault(CODE_INVALID_PARAMS, "%d records in one call, at most %d: send smaller batches" % (len(batch), MAX_BATCH))
    rows, rejected = [], []
    for i, v in enumerate(batch):
        try:
            rows.append(parse_record(v))
        except Invalid as e:
            rejected.append({"index": i, "reason": str(e)})
    return rows, rejected


class Store:
    def __init__(self, path):
        # isolation_level "" (the default, deferred): sqlite3 opens the
        # transaction before the first INSERT; `with self.db` commits it.
        self.db = sqlite3.connect(path, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=DELETE")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS records (id TEXT PRIMARY KEY, source TEXT NOT NULL, "
            "at TEXT NOT NULL, value REAL NOT NULL, tags TEXT NOT NULL)")
        self.db.execute("CREATE INDEX IF NOT EXISTS records_by_source ON records (source, at, id)")
        self.db.execute("CREATE INDEX IF NOT EXISTS records_by_at ON records (at, id)")
        self.db.commit()
        self.lock = threading.Lock()

    def ingest(self, batch):
        rows, rejected = validate(batch)
        with self.lock, self.db:
            self.db.executemany("INSERT OR REPLACE INTO records (id, source, at, value, tags) VALUES (?, ?, ?, ?, ?)", rows)
        return {"stored": len(rows), "rejected": rejected}

    def stats(self):
        with self.lock:
            by_source = dict(self.db.execute("SELECT source, COUNT(*) FROM records GROUP BY source ORDER BY source"))
        return {"count": sum(by_source.values()), "bySource": by_source}


class ThreadingServer(socketserver.ThreadingMixIn, SimpleXMLRPCServer):
    daemon_threads = True
    request_queue_size = 128


def main():
    if sys.argv[1:] == ["--check"]:
        params, _ = loads(sys.stdin.buffer.read())  # as the server decodes
        rows, rejected = validate(params[0])
        json.dump({"stored": len(rows), "rejected": rejected}, sys.stdout)
        return
    if len(sys.argv) != 3:
        sys.exit("usage: classic_b.py PORT DATABASE | classic_b.py --check")
    store = Store(sys.argv[2])
    server = ThreadingServer(("127.0.0.1", int(sys.argv[1])), logRequests=False, allow_none=True)
    server.register_function(store.ingest, "records.ingest")
    server.register_function(store.stats, "records.stats")

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
        store.db.close()


if __name__ == "__main__":
    main()
