#!/usr/bin/env bash
# Run the whole pytest suite against the real services (test database ckan_tgn_test, Solr
# core ckan_test, Redis db 1). Extra arguments go to pytest, e.g. scripts/pytest.sh -k dcat.
# pytest exits 5 when it collected no test: that is a failure here too.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
exec "$ROOT/.venv/bin/pytest" --ckan-ini=test.ini "$@"
