#!/usr/bin/env bash
# First start of the PostgreSQL container only (docker-entrypoint-initdb.d): the DataStore's
# database, owned by the main role, and its read-only role. The grants themselves are CKAN's
# (`ckan datastore set-permissions`, run by entrypoint.sh at each start of the web container).
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v password="$DATASTORE_READONLY_PASSWORD" <<'SQL'
CREATE ROLE datastore_ro LOGIN PASSWORD :'password';
CREATE DATABASE datastore OWNER ckan ENCODING 'UTF8' TEMPLATE template0;
SQL
