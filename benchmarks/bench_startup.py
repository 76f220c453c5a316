"""How long `python run.py --help` takes (issue 16: <= 100 ms), beside its peers measured in the same run.

A plain script, not a test:  python -m benchmarks.bench_startup [--runs 9]

Peers: the interpreter doing nothing (the floor), and the straightforward command line that imports at the top
every module its commands use (configuration, Word, Excel, charts, Graph, the store), as commands usually do.
Also the slowest `run.py COMMAND --help` of every command, which must stay as light as the top level.
Each figure is a median of ``--runs`` runs, interleaved so a busy neighbour on the machine hits all alike.
Python runs as it is configured here: with PYTHONDONTWRITEBYTECODE=1 every run compiles the project's modules
again, which a user's Python (bytecode cached after the first run) does not.
"""

from __future__ import annotations

import argparse
import ast
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass

from benchmarks.common import ROOT

TARGET_MS = 100.0


def command_modules() -> list[str]:
    """Every project module a command of processors/cli.py imports when it runs (inside its function)."""
    tree = ast.parse((ROOT / "processors" / "cli.py").read_text(encoding="utf-8"))
    found: set[str] = set()
    for function in (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)):
        for node in ast.walk(function):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in ("processors",
                                                                                                    "watchers"):
                found.add(node.module)
    return sorted(found)


def eager_peer() -> str:
    """The peer's program: import everything the commands use, then print the help."""
    return (f"import {', '.join(command_modules())}\n"
            "import sys; sys.argv = ['run.py', '--help']\nfrom processors.cli import main\n"
            "try:\n    main()\nexcept SystemExit:\n    pass")


def command_words() -> list[list[str]]:
    import click

    from processors.cli import cli

    def walk(group: click.Group, prefix: list[str]) -> list[list[str]]:
        found: list[list[str]] = []
        for name, command in sorted(group.commands.items()):
            found.append(prefix + [name])
            if isinstance(command, click.Group):
                found += walk(command, prefix + [name])
        return found

    return walk(cli, [])


def once(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - started


@dataclass(frozen=True)
class StartUp:
    ours_ms: float
    eager_ms: float
    floor_ms: float
    slowest_command: str
    slowest_command_ms: float

    @property
    def holds(self) -> bool:
        return self.ours_ms <= TARGET_MS and self.slowest_command_ms <= TARGET_MS

    def lines(self, runs: int) -> list[str]:
        return [f"run.py --help (median of {runs}): ours {self.ours_ms:.0f} ms | everything imported at the top "
                f"{self.eager_ms:.0f} ms ({self.eager_ms / self.ours_ms:.1f}x) | bare interpreter "
                f"{self.floor_ms:.0f} ms | target <= {TARGET_MS:.0f} ms: {'holds' if self.holds else 'NOT MET'}",
                f"slowest run.py COMMAND --help: `{self.slowest_command} --help` {self.slowest_command_ms:.0f} ms"]


def measure(runs: int = 9) -> StartUp:
    commands = {"ours": [sys.executable, "run.py", "--help"], "eager": [sys.executable, "-c", eager_peer()],
                "floor": [sys.executable, "-c", "pass"]}
    commands.update({" ".join(w): [sys.executable, "run.py", *w, "--help"] for w in command_words()})
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            times[name].append(once(command) * 1000)
    medians = {name: statistics.median(values) for name, values in times.items()}
    slowest = max((n for n in medians if n not in ("ours", "eager", "floor")), key=medians.__getitem__)
    return StartUp(medians["ours"], medians["eager"], medians["floor"], slowest, medians[slowest])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    for line in measure(args.runs).lines(args.runs):
        print(line)


if __name__ == "__main__":
    main()
