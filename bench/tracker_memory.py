"""Memory of tracking.MessageTracker at 100,000 tracked messages, measured with tracemalloc.

What is counted: everything allocated while the messages are added, i.e. the tracker's
OrderedDict, each TrackedMessage (with its sent_at float) and each message id string as
SMSC returns it (the tracker keeps a normalised copy as the key). Recipient strings are
made beforehand and shared, as the hub shares one per recipient; 1,000 recipients.

Usage: python bench/tracker_memory.py [-n 100000]
"""

from __future__ import annotations

import argparse
import gc
from pathlib import Path
import sys
import time
import tracemalloc

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from custom_components.smsc.smpp.compose import MessageKind
from custom_components.smsc.tracking import MessageTracker

FIRST_ID = 1_000_000_000  # SMSC's ids are decimal numbers of about this size


def measure(n: int) -> dict[str, float]:
    recipients = [f"7999{i:07d}" for i in range(1000)]
    gc.collect()
    tracemalloc.start()
    start_current, _ = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    started = time.perf_counter()
    # max_size defaults to 50,000; the measurement wants every message kept.
    tracker = MessageTracker(max_size=n)
    for i in range(n):
        tracker.add(str(FIRST_ID + i), recipients[i % len(recipients)], MessageKind.SMS)
    elapsed = time.perf_counter() - started
    gc.collect()
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert len(tracker) == n
    found = tracker.find([str(FIRST_ID + n - 1)])
    assert found is not None
    total = current - start_current
    return {
        "messages": n,
        "bytes": total,
        "per_message": total / n,
        "peak": peak - start_current,
        "add_us": elapsed / n * 1e6,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=100_000)
    args = parser.parse_args(argv)
    result = measure(args.n)
    print(f"MessageTracker memory (tracemalloc), {result['messages']:,} tracked messages")
    print(f"{'figure':<34} {'value':>14}")
    print(f"{'total retained':<34} {result['bytes'] / 1024 / 1024:>11.1f} MiB")
    print(f"{'bytes per message':<34} {result['per_message']:>14.0f}")
    print(f"{'peak while adding':<34} {result['peak'] / 1024 / 1024:>11.1f} MiB")
    print(f"{'add() time (traced, slower)':<34} {result['add_us']:>11.2f} us")


if __name__ == "__main__":
    main()
