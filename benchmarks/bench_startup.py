"""How long `python run.py --help` takes (issue 16: <= 100 ms), beside its peers measured in the same run.

A plain script, not a test:  python -m benchmarks.bench_startup [--runs 15]

Peers: the interpreter doing nothing (the floor), and the straightforward command line that imports its
configuration (pydantic, yaml) and the libraries its commands use at the top, as it did before.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

from benchmarks.common import ROOT

EAGER = ("import processors.cli, processors.config.settings, openpyxl, docxtpl, matplotlib.pyplot\n"
         "import sys; sys.argv = ['run.py', '--help']\nfrom processors.cli import main\n"
         "try:\n    main()\nexcept SystemExit:\n    pass")


def median_seconds(command: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    floor = median_seconds([sys.executable, "-c", "pass"], args.runs)
    ours = median_seconds([sys.executable, "run.py", "--help"], args.runs)
    eager = median_seconds([sys.executable, "-c", EAGER], args.runs)
    print(f"run.py --help (median of {args.runs}): ours {ours * 1000:.0f} ms | everything imported at the top "
          f"{eager * 1000:.0f} ms ({eager / ours:.1f}x) | bare interpreter {floor * 1000:.0f} ms | target <= 100 ms")


if __name__ == "__main__":
    main()
