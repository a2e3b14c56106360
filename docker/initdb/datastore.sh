#!/usr/bin/env bash
# First start of the DataStore's PostgreSQL container only (docker-entrypoint-initdb.d): its
# two roles and the database `datastore` (created by the image from POSTGRES_DB), handed to
# the write role. The grants themselves are CKAN's (`ckan datastore set-permissions`, applied
# by the init container at each deployment as this server's superuser).
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v write_password="$DATASTORE_WRITE_PASSWORD" \
  -v read_password="$DATASTORE_READONLY_PASSWORD" <<'SQL'
CREATE ROLE datastore_rw LOGIN PASSWORD :'write_password';
CREATE ROLE datastore_ro LOGIN PASSWORD :'read_password';
ALTER DATABASE datastore OWNER TO datastore_rw;
ALTER SCHEMA public OWNER TO datastore_rw;
SQL
