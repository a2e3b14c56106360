"""What the quality scores add to a save: ``package_patch`` with tgn_quality's scoring on,
then off, interleaved, on the test services through CKAN's real actions and Solr.

Usage: quality.py [--saves 200]

One dataset with three resources (the shape of the platform's) is patched ``--saves`` times
with the scoring hook on, and as many with it replaced by a no-op, alternating one by one so
that the machine's load moves both alike. Printed: median and p95 of each, the difference,
its share of a save; and the scoring's own time per dataset (``indexing.fields``, pure).

Never run it while a ``pytest --ckan-ini`` is running: it waits for one to end.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import time
import warnings
from pathlib import Path

from bench_db import reset_database, wait_for_tests  # bench/, beside this file

ROOT = Path(__file__).resolve().parents[1]
INI = ROOT / "test.ini"
THEME = "http://publications.europa.eu/resource/authority/data-theme/GOVE"


def _quantiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[int(len(ordered) * 0.95) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--saves", type=int, default=200)
    args = parser.parse_args()

    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    wait_for_tests()
    warnings.simplefilter("ignore")
    config = load_config(str(INI))
    app = make_app(config)
    logging.disable(logging.WARNING)
    flask_app = getattr(app, "_wsgi_app", None) or app.apps["flask_app"]._wsgi_app

    import ckan.plugins.toolkit as tk

    from ckanext.tgn.lib.context import site_user_context
    from ckanext.tgn.quality import indexing, plugin

    with flask_app.test_request_context():
        reset_database()
        org = tk.get_action("organization_create")(
            site_user_context(),
            {"name": "banc-qualite", "title": "Banc qualité", "territory_kind": "commune",
             "siren": "200066322"},
        )  # fmt: skip
        dataset = tk.get_action("package_create")(
            site_user_context(),
            {
                "name": "banc-qualite-jeu", "title": "Délibérations", "owner_org": org["id"],
                "notes": "Les délibérations du conseil, publiées après chaque séance. " * 3,
                "theme": [THEME], "territories": ["82121"], "temporal_start": "2024-01-01",
                "contact_email": "sig@exemple.fr", "contact_name": "Service SIG",
                "frequency": "http://publications.europa.eu/resource/authority/frequency/MONTHLY",
                "tags": [{"name": "délibérations"}],
                "resources": [
                    {"url": f"https://exemple.fr/{n}.csv", "name": f"Fichier {n}",
                     "description": "Une ligne par acte."}
                    for n in range(3)
                ],
            },
        )  # fmt: skip
        patch = tk.get_action("package_patch")
        scored = plugin.TgnQualityPlugin.before_dataset_index
        times: dict[str, list[float]] = {"on": [], "off": []}
        for n in range(args.saves * 2):
            mode = "on" if n % 2 == 0 else "off"
            plugin.TgnQualityPlugin.before_dataset_index = (  # type: ignore[method-assign]
                scored if mode == "on" else (lambda self, pkg_dict: pkg_dict)
            )
            start = time.perf_counter()
            patch(site_user_context(), {"id": dataset["id"], "notes": f"Version {n}. " * 40})
            times[mode].append(time.perf_counter() - start)
        plugin.TgnQualityPlugin.before_dataset_index = scored  # type: ignore[method-assign]

        shown = tk.get_action("package_show")(site_user_context(), {"id": dataset["id"]})
        document = {"type": "dataset", "validated_data_dict": json.dumps(shown)}
        runs = 2000
        start = time.perf_counter()
        for _ in range(runs):
            indexing.add_scores(dict(document))
        own = (time.perf_counter() - start) / runs

    on, off = _quantiles(times["on"]), _quantiles(times["off"])
    print(f"{args.saves} saves each, interleaved (package_patch, 3 resources)")
    print(f"  scoring on : median {on[0] * 1000:.1f} ms, p95 {on[1] * 1000:.1f} ms")
    print(f"  scoring off: median {off[0] * 1000:.1f} ms, p95 {off[1] * 1000:.1f} ms")
    print(f"  difference of the medians: {(on[0] - off[0]) * 1000:+.2f} ms "
          f"({(on[0] / off[0] - 1) * 100:+.1f} % of a save)")  # fmt: skip
    print(f"  the scoring alone (JSON read included): {own * 1e6:.0f} µs per dataset "
          f"({own / off[0] * 100:.2f} % of a save)")  # fmt: skip


if __name__ == "__main__":
    main()
