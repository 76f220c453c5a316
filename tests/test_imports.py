"""The package's shape: no import cycles, SQL only in the store, and light modules that stay light."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("processors", "watchers")


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _imports(path: Path, modules: dict[str, Path]) -> set[str]:
    """Every project module ``path`` imports, anywhere in the file (also inside functions and TYPE_CHECKING)."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        for name in names:
            if name in modules:
                out.add(name)
    return out


def import_graph() -> dict[str, set[str]]:
    """Module -> the project modules it imports, plus the packages Python runs first to import it."""
    modules = _modules()
    graph = {}
    for name, path in modules.items():
        edges = _imports(path, modules)
        parts = name.split(".")
        edges |= {".".join(parts[:i]) for i in range(1, len(parts))}  # importing a.b.c runs a and a.b first
        graph[name] = edges - {name}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle as [a, b, ..., a], or [] when there is none (depth-first search)."""
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return []

    for start in sorted(graph):
        if start not in state:
            cycle = visit(start)
            if cycle:
                return cycle
    return []


def test_the_cycle_finder_finds_a_cycle_and_names_it() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_no_module_imports_one_that_imports_it_back() -> None:
    graph = import_graph()
    assert "processors.mail.message" in graph and "watchers.run" in graph  # the walk sees both packages
    cycle = find_cycle(graph)
    assert not cycle, "import cycle: " + " -> ".join(cycle)


EDGES = ("processors.cli", "processors.demo.run")  # the command line and the demo, which drives every step


def test_processors_do_not_import_the_watchers_except_the_command_line_and_the_demo() -> None:
    graph = import_graph()
    offenders = sorted(m for m, deps in graph.items()
                       if m.startswith("processors") and m not in EDGES and any(d.startswith("watchers")
                                                                                  for d in deps))
    assert offenders == []


SQL = re.compile(r"""["'](?:SELECT|INSERT|UPDATE|DELETE|CREATE|ALTER|DROP)\s""")


def test_sql_is_only_inside_the_store_package() -> None:
    outside = [path for name, path in _modules().items()
               if not name.startswith("processors.store")
               and (SQL.search(path.read_text(encoding="utf-8")) or ".execute(" in path.read_text(encoding="utf-8")
                    or "store.query(" in path.read_text(encoding="utf-8"))]
    assert outside == []


def _loaded_after(code: str) -> set[str]:
    probe = f"{code}\nimport sys\nprint(' '.join(sorted(m.split('.')[0] for m in sys.modules)))"
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return set(result.stdout.split())


def test_building_a_message_loads_no_word_or_chart_library() -> None:
    loaded = _loaded_after("import processors.mail.message, processors.mail.sending, processors.naming")
    assert "processors" in loaded
    assert not loaded & {"docxtpl", "docx", "matplotlib", "O365", "openpyxl"}


HEAVY = {"docxtpl", "docx", "matplotlib", "O365", "openpyxl", "pydantic", "yaml", "lxml", "sqlite3", "requests",
         "jinja2", "numpy", "PIL", "pypdf", "watchdog", "msal"}


def _command_paths() -> list[list[str]]:
    """Every command and group of ``run.py``, as the words typed after it ([] is the top level)."""
    import click

    from processors.cli import cli

    def walk(group: click.Group, prefix: list[str]) -> list[list[str]]:
        found = [prefix]
        for name, command in sorted(group.commands.items()):
            if isinstance(command, click.Group):
                found += walk(command, prefix + [name])
            else:
                found.append(prefix + [name])
        return found

    return walk(cli, [])


def _help_loads(words: list[str]) -> tuple[str, set[str]]:
    """(what ``python run.py WORDS --help`` printed, the top-level modules it had loaded)."""
    code = ("import contextlib, io, runpy, sys\n"
            f"sys.argv = ['run.py', *{words!r}, '--help']\nout = io.StringIO()\n"
            "try:\n    with contextlib.redirect_stdout(out):\n        runpy.run_path('run.py', run_name='__main__')\n"
            "except SystemExit:\n    pass\nprint(out.getvalue().splitlines()[0])")
    probe = f"{code}\nprint(' '.join(sorted(m.split('.')[0] for m in sys.modules)))"
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    usage, modules = result.stdout.splitlines()[-2:]
    return usage, set(modules.split())


def test_every_command_is_checked() -> None:
    paths = [" ".join(p) for p in _command_paths()]
    assert {"", "ingest", "chase", "watch", "report", "templates check", "practice-week plan"} <= set(paths)


@pytest.mark.parametrize("words", _command_paths(), ids=lambda w: " ".join(w) or "top level")
def test_help_loads_no_heavy_library(words: list[str]) -> None:
    """issue 16: `run.py --help` <= 100 ms, and every `run.py COMMAND --help` as light: configuration (pydantic,
    yaml), Word, Excel, charts, Graph and the store are loaded only by the command that runs."""
    usage, loaded = _help_loads(words)
    assert usage.startswith("Usage: python run.py " + " ".join(words))  # the help really printed
    assert "click" in loaded
    assert sorted(loaded & HEAVY) == []


# Heavy libraries only in the commands that use them (issue 16): what importing each command's use case loads.
# matplotlib draws report charts (report, watch's scheduled reports); docxtpl renders forms and letters;
# O365 is loaded only when email goes through Microsoft Graph (email.backend: graph) or a SharePoint library
# is watched.
NOT_USED = {
    "processors.intake.run": {"matplotlib", "O365"},                      # ingest
    "processors.intake.rebuild": {"matplotlib", "O365"},                  # rebuild
    "processors.chase.run": {"matplotlib", "docxtpl", "O365"},            # chase
    "processors.generate.run": {"matplotlib", "O365"},                    # generate
    "processors.allocation.cycle": {"matplotlib", "O365"},                # allocate
    "processors.planning.commission": {"matplotlib", "O365"},             # commission
    "processors.assurance.importer": {"matplotlib", "docxtpl", "O365"},   # import
    "processors.templates.build": {"matplotlib", "docxtpl", "O365"},      # templates build
}


@pytest.mark.parametrize("module", sorted(NOT_USED))
def test_a_command_loads_only_the_heavy_libraries_it_uses(module: str) -> None:
    loaded = _loaded_after(f"import {module}")
    assert module.split(".")[0] in loaded
    assert sorted(loaded & NOT_USED[module]) == []

