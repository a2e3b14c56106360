"""Why: show that a reorganisation of the suite dropped no assertion.

Counts, in every ``test_*.py`` and helper module under a tests folder, the ``assert``
statements and ``pytest.raises`` blocks (statically: a parametrised test counts once), and
the test functions. Cases as pytest runs them come from ``pytest --collect-only -q``.

    .venv/bin/python scripts/test_counts.py tests
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path


def counts(folder: Path) -> dict[str, int]:
    asserts = raises = functions = 0
    for path in sorted(folder.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Assert):
                asserts += 1
            elif isinstance(node, ast.Call) and ast.unparse(node.func) == "pytest.raises":
                raises += 1
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                functions += node.name.startswith("test_")
    return {"assert": asserts, "pytest.raises": raises, "test functions": functions}


if __name__ == "__main__":
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "tests")
    for name, value in counts(folder).items():
        print(f"{name}: {value}")
