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
has something to refuse.

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


def generate(count, seed, run):
    """Readings that depend only on count, seed and run."""
    rng = random.Random(seed)
    for i in range(count):
        source = SOURCES[i % len(SOURCES)]
        reading = {
            "id": "%s-%06d" % (run, i),
            "source": source,
            "at": START + datetime.timedelta(minutes=i // len(SOURCES), seconds=rng.randrange(60)),
            "value": round(rng.uniform(-20.0, 40.0), 2),
        }
        if rng.random() < 0.5:
            reading["tags"] = rng.sample(TAGS, rng.randrange(1, 3))
        yield reading


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
    args = ap.parse_args()
    if args.batch < 1:
        ap.error("--batch must be at least 1")

    run = args.run_id or "seed%d" % args.seed
    readings = read_input(args.input, run) if args.input else generate(args.count, args.seed, run)
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
