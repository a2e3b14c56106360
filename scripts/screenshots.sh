#!/usr/bin/env bash
# Screenshots of the dataset and resource forms and of a validation report, for README.md
# (docs/screenshots/*.png).
# Needs the local site running (make run) and Debian's chromium. The forms need a logged-in
# user: the pages are fetched with a sysadmin API token, then rendered by headless Chromium
# with their styles and scripts served by the local site.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CKAN="$ROOT/.venv/bin/ckan -c $ROOT/.local/ckan.ini"
SITE=http://127.0.0.1:5000
OUT="$ROOT/docs/screenshots"
command -v chromium >/dev/null || { echo "ERREUR: chromium absent (apt-get install chromium)" >&2; exit 1; }
curl -fsS -o /dev/null "$SITE/api/3/action/status_show" || { echo "ERREUR: lancez d'abord make run" >&2; exit 1; }

revoke_tokens() { # the tokens this script made, named "screenshots"
  $CKAN user token list admin 2>/dev/null | sed -n 's/^[[:space:]]*\[\([^]]*\)\] screenshots .*/\1/p' |
    while read -r id; do $CKAN user token revoke "$id" >/dev/null 2>&1; done
}
token=$($CKAN user token add admin screenshots 2>/dev/null | tail -n 1 | tr -d '[:space:]')
work=$(mktemp -d)
trap 'rm -rf "$work"; revoke_tokens' EXIT

shoot() { # path name height
  curl -fsS -H "Authorization: $token" "$SITE$1" |
    sed "s|<head>|<head><base href=\"$SITE/\">|" >"$work/$2.html"
  chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$work/profile" --window-size=1280,"$3" --hide-scrollbars \
    --virtual-time-budget=4000 --screenshot="$OUT/$2.png" "file://$work/$2.html" 2>/dev/null
  echo "capture: $OUT/$2.png"
}

mkdir -p "$OUT"
shoot /dataset/new dataset-form 2600
shoot /dataset/demo-deliberations-conseil/resource/new resource-form 1500
# The demo table checked against the Table Schema uploaded beside it (run the jobs worker
# first: make run does).
population=$(curl -fsS "$SITE/api/3/action/package_show?id=demo-population-communes" |
  python3 -c 'import json,sys; r=json.load(sys.stdin)["result"]["resources"]; print(next(x["id"] for x in r if x.get("conforms_to")))')
shoot "/dataset/demo-population-communes/resource/$population" validation-report 1700
shoot /organization/ca-grand-montauban organization-tables-to-fix 1300
