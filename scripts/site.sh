#!/usr/bin/env bash
# Prepare the local site: its config (.local/ckan.ini), its database schema (CKAN core and
# every enabled plugin), a sysadmin and the demo data. Idempotent; needs the services up.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE="$ROOT/.local"
INI="$STATE/ckan.ini"
CKAN="$ROOT/.venv/bin/ckan"
ADMIN="admin"
ADMIN_EMAIL=admin@tgn.localhost

fail() {
  printf 'ERREUR: %s\n' "$*" >&2
  exit 1
}
quiet() { # run a ckan command, showing its output only when it fails
  local out
  out=$("$@" 2>&1) || {
    printf '%s\n' "$out" >&2
    fail "échec de: ${*#"$ROOT"/}"
  }
}

[ -x "$CKAN" ] || fail "CKAN n'est pas installé (.venv). Lancez: make install"
mkdir -p "$STATE"
if [ ! -f "$INI" ]; then
  # CKAN writes a complete config with fresh random secrets; we only merge our options.
  quiet "$CKAN" generate config "$INI"
  echo "site: configuration créée ($INI)"
fi
quiet "$CKAN" config-tool "$INI" -f "$ROOT/platform.ini"
quiet "$CKAN" config-tool "$INI" -f "$ROOT/scripts/site.ini"

# `db init` creates or upgrades the core tables and runs the migrations of every enabled
# plugin (activity, harvest, ...); `db upgrade` catches up an existing database.
quiet "$CKAN" -c "$INI" db init
quiet "$CKAN" -c "$INI" db upgrade
echo "site: base de données à jour"
# The DataStore's grants (its read role may only SELECT), from this config's URLs; idempotent.
permissions=$("$CKAN" -c "$INI" datastore set-permissions 2>/dev/null) ||
  fail "ckan datastore set-permissions a échoué (voir ckan.datastore.* dans scripts/site.ini)"
runuser -u postgres -- psql -p "${TGN_PG_PORT:-5432}" -v ON_ERROR_STOP=1 -qAt <<<"$permissions" >/dev/null ||
  fail "les droits du DataStore n'ont pas pu être posés (PostgreSQL démarré? make services)"
echo "site: DataStore prêt"

password_file="$STATE/admin-password"
if ! "$CKAN" -c "$INI" user show "$ADMIN" 2>/dev/null | grep -q "name=$ADMIN"; then
  (umask 077 && "$ROOT/.venv/bin/python" -c 'import secrets; print(secrets.token_urlsafe(12))' >"$password_file")
  quiet "$CKAN" -c "$INI" user add "$ADMIN" email="$ADMIN_EMAIL" password="$(cat "$password_file")"
  echo "site: administrateur créé"
  # A new database: forget what the search index may still hold from a previous one.
  quiet "$CKAN" -c "$INI" search-index clear
fi
quiet "$CKAN" -c "$INI" sysadmin add "$ADMIN"
# xloader downloads uploads of private datasets too: it acts with a token of the administrator,
# named "xloader", made once per database (a new database gets a new one).
if ! "$CKAN" -c "$INI" user token list "$ADMIN" 2>/dev/null | grep -q '\] xloader '; then
  xloader_token=$("$CKAN" -c "$INI" user token add "$ADMIN" xloader 2>/dev/null | tail -n 1 | tr -d '[:space:]')
  [ -n "$xloader_token" ] || fail "impossible de créer le jeton d'xloader"
  quiet "$CKAN" config-tool "$INI" "ckanext.xloader.api_token=$xloader_token"
  echo "site: jeton d'xloader créé"
fi

# The 12 territory organisations (Département, syndicate, EPCI), by SIREN; idempotent.
mkdir -p "$STATE/logs"
if ! sync_report=$("$CKAN" -c "$INI" tgn territories sync 2>"$STATE/logs/territories-sync.log"); then
  printf '%s\n' "$sync_report" >&2
  fail "la synchronisation des territoires a échoué; voir $STATE/logs/territories-sync.log"
fi
echo "territoires: $(tail -n 1 <<<"$sync_report")"
"$ROOT/.venv/bin/python" "$ROOT/scripts/demo_data.py" "$INI" "$ADMIN"
# The DCAT descriptions of the catalogs, ready before the first harvester (idempotent; after a
# code or vocabulary change every one is redone).
if ! warm_report=$("$CKAN" -c "$INI" tgn dcat warm 2>"$STATE/logs/dcat-warm.log"); then
  printf '%s
' "$warm_report" >&2
  fail "la préparation des catalogues DCAT a échoué; voir $STATE/logs/dcat-warm.log"
fi
echo "catalogues DCAT: $(tail -n 1 <<<"$warm_report")"

echo "site: administrateur « $ADMIN », mot de passe: $(cat "$password_file" 2>/dev/null || echo '(inchangé, voir .local/admin-password)')"
