#!/usr/bin/env bash
# Serve the local site on http://127.0.0.1:5000 with, beside it, a background jobs worker and
# the two harvest consumers (gather, fetch) on Redis. Ctrl-C stops them all (the services
# keep running: `make stop` stops them).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
INI="$ROOT/.local/ckan.ini"
CKAN="$ROOT/.venv/bin/ckan"
LOG="$ROOT/.local/logs/worker.log"
HARVEST_LOG="$ROOT/.local/logs/harvest.log"

if ss -Hltn "sport = :5000" 2>/dev/null | grep -q .; then
  echo "ERREUR: le port 5000 est déjà pris (ss -ltnp 'sport = :5000'); arrêtez l'autre serveur puis relancez." >&2
  exit 1
fi
mkdir -p "$(dirname "$LOG")"
"$CKAN" -c "$INI" jobs worker >>"$LOG" 2>&1 &
worker=$!
"$CKAN" -c "$INI" harvester gather-consumer >>"$HARVEST_LOG" 2>&1 &
gather=$!
"$CKAN" -c "$INI" harvester fetch-consumer >>"$HARVEST_LOG" 2>&1 &
fetch=$!
# What cron does in production: start the due sources, mark finished jobs, end hung ones.
(while sleep 300; do "$CKAN" -c "$INI" harvester run >>"$HARVEST_LOG" 2>&1 || true; done) &
scheduler=$!
trap 'kill "$worker" "$gather" "$fetch" "$scheduler" 2>/dev/null || true' EXIT
echo "CKAN: http://127.0.0.1:5000 (administrateur: admin, mot de passe dans .local/admin-password)"
echo "      tâches de fond: $LOG"
echo "      moissonnage (ckan tgn harvest run NOM): $HARVEST_LOG"
"$CKAN" -c "$INI" run
