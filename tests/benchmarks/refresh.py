"""Benchmark: a cached ``retrieve()`` of a refreshing provider (README, "Performance").

Compares ``minicreds.RefreshingProvider.retrieve()`` on cached credentials with
botocore's ``RefreshableCredentials.get_frozen_credentials()`` on the same machine,
both holding credentials that expire hours from now (so neither refreshes). Runs are
interleaved and the medians compared, as this machine is shared and noisy.

Goal: at most 2 us per call, and at least ten times faster than botocore.

Run from the repository root: ``python3 tests/benchmarks/refresh.py [--rounds N]``.
Exit status 0 when the goals are met, 1 when not, 2 when botocore is missing.
Nothing here is collected by ``unittest`` (no ``test_`` prefix, no ``__init__.py``).
"""

import datetime
import statistics
import sys

import timing  # beside this script

sys.path.insert(0, timing.REPO)

import minicreds  # after sys.path is set

GOAL_NS = 2000.0
GOAL_RATIO = 10.0


def expiry(hours=6.0):
    now = datetime.datetime.now(datetime.timezone.utc)
    return now + datetime.timedelta(hours=hours)


def minicreds_call():
    creds = minicreds.Credentials("AKIDEXAMPLE", "SECRET", "TOKEN", expiry())
    provider = minicreds.RefreshingProvider(lambda: creds)
    provider.retrieve()  # fill the cache
    return provider.retrieve


def botocore_call():
    from botocore.credentials import RefreshableCredentials

    metadata = {
        "access_key": "AKIDEXAMPLE",
        "secret_key": "SECRET",
        "token": "TOKEN",
        "expiry_time": expiry().isoformat(),
    }

    def refresh():
        raise AssertionError("botocore refreshed during the benchmark")

    creds = RefreshableCredentials.create_from_metadata(metadata, refresh, "bench")
    creds.get_frozen_credentials()
    return creds.get_frozen_credentials


def main(argv=None):
    rounds = timing.rounds_option(__doc__, argv)
    calls, boto_version = timing.with_botocore(minicreds_call, botocore_call)
    # A call takes tens of nanoseconds: the loop is unrolled, and may run longer.
    samples = timing.interleaved(
        calls, rounds, timing.per_call_ns_unrolled, most=10_000_000
    )
    timing.print_header(
        f"cached retrieve(), {rounds} interleaved rounds, median ns per call"
    )
    mini = statistics.median(samples["minicreds"])
    spread = (min(samples["minicreds"]), max(samples["minicreds"]))
    print(
        f"  minicreds RefreshingProvider.retrieve()            {mini:9.1f} ns"
        f"  (min {spread[0]:.1f}, max {spread[1]:.1f})"
    )
    ok = mini <= GOAL_NS
    if boto_version is None:
        print("  botocore: not installed, no ratio")
        print(f"goal <= {GOAL_NS:.0f} ns: {'met' if ok else 'MISSED'}")
        return 2
    boto = statistics.median(samples["botocore"])
    spread = (min(samples["botocore"]), max(samples["botocore"]))
    print(
        f"  botocore {boto_version} get_frozen_credentials()  {boto:9.1f} ns"
        f"  (min {spread[0]:.1f}, max {spread[1]:.1f})"
    )
    ratios = [b / m for m, b in zip(samples["minicreds"], samples["botocore"])]
    ratio = statistics.median(ratios)
    print(f"  ratio botocore / minicreds (median of rounds)      {ratio:9.1f}x")
    ok_ratio = ratio >= GOAL_RATIO
    print(
        f"goals: <= {GOAL_NS:.0f} ns {'met' if ok else 'MISSED'};"
        f" >= {GOAL_RATIO:.0f}x faster {'met' if ok_ratio else 'MISSED'}"
    )
    return 0 if ok and ok_ratio else 1


if __name__ == "__main__":
    sys.exit(main())
