"""The package's shape: no import cycles, SQL only in the store, and light modules that stay light."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

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


def test_help_loads_no_heavy_library() -> None:
    code = ("import runpy, sys\nsys.argv = ['run.py', '--help']\n"
            "try:\n    runpy.run_path('run.py', run_name='__main__')\nexcept SystemExit:\n    pass")
    loaded = _loaded_after(code)
    assert "click" in loaded
    assert not loaded & {"docxtpl", "matplotlib", "O365", "openpyxl", "pydantic", "yaml"}  # issue 16: --help <= 100 ms
