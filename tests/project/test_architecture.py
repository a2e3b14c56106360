"""The package's boundaries, read from its source: plugins import the core, never each other.

Switching one ``tgn_*`` plugin off must not break another's import, and the table engine
must run in a plain Python process (benchmark, script) without the CKAN application.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from tests.helpers.paths import PACKAGE, ROOT

pytestmark = pytest.mark.unit

PLUGINS = sorted(p.parent.name for p in PACKAGE.glob("*/plugin.py"))


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _package_of(path: Path) -> str:
    """The package that relative imports of this file start from."""
    name = _module_name(path)
    return name if path.name == "__init__.py" else name.rsplit(".", 1)[0]


def _imports(path: Path, source: str | None = None) -> set[str]:
    """Absolute names of every module a file imports (relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8") if source is None else source)
    package = _package_of(path).split(".")
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def _sources() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "migration" not in p.parts)


def _owner(module: str) -> str:
    """The sub-package of ckanext.tgn a module belongs to (``lib``, a plugin, or ``""``)."""
    parts = module.split(".")
    return parts[2] if len(parts) > 2 and parts[:2] == ["ckanext", "tgn"] else ""


def test_the_package_has_a_core_and_the_plugins():
    assert (PACKAGE / "lib" / "__init__.py").is_file()
    assert not (PACKAGE / "lib" / "plugin.py").exists()
    assert set(PLUGINS) == {
        "dcat", "harvest", "portal", "preview", "quality", "reuse", "schema", "security",
        "territories", "validation",
    }  # fmt: skip


def test_plugins_never_import_each_other():
    crossings = []
    for path in _sources():
        owner = _owner(_module_name(path))
        for module in _imports(path):
            target = _owner(module)
            if target in PLUGINS and owner != target:
                crossings.append(f"{path.relative_to(ROOT)} imports {module}")
    assert crossings == []


def test_the_core_imports_no_plugin():
    offending = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in (PACKAGE / "lib").rglob("*.py")
        for module in _imports(path)
        if _owner(module) in PLUGINS
    ]
    assert offending == []


def test_the_boundary_check_sees_a_crossing():
    """The checker itself: an import of another plugin, relative or absolute, is found."""
    source = "from ckanext.tgn.validation import queue\nfrom ..territories import helpers\n"
    found = _imports(PACKAGE / "dcat" / "views.py", source)
    assert {"ckanext.tgn.validation", "ckanext.tgn.territories"} <= found
    assert _owner("ckanext.tgn.territories.helpers") == "territories"


def _engine_imports(path: Path, seen: set[Path]) -> set[str]:
    """Every module the engine reaches inside ckanext.tgn, and the outside ones it names."""
    if path in seen:
        return set()
    seen.add(path)
    found = set()
    for module in _imports(path):
        found.add(module)
        if module.startswith("ckanext.tgn."):
            relative = Path(*module.split(".")[2:])
            for candidate in (
                PACKAGE / relative.with_suffix(".py"),
                PACKAGE / relative / "__init__.py",
            ):
                if candidate.is_file():
                    found |= _engine_imports(candidate, seen)
    return found


def test_the_table_engine_reaches_no_ckan_application_code():
    seen: set[Path] = set()
    for path in (PACKAGE / "validation" / "engine").glob("*.py"):
        _engine_imports(path, seen)
    reached = set()
    for path in seen:
        reached |= _imports(path)
    assert not {m for m in reached if m == "ckan" or m.startswith("ckan.")}
    inside = {p.relative_to(PACKAGE).as_posix() for p in seen}
    assert all(p.startswith(("validation/engine/", "lib/")) for p in inside), inside


def test_the_table_engine_runs_in_a_plain_python_process(tmp_path):
    table = tmp_path / "t.csv"
    table.write_text("code;nom\n1;Montauban\nx;Moissac\n", encoding="utf-8")
    script = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        from ckanext.tgn.validation.engine import validate_table
        schema = {{"fields": [{{"name": "code", "type": "integer"}}, {{"name": "nom"}}]}}
        outcome = validate_table(Path({str(table)!r}), schema, error_limit=10, time_limit=60)
        loaded = sorted(m for m in sys.modules if m == "ckan" or m.startswith("ckan."))
        print(outcome.status, outcome.error_count, loaded)
        """
    )
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    assert run.stdout.split() == ["invalide", "1", "[]"]


def _named_in_schemas(key: str) -> set[str]:
    names = set()
    for path in (ROOT / "schemas").glob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for preset in data.get("presets", []):
            value = preset.get("values", {}).get(key)
            names.update(str(value).split() if value else [])
        for section in ("dataset_fields", "resource_fields", "fields"):
            for field in data.get(section, []):
                value = field.get(key)
                names.update(str(value).split() if value else [])
    return {name.split("(")[0] for name in names if name.startswith("tgn_")}


def test_every_validator_and_choices_helper_of_the_schemas_comes_from_tgn_schema():
    """So that the schemas load whichever other tgn_* plugins are switched on."""
    from ckanext.tgn.schema import helpers
    from ckanext.tgn.schema.logic import validators

    named_validators = _named_in_schemas("validators") | _named_in_schemas("output_validators")
    assert "tgn_siren" in named_validators and "tgn_validation_policy" in named_validators
    assert named_validators <= set(validators.__all__)
    for name in named_validators:
        assert callable(getattr(validators, name))
    named_helpers = _named_in_schemas("choices_helper")
    assert "tgn_territory_choices" in named_helpers
    assert all(callable(getattr(helpers, name, None)) for name in named_helpers)
