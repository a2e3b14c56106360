#!/usr/bin/env bash
# Run the pytest suite. Extra arguments go to pytest, e.g. scripts/pytest.sh -k dcat.
#
#   scripts/pytest.sh [args]          everything, against the real services (test database
#                                     ckan_tgn_test, Solr core ckan_test, Redis db 1)
#   scripts/pytest.sh --unit [args]   the fast tier: the tests marked `unit`, services up or not
#
# The fast tier runs without CKAN's pytest plugin (-p no:ckan), whose session start loads
# test.ini and connects to PostgreSQL; its tests need no service, and a `unit` test that asks
# for a fixture of the services is refused at collection (tests/conftest.py).
# pytest exits 5 when it collected no test: that is a failure here too.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
if [ "${1:-}" = "--unit" ]; then
  shift
  exec "$ROOT/.venv/bin/pytest" -p no:ckan -m unit "$@"
fi
exec "$ROOT/.venv/bin/pytest" --ckan-ini=test.ini "$@"
