#!/usr/bin/env bash
# Start-up of the production containers: write the config once (random secrets, kept in the
# config volume), merge the platform's and the production options, migrate the database, then run the command.
# Connection strings come from CKAN's own environment variables (CKAN_SQLALCHEMY_URL,
# CKAN_SOLR_URL, CKAN_REDIS_URL, CKAN_SITE_URL), read by CKAN at start-up.
set -euo pipefail

: "${CKAN_INI:?CKAN_INI must be set}"
: "${CKAN_SQLALCHEMY_URL:?CKAN_SQLALCHEMY_URL must be set}"
: "${CKAN_SOLR_URL:?CKAN_SOLR_URL must be set}"
: "${CKAN_REDIS_URL:?CKAN_REDIS_URL must be set}"
: "${CKAN_SITE_URL:?CKAN_SITE_URL must be set}"
: "${CKAN_DATASTORE_WRITE_URL:?CKAN_DATASTORE_WRITE_URL must be set}"
: "${CKAN_DATASTORE_READ_URL:?CKAN_DATASTORE_READ_URL must be set}"

mkdir -p "$(dirname "$CKAN_INI")"
if [ ! -f "$CKAN_INI" ]; then
  ckan generate config "$CKAN_INI"
fi
ckan config-tool "$CKAN_INI" -f /srv/app/platform.ini
ckan config-tool "$CKAN_INI" -f /srv/app/production.ini

# Wait for Solr: CKAN cannot index (and refuses to create datasets) without it.
for _ in $(seq 60); do
  curl -fsS -o /dev/null "$CKAN_SOLR_URL/admin/ping" && break
  sleep 2
done

if [ "${CKAN_MIGRATE:-true}" = true ]; then
  ckan -c "$CKAN_INI" db init
  ckan -c "$CKAN_INI" db upgrade
  # CKAN's DataStore grants (read role: SELECT only); the main role is the server's superuser.
  ckan -c "$CKAN_INI" datastore set-permissions | psql -v ON_ERROR_STOP=1 -q "$CKAN_SQLALCHEMY_URL"
fi

exec "$@"
