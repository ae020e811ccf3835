#!/usr/bin/env python3
"""Service A: collects readings and sends them to rpchost's records plugin.

Nothing but the standard library. It generates --count readings from a few
sources (or reads them from a CSV or JSON file given with --input) and sends
them with records.ingest in batches of --batch, optionally several batches
per HTTP request with system.multicall (--multicall N). It prints what B
stored and rejected, and exits with status 1 on a fault or a transport error.

    python3 examples/clients/python/collector.py                  # 1,000 readings
    python3 examples/clients/python/collector.py --count 10000 --multicall 4
    python3 examples/clients/python/collector.py --input readings.csv

Ids are "<run>-<n>", where <run> is --run-id, or "seed<seed>" without one:
running again with the same --seed sends the same ids, so B replaces the
readings instead of adding copies; give a new --run-id to add new ones.
Generated readings are temperatures between -20 and 40 degrees, one a
minute per source from a fixed start, so a rule refusing negative values
has something to refuse. They are the Go collector's, value for value, for
the same --seed (both use SplitMix64); --print shows them without sending.

--input takes a CSV file with a header (id, source, at, value, tags; tags
separated by ";"; id may be left empty or left out) or a JSON array of
objects with the same members (tags an array). at is ISO 8601
("2024-03-01T12:00:00", "...Z" or "...+02:00"; UTC when no offset is given).
A value that is not a number is sent as it is, for B to reject.
"""

import argparse
import csv
import datetime
import json
import random
import sys
import xmlrpc.client

SOURCES = ["boiler", "attic", "cellar", "garden"]
TAGS = ["indoor", "outdoor", "Calibrated", "battery-low", "INDOOR"]
START = datetime.datetime(2024, 3, 1, 0, 0, 0)


class SplitMix64:
    """The random numbers of the generated readings: SplitMix64, written the
    same way in the Go collector, so that both send identical readings for
    the same --seed (Python's and Go's own generators differ)."""

    MASK = (1 << 64) - 1

    def __init__(self, seed):
        self.state = seed & self.MASK

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & self.MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & self.MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & self.MASK
        return z ^ (z >> 31)

    def intn(self, n):
        """A number in [0, n) (the modulo's bias is negligible here)."""
        return self.next() % n


def generate(count, seed, run):
    """Readings that depend only on count, seed and run: the same as the Go
    collector's, draw for draw."""
    rng = SplitMix64(seed)
    for i in range(count):
        source = SOURCES[i % len(SOURCES)]
        second = rng.intn(60)
        reading = {
            "id": "%s-%06d" % (run, i),
            "source": source,
            "at": START + datetime.timedelta(minutes=i // len(SOURCES), seconds=second),
            "value": (rng.intn(6001) - 2000) / 100,  # -20.00 to 40.00
        }
        if rng.intn(2) == 0:
            n = 1 + rng.intn(2)
            picks = list(range(len(TAGS)))
            for j in range(n):  # the first n steps of a Fisher-Yates shuffle
                k = j + rng.intn(len(picks) - j)
                picks[j], picks[k] = picks[k], picks[j]
            reading["tags"] = [TAGS[k] for k in picks[:n]]
        yield reading


def print_readings(readings):
    """One JSON object per line, at in RFC 3339 UTC: what --print shows."""
    for r in readings:
        r = dict(r)
        if isinstance(r.get("at"), datetime.datetime):
            r["at"] = r["at"].strftime("%Y-%m-%dT%H:%M:%SZ")
        print(json.dumps(r, sort_keys=True))


def parse_time(text):
    """An ISO 8601 time as a naive UTC datetime: xmlrpc.client sends a
    datetime as dateTime.iso8601 without its offset, so convert first."""
    t = datetime.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if t.tzinfo is not None:
        t = t.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return t


def parse_value(text):
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return text
    try:
        return float(text)
    except (TypeError, ValueError):
        return text  # B rejects it and says why


def read_input(path, run):
    """Readings from a CSV or JSON file."""
    if path.endswith(".json"):
        with open(path, encoding="utf-8") as f:
            rows = json.load(f)
    else:
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
    for i, row in enumerate(rows):
        reading = {
            "id": str(row.get("id") or "%s-%06d" % (run, i)),
            "source": row.get("source", ""),
            "at": parse_time(row["at"]) if row.get("at") else None,
            "value": parse_value(row.get("value")),
        }
        tags = row.get("tags")
        if isinstance(tags, str):
            tags = [t for t in tags.split(";") if t.strip()]
        if tags:
            reading["tags"] = tags
        if reading["at"] is None:
            del reading["at"]  # B rejects it: "at is missing"
        yield reading


def batches(readings, size):
    batch = []
    for r in readings:
        batch.append(r)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--server", default="http://127.0.0.1:8088/", help="rpchost URL")
    ap.add_argument("--count", type=int, default=1000, help="readings to generate (default 1000)")
    ap.add_argument("--batch", type=int, default=500, help="readings per records.ingest call (default 500)")
    ap.add_argument("--multicall", type=int, nargs="?", const=4, default=0, metavar="N",
                    help="send N ingest calls per request with system.multicall (N defaults to 4)")
    ap.add_argument("--seed", type=int, default=1, help="seed of the generated readings (default 1)")
    ap.add_argument("--run-id", default="", help="id prefix; default seed<seed>, so reruns replace")
    ap.add_argument("--input", help="read readings from this .csv or .json file instead")
    ap.add_argument("--quiet", action="store_true", help="print only the totals")
    ap.add_argument("--print", action="store_true", dest="print_only",
                    help="print the readings, one JSON object a line, instead of sending them")
    args = ap.parse_args()
    if args.batch < 1:
        ap.error("--batch must be at least 1")

    run = args.run_id or "seed%d" % args.seed
    readings = read_input(args.input, run) if args.input else generate(args.count, args.seed, run)
    if args.print_only:
        print_readings(readings)
        return 0
    server = xmlrpc.client.ServerProxy(args.server)

    sent = stored = 0
    rejected = []
    per_request = max(args.multicall, 1)
    groups = list(batches(batches(readings, args.batch), per_request))
    try:
        for group in groups:
            offsets, calls = [], []
            for batch in group:
                offsets.append(sent)
                sent += len(batch)
                calls.append(batch)
            if args.multicall:
                multi = xmlrpc.client.MultiCall(server)
                for batch in calls:
                    multi.records.ingest(batch)
                results = list(multi())  # raises the first fault
            else:
                results = [server.records.ingest(calls[0])]
            for offset, result in zip(offsets, results):
                stored += result["stored"]
                for r in result["rejected"]:
                    rejected.append((offset + r["index"], r["reason"]))
    except xmlrpc.client.Fault as fault:
        print("fault %d: %s" % (fault.faultCode, fault.faultString), file=sys.stderr)
        return 1
    except (OSError, xmlrpc.client.ProtocolError) as err:
        print("cannot reach %s: %s" % (args.server, err), file=sys.stderr)
        return 1

    if not args.quiet:
        for index, reason in rejected[:20]:
            print("rejected reading %d: %s" % (index, reason))
        if len(rejected) > 20:
            print("... and %d more" % (len(rejected) - 20))
    requests = len(groups)
    print("sent %d readings in %d request%s: stored %d, rejected %d"
          % (sent, requests, "" if requests == 1 else "s", stored, len(rejected)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
