#!/usr/bin/env bash
# Install what the platform needs on a Debian machine, skipping what is already there:
# Debian packages (PostgreSQL 15, Redis, Java 17 + Maven for Solr, build deps of CKAN,
# Node.js for pyright, Chromium for the browser tests),
# a virtualenv in .venv with the pinned Python stack, and this bundle in editable mode.
# Maven artifacts for Solr are fetched by scripts/services.sh on first start.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
APT_PACKAGES=(postgresql-15 postgresql-client-15 redis-server libpq-dev gcc libmagic1
  openjdk-17-jdk-headless maven curl iproute2 util-linux shellcheck nodejs chromium fonts-dejavu-core nginx)

fail() {
  printf 'ERREUR: %s\n' "$*" >&2
  exit 1
}

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || fail "paquets Debian manquants (${missing[*]}); relancez en root ou: sudo apt-get install ${missing[*]}"
  echo "apt: installation de ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || fail "apt-get update a échoué (réseau vers les dépôts Debian?)"
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
    fail "apt-get install ${missing[*]} a échoué"
fi

PYTHON="${PYTHON:-python3}"
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null ||
  fail "Python 3.10 ou plus est nécessaire ($PYTHON); indiquez-le avec PYTHON=/chemin/python3"
if [ ! -x "$VENV/bin/python" ]; then
  echo "python: création de .venv"
  "$PYTHON" -m venv "$VENV" || fail "impossible de créer .venv (paquet python3-venv?)"
fi

# Tools the tests run beside the platform, each in its own virtualenv because they pin
# libraries CKAN cannot share; reinstalled only when their requirements file changes. They
# install in the background while .venv installs (a cold install takes a minute less).
side_venv() { # folder requirements-file what-for
  local venv="$ROOT/.cache/$1" reqs="$ROOT/scripts/$2" stamp want
  stamp="$venv/.requirements.sha256"
  want=$(sha256sum "$reqs" | cut -d' ' -f1)
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "python: installation de $3 (première fois: ~1 min)..."
    "$PYTHON" -m venv "$venv" || fail "impossible de créer $venv"
    "$venv/bin/pip" install -q -r "$reqs" || fail "pip install -r scripts/$2 a échoué"
    echo "$want" >"$stamp"
  fi
}
# data.gouv.fr's harvester (udata: its own Flask, rdflib, mongoengine), for the consumer
# tests of the DCAT feed.
side_venv udata-venv udata-requirements.txt "udata pour la vérification du flux DCAT" &
side_pids=($!)
# Validata, the national validator of tabular files (Flask 2.1, Werkzeug 2.0), for the
# conformance tests of our validation.
side_venv validata-venv validata-requirements.txt "Validata pour les tests de conformité" &
side_pids+=($!)
# Reinstall only when the pinned requirements or the packaging (pyproject.toml: entry points)
# changed: a second run is instant.
stamp="$VENV/.requirements.sha256"
BUILD_BACKEND="setuptools==78.1.1"  # meets [build-system] in pyproject.toml
want=$(cat "$ROOT/requirements.txt" "$ROOT/dev-requirements.txt" "$ROOT/pyproject.toml" | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "python: installation de CKAN 2.11 et des extensions (première fois: ~2 min)..."
  "$VENV/bin/pip" install -q -r "$ROOT/dev-requirements.txt" || fail "pip install a échoué"
  "$VENV/bin/pip" install -q --no-deps -e "$ROOT" || fail "pip install -e . a échoué"
  "$VENV/bin/pip" check || fail "pip check: dépendances incohérentes"
  echo "$want" >"$stamp"
fi
# The build backend as a local wheel: tests/project/test_packaging.py builds our wheel offline in
# pip's isolated build environment, as docker/Dockerfile's `pip install .` does.
if ! compgen -G "$ROOT/.cache/build-wheels/${BUILD_BACKEND/==/-}-*.whl" >/dev/null; then
  "$VENV/bin/pip" download -q --no-deps -d "$ROOT/.cache/build-wheels" "$BUILD_BACKEND" ||
    fail "pip download $BUILD_BACKEND a échoué"
fi
for pid in "${side_pids[@]}"; do
  wait "$pid" || fail "l'installation d'un environnement annexe (.cache/*-venv) a échoué"
done
echo "installation: à jour"
