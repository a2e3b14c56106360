"""The wheel ships the whole bundle: every module, template, data file, catalogue and schema.

pyproject.toml finds packages and package data by folder and glob, never by list; these tests
build the wheel and compare it with what git would commit, so a file added later is covered.
The build runs on a copy of the working tree: setuptools writes build/ and *.egg-info beside
the sources, and the source tree stays as it was.
"""

from __future__ import annotations

import ast
import configparser
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator

import pytest

from tests.helpers.paths import ROOT

pytestmark = pytest.mark.unit


# Where each source folder lands in the wheel. schemas/ is the package ckanext.tgn.schemas
# (ckanext-scheming reads "ckanext.tgn.schemas:dataset.yaml").
SHIPPED = {"ckanext-tgn/ckanext/": "ckanext/", "schemas/": "ckanext/tgn/schemas/"}

PLUGINS = {
    "tgn_territories": "ckanext.tgn.territories.plugin:TgnTerritoriesPlugin",
    "tgn_schema": "ckanext.tgn.schema.plugin:TgnSchemaPlugin",
    "tgn_dcat": "ckanext.tgn.dcat.plugin:TgnDcatPlugin",
    "tgn_validation": "ckanext.tgn.validation.plugin:TgnValidationPlugin",
    "tgn_security": "ckanext.tgn.security.plugin:TgnSecurityPlugin",
    "tgn_harvest": "ckanext.tgn.harvest.plugin:TgnHarvestPlugin",
    "tgn_portal": "ckanext.tgn.portal.plugin:TgnPortalPlugin",
    "tgn_reuse": "ckanext.tgn.reuse.plugin:TgnReusePlugin",
    "tgn_preview": "ckanext.tgn.preview.plugin:TgnPreviewPlugin",
    "tgn_quality": "ckanext.tgn.quality.plugin:TgnQualityPlugin",
    "tgn_dcat_harvester": "ckanext.tgn.harvest.dcat:TgnDcatHarvester",
    "tgn_csw_harvester": "ckanext.tgn.harvest.csw:TgnCswHarvester",
    "tgn_ckan_harvester": "ckanext.tgn.harvest.ckan:TgnCkanHarvester",
}
PROFILES = {
    "tgn_dcat_ap": "ckanext.tgn.dcat.profiles:TgnDCATAPProfile",
    "tgn_schemaorg": "ckanext.tgn.dcat.schemaorg:TgnSchemaOrgProfile",
}


def _repository_files() -> list[str]:
    """What `git add -A` would commit: tracked and new files, less what .gitignore ignores
    (so __pycache__ and *.pyc), less files deleted from the working tree."""
    listing = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return sorted({name for name in listing.split("\0") if name and (ROOT / name).is_file()})


BUILD_WHEELS = ROOT / ".cache" / "build-wheels"  # filled by scripts/install.sh


@pytest.fixture(scope="module")
def sources() -> list[str]:
    return _repository_files()


@pytest.fixture(scope="module")
def wheel(sources, tmp_path_factory) -> Iterator[zipfile.ZipFile]:
    tmp = tmp_path_factory.mktemp("packaging")
    checkout = tmp / "src"
    for name in sources:
        (checkout / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, checkout / name)
    dist = tmp / "dist"
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--disable-pip-version-check"]
    # An isolated build, as `pip install .` in docker/Dockerfile, from the build backend
    # install.sh saved: never from the package index.
    assert list(BUILD_WHEELS.glob("setuptools-*.whl")), "run make install first"
    command += ["--no-index", "--find-links", str(BUILD_WHEELS), "-w", str(dist), str(checkout)]
    built = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, f"{' '.join(command)}\n{built.stdout}\n{built.stderr}"
    (path,) = dist.glob("ckanext_tgn-*.whl")
    with zipfile.ZipFile(path) as archive:
        yield archive


def _dist_info(wheel: zipfile.ZipFile) -> str:
    (folder,) = {name.split("/")[0] for name in wheel.namelist() if ".dist-info/" in name}
    return folder


def _entry_points(wheel: zipfile.ZipFile) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(delimiters=("=",))
    parser.optionxform = str  # entry point names are case-sensitive
    parser.read_string(wheel.read(f"{_dist_info(wheel)}/entry_points.txt").decode())
    return parser


def test_wheel_holds_every_file_of_the_bundle_and_nothing_else(sources, wheel):
    expected = {
        target + name.removeprefix(folder)
        for name in sources
        for folder, target in SHIPPED.items()
        if name.startswith(folder)
    }
    assert "ckanext/tgn/schemas/dataset.yaml" in expected
    shipped = {name for name in wheel.namelist() if not name.startswith(_dist_info(wheel))}
    assert sorted(expected - shipped) == [], "files of the repository missing from the wheel"
    assert sorted(shipped - expected) == [], "files in the wheel that git does not know"


def test_wheel_ships_only_the_ckanext_namespace(wheel):
    # tests/, bench/, scripts/, docker/ and a top-level schemas/ must never be packaged.
    top_level = {name.split("/")[0] for name in wheel.namelist()}
    assert top_level == {"ckanext", _dist_info(wheel)}
    assert wheel.read(f"{_dist_info(wheel)}/top_level.txt").decode().split() == ["ckanext"]


def test_wheel_registers_the_plugins_and_the_dcat_profile(wheel):
    entry_points = _entry_points(wheel)
    assert dict(entry_points["ckan.plugins"]) == PLUGINS
    assert dict(entry_points["ckan.rdf.profiles"]) == PROFILES


@pytest.mark.parametrize("target", [*PLUGINS.values(), *PROFILES.values()])
def test_each_entry_point_names_a_class_of_the_wheel(wheel, target):
    # Read, not imported: the installed ckanext.tgn may be another checkout's.
    module, name = target.split(":")
    tree = ast.parse(wheel.read(module.replace(".", "/") + ".py"))
    assert name in {node.name for node in tree.body if isinstance(node, ast.ClassDef)}
