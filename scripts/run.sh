#!/usr/bin/env bash
# Serve the local site on http://127.0.0.1:5000 with a background jobs worker beside it.
# Ctrl-C stops both (the services keep running: `make stop` stops them).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
INI="$ROOT/.local/ckan.ini"
CKAN="$ROOT/.venv/bin/ckan"
LOG="$ROOT/.local/logs/worker.log"

if ss -Hltn "sport = :5000" 2>/dev/null | grep -q .; then
  echo "ERREUR: le port 5000 est déjà pris (ss -ltnp 'sport = :5000'); arrêtez l'autre serveur puis relancez." >&2
  exit 1
fi
mkdir -p "$(dirname "$LOG")"
"$CKAN" -c "$INI" jobs worker >>"$LOG" 2>&1 &
worker=$!
trap 'kill "$worker" 2>/dev/null || true' EXIT
echo "CKAN: http://127.0.0.1:5000 (administrateur: admin, mot de passe dans .local/admin-password)"
echo "      tâches de fond: $LOG"
"$CKAN" -c "$INI" run
