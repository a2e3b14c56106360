#!/usr/bin/env bash
# Start-up of every container of the image.
#   init   (the one-shot `init` service, before the others): write the configuration once
#          (random secrets, kept in the config volume), merge the platform's and the production
#          options into it, wait for Solr, apply CKAN's and the plugins' migrations and the
#          DataStore's grants, create the territory's organisations, register the harvest
#          sources of harvest_configs/, give xloader its jobs database and its API token; exit.
#   other  (web, workers, consumers, scheduler): check that init has run, then run the command.
# Only init writes the configuration: containers starting together never race on it.
# Connection strings come from CKAN's own environment variables (CKAN_SQLALCHEMY_URL, ...),
# read by CKAN at start-up over what ckan.ini says.
set -euo pipefail

# Where the image keeps platform.ini and production.ini (a test runs this script outside it).
APP_DIR="${TGN_APP_DIR:-/srv/app}"
: "${CKAN_INI:?CKAN_INI must be set}"
for name in CKAN_SQLALCHEMY_URL CKAN_SOLR_URL CKAN_REDIS_URL CKAN_SITE_URL \
  CKAN_DATASTORE_WRITE_URL CKAN_DATASTORE_READ_URL; do
  [ -n "${!name:-}" ] || { echo "ERREUR: la variable $name manque (docker/.env)" >&2; exit 1; }
done

if [ "${1:-}" != init ]; then
  [ -f "$CKAN_INI" ] || {
    echo "ERREUR: $CKAN_INI manque: le service init doit passer d'abord (docker compose up init)" >&2
    exit 1
  }
  exec "$@"
fi

: "${DATASTORE_ADMIN_URL:?DATASTORE_ADMIN_URL must be set for init}"
mkdir -p "$(dirname "$CKAN_INI")"
if [ ! -f "$CKAN_INI" ]; then
  echo "init: nouvelle configuration $CKAN_INI (secrets aléatoires)"
  ckan generate config "$CKAN_INI"
fi
ckan config-tool "$CKAN_INI" -f "$APP_DIR/platform.ini"
ckan config-tool "$CKAN_INI" -f "$APP_DIR/production.ini"
# xloader's job table lives in CKAN's database (its default, a SQLite file in /tmp, would be
# a different one in each container); CKAN has no environment variable for it.
ckan config-tool "$CKAN_INI" "ckanext.xloader.jobs_db.uri=$CKAN_SQLALCHEMY_URL"

# CKAN cannot index (and refuses to create datasets) without Solr.
solr_up=0
for _ in $(seq 60); do
  if curl -fsS -o /dev/null "$CKAN_SOLR_URL/admin/ping"; then solr_up=1 && break; fi
  sleep 2
done
[ "$solr_up" = 1 ] || { echo "ERREUR: Solr ne répond pas après 120 s ($CKAN_SOLR_URL)" >&2; exit 1; }

echo "init: migrations de la base"
# `db init` creates the core tables on a new database; `db upgrade` applies the pending
# migrations of the core and of every enabled plugin (activity, harvest, tgn_*).
ckan -c "$CKAN_INI" db init
ckan -c "$CKAN_INI" db upgrade
echo "init: droits du DataStore"
# CKAN's script assumes the DataStore shares CKAN's server: three of its statements name CKAN's
# role and database (grants to the role, the database closed to the read role). On a server of
# its own (compose's datastore-db) neither exists and the read role cannot reach CKAN's server
# anyway: those statements are left out.
url_re='^postgres(ql)?(\+[A-Za-z0-9_]+)?://([^:@/]*)(:[^@/]*)?@([^/]*)/([^?]+)'
[[ $CKAN_SQLALCHEMY_URL =~ $url_re ]] || { echo "ERREUR: CKAN_SQLALCHEMY_URL illisible" >&2; exit 1; }
main_user=${BASH_REMATCH[3]} main_host=${BASH_REMATCH[5]} main_db=${BASH_REMATCH[6]}
[[ $CKAN_DATASTORE_WRITE_URL =~ $url_re ]] || { echo "ERREUR: CKAN_DATASTORE_WRITE_URL illisible" >&2; exit 1; }
if [ "${BASH_REMATCH[5]}" = "$main_host" ]; then
  ckan -c "$CKAN_INI" datastore set-permissions
else
  ckan -c "$CKAN_INI" datastore set-permissions |
    grep -v -F -e "TO \"$main_user\";" -e "ON DATABASE \"$main_db\" "
fi | psql -v ON_ERROR_STOP=1 -q "$DATASTORE_ADMIN_URL"
echo "init: organisations du territoire"
# The Département, the syndicate and the ten EPCI (offline, idempotent): the harvest sources
# below name their organisation by SIREN.
ckan -c "$CKAN_INI" tgn territories sync
echo "init: sources de moissonnage"
ckan -c "$CKAN_INI" tgn harvest sync
# xloader downloads the uploads of private datasets too: it acts with an API token of the site
# user (a sysadmin CKAN creates for its own work; the sync above has made sure it exists),
# made once per database and kept in the configuration volume.
if ! grep -Eq '^ckanext\.xloader\.api_token *= *[^ ]' "$CKAN_INI"; then
  site_user="${CKAN_SITE_ID:-$(sed -n 's/^ckan\.site_id *= *//p' "$CKAN_INI" | tail -n 1)}"
  token=$(ckan -c "$CKAN_INI" user token add "$site_user" xloader | tail -n 1 | tr -d '[:space:]')
  [ -n "$token" ] || { echo "ERREUR: impossible de créer le jeton d'API d'xloader" >&2; exit 1; }
  ckan config-tool "$CKAN_INI" "ckanext.xloader.api_token=$token"
  echo "init: jeton d'xloader créé"
fi
# CSS and JavaScript bundles built here, once per release, before any web process starts:
# the web processes only check them when they start (ckanext.tgn.portal.assets_built_once).
echo "init: feuilles de style et scripts"
ckan -c "$CKAN_INI" asset build
echo "init: terminé"
