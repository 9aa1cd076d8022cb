"""Off EC2: how long ``IamAwsProvider().retrieve()`` takes to give up, next to botocore.

Run from the repository root::

    python3 tests/benchmarks/offec2.py [--runs N]

Two dead ends on 127.0.0.1 stand in for a metadata address where nothing answers:
``blackhole`` (a listener that accepts connections and never replies) and
``full backlog`` (a port whose connection queue is full: SYNs are dropped and
connect hangs). Every run gets a clean environment, an empty HOME and only
``AWS_EC2_METADATA_SERVICE_ENDPOINT`` pointing at the dead end, and a new dead end.
minicreds and botocore's default chain (``get_session().get_credentials()``) run
interleaved in this process; the medians and their ratio are printed (goal, README
"Performance": minicreds at most half of botocore's time). Wall-clock numbers: run on a
quiet machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, REPO)

import minicreds
from tests import support

try:
    import botocore.session
except ImportError:  # the comparison needs botocore; minicreds alone still runs
    botocore = None


def timed(call):
    start = time.perf_counter()
    try:
        outcome = call()
    except Exception as exc:  # noqa: BLE001 - report, do not stop the benchmark
        outcome = type(exc).__name__
    return time.perf_counter() - start, outcome


def contenders():
    yield "IamAwsProvider", lambda: minicreds.IamAwsProvider().retrieve()
    if hasattr(minicreds, "default_provider"):
        yield "default_provider", lambda: minicreds.default_provider().retrieve()
    if botocore is not None:
        yield "botocore", lambda: botocore.session.get_session().get_credentials()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each (default 5)")
    args = parser.parse_args()
    scenarios = (
        ("blackhole", support.blackhole),
        ("full backlog", support.full_backlog),
    )
    names = [name for name, _ in contenders()]
    print("%-14s" % "scenario" + "".join("%18s" % n for n in names) + "   ratio")
    for label, dead_end in scenarios:
        times = {name: [] for name in names}
        outcomes = {}
        for _ in range(args.runs):
            for name, call in contenders():
                with dead_end() as addr, support.env(
                    AWS_EC2_METADATA_SERVICE_ENDPOINT=addr.url
                ):
                    seconds, outcome = timed(call)
                times[name].append(seconds)
                outcomes.setdefault(name, repr(outcome))
        medians = {name: statistics.median(times[name]) for name in names}
        ratio = (
            "%7.2f" % (medians["IamAwsProvider"] / medians["botocore"])
            if "botocore" in medians
            else "    n/a"
        )
        print("%-14s" % label + "".join("%16.3f s" % medians[n] for n in names) + ratio)
        print("%-14s" % "  returned" + "".join("%18s" % outcomes[n] for n in names))
    if botocore is None:
        print("botocore is not installed: no comparison")


if __name__ == "__main__":
    main()
