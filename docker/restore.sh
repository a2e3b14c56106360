#!/usr/bin/env bash
# Restore of a backup made by backup.sh: CKAN's database, the DataStore's database and the
# file store, replaced by the backup's; then the search index rebuilt from the database.
#
#   docker/restore.sh [--yes] [--no-index] BACKUP_FOLDER
#
# Without --yes it only checks the backup and says what would be replaced. Configuration: the
# containers' own CKAN_SQLALCHEMY_URL, CKAN_DATASTORE_WRITE_URL and CKAN_STORAGE_PATH (the
# databases and the folder that are replaced), and CKAN_INI: when it is set (as in the image)
# the Solr index is rebuilt at the end (`ckan search-index rebuild`), unless --no-index.
#
# Nothing is changed before every check passed: the manifest's sha256 of every file (a
# damaged or partial backup is refused), both dumps readable by this pg_restore, both
# databases reachable and used by no other session (the site must be stopped: a running
# CKAN would hold connections and see half-restored data). Each database is restored in one
# transaction (pg_restore --single-transaction --clean --if-exists): it ends either as in the
# backup or as before. --no-owner: every object belongs to the role of the URL, the owner on
# the site (CKAN's role, the DataStore's write role); the grants of the dump are kept, so the
# DataStore's read role reads the restored tables and _table_metadata as before. The file
# store is unpacked beside the current content, which is swapped out and then deleted;
# webassets/ (a cache CKAN rebuilds, not in the backup) is left as it is.
set -euo pipefail

FILES=(ckan.dump datastore.dump storage.tar.gz)

say() { printf '%s\n' "$*"; }
fail() {
  printf 'ERREUR: %s\n' "$*" >&2
  exit 1
}
usage() {
  say "usage: $0 [--yes] [--no-index] DOSSIER_DE_SAUVEGARDE"
  say "  --yes       confirme le remplacement des deux bases et des fichiers par ceux de la sauvegarde"
  say "  --no-index  ne pas reconstruire l'index de recherche à la fin (sinon: si CKAN_INI est défini)"
}

now_us() { printf '%s' "${EPOCHREALTIME/[.,]/}"; }
since() {
  local cs=$((($(now_us) - $1) / 10000))
  printf '%d,%02d s' $((cs / 100)) $((cs % 100))
}

# shellcheck source=docker/pg_url.sh
. "$(dirname "${BASH_SOURCE[0]}")/pg_url.sh"

confirmed=0 index=1 folder=""
for arg in "$@"; do
  case $arg in
    --yes) confirmed=1 ;;
    --no-index) index=0 ;;
    -h | --help) usage && exit 0 ;;
    -*) usage >&2 && fail "option inconnue: $arg" ;;
    *)
      [ -z "$folder" ] || fail "un seul dossier de sauvegarde à la fois ($folder, $arg)"
      folder=$arg
      ;;
  esac
done
[ -n "$folder" ] || { usage >&2 && fail "indiquez le dossier de la sauvegarde à restaurer"; }
folder=${folder%/}

# --- checks: nothing is changed before they all pass ---------------------------------------
for cmd in pg_restore psql tar sha256sum; do
  command -v "$cmd" >/dev/null 2>&1 || fail "$cmd introuvable (paquet Debian postgresql-client, tar ou coreutils)"
done
[ -d "$folder" ] || fail "$folder n'existe pas ou n'est pas un dossier"
case $folder in
  *.partial) fail "$folder est une sauvegarde inachevée (.partial): elle ne peut pas être restaurée" ;;
esac
manifest="$folder/manifest.txt"
[ -f "$manifest" ] || fail "$manifest manque: ce dossier n'est pas une sauvegarde complète de backup.sh"
for file in "${FILES[@]}"; do
  grep -Eq "^[0-9a-f]{64}  $file\$" "$manifest" || fail "le manifeste ne donne pas la somme de $file: sauvegarde incomplète"
done
say "Vérification de la sauvegarde $folder..."
if ! problems=$(cd "$folder" && grep -v '^#' manifest.txt | sha256sum --check --strict --quiet - 2>&1); then
  printf '%s\n' "$problems" >&2
  fail "sauvegarde endommagée: la somme sha256 d'au moins un fichier ne correspond pas au manifeste; rien n'a été modifié"
fi
for file in ckan.dump datastore.dump; do
  pg_restore --list "$folder/$file" >/dev/null ||
    fail "$file illisible par ce pg_restore ($(pg_restore --version)): voir la version de pg_dump dans $manifest; rien n'a été modifié"
done
say "  sommes sha256 correctes ($(grep -E '^# date: ' "$manifest" | cut -c9-), CKAN $(grep -E '^# ckan: ' "$manifest" | cut -c9-))"

for name in CKAN_SQLALCHEMY_URL CKAN_DATASTORE_WRITE_URL CKAN_STORAGE_PATH; do
  [ -n "${!name:-}" ] || fail "la variable $name manque (docker/.env, compose.yaml)"
done
storage=${CKAN_STORAGE_PATH%/}

check_db() { # url-variable label
  local others
  pg_target "${!1}" "$1"
  others=$(pg psql -X -w -At -d "$PG_URI" -c "SELECT count(*) FROM pg_stat_activity
      WHERE datname = current_database() AND pid <> pg_backend_pid()
        AND backend_type = 'client backend'" 2>&1) ||
    fail "$2: connexion impossible à la base $PG_DB ($1): $others; rien n'a été modifié"
  [ "$others" = 0 ] && return
  local message="$2: $others autre(s) connexion(s) ouverte(s) sur la base $PG_DB. Arrêtez d'abord le site (docker compose -f docker/compose.yaml stop ckan worker harvest-gather harvest-fetch scheduler)"
  [ "$confirmed" = 1 ] || { say "  attention: $message avant de restaurer." && return; }
  fail "$message, puis relancez; rien n'a été modifié"
}
check_db CKAN_SQLALCHEMY_URL "base de CKAN"
check_db CKAN_DATASTORE_WRITE_URL "base du DataStore"

if [ "$confirmed" != 1 ]; then
  say "La sauvegarde est intacte. Sa restauration remplacerait:"
  pg_target "$CKAN_SQLALCHEMY_URL" CKAN_SQLALCHEMY_URL
  say "  - la base de CKAN $PG_DB"
  pg_target "$CKAN_DATASTORE_WRITE_URL" CKAN_DATASTORE_WRITE_URL
  say "  - la base du DataStore $PG_DB"
  say "  - le contenu de $storage (sauf webassets/)"
  say "Rien n'a été modifié. Pour restaurer, relancez avec --yes: $0 --yes $folder"
  exit 2
fi

# --- restore ---------------------------------------------------------------------------------
started=$(now_us)
say "Restauration de $folder"
# A session that connects anyway (a container started meanwhile) makes pg_restore fail
# instead of waiting behind it; its transaction is then rolled back.
export PGOPTIONS="${PGOPTIONS:+$PGOPTIONS }-c lock_timeout=60s"

restore_db() { # file url-variable label
  local mark
  pg_target "${!2}" "$2"
  say "- $3 (base $PG_DB)..."
  mark=$(now_us)
  pg pg_restore --single-transaction --exit-on-error --clean --if-exists --no-owner -w \
    -d "$PG_URI" "$folder/$1" ||
    fail "$3: pg_restore a échoué, sa transaction est annulée: la base $PG_DB est restée telle qu'avant cette étape"
  say "  restaurée en $(since "$mark")"
}
restore_db ckan.dump CKAN_SQLALCHEMY_URL "base de CKAN"
restore_db datastore.dump CKAN_DATASTORE_WRITE_URL "base du DataStore"
pg_target "$CKAN_DATASTORE_WRITE_URL" CKAN_DATASTORE_WRITE_URL
[ "$(pg psql -X -w -At -d "$PG_URI" -c "SELECT to_regclass('public._table_metadata') IS NOT NULL")" = t ] ||
  say "  attention: la vue _table_metadata manque: appliquez les droits du DataStore (ckan datastore set-permissions, service init)"

say "- fichiers ($storage)..."
mark=$(now_us)
mkdir -p "$storage" || fail "impossible de créer $storage"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
incoming="$storage/.restauration-$stamp"
previous="$storage/.ancien-$stamp"
mkdir "$incoming"
tar --extract --gzip --same-permissions --file "$folder/storage.tar.gz" --directory "$incoming" || {
  rm -rf -- "$incoming"
  fail "fichiers: l'archive n'a pas pu être décompressée dans $storage (place, droits?); les fichiers actuels sont intacts"
}
swapping=1
on_exit() {
  [ "${swapping:-0}" = 1 ] || return 0
  printf '%s\n' "ERREUR: fichiers: l'échange a été interrompu: l'ancien contenu est dans $previous, le nouveau dans $incoming" >&2
}
trap on_exit EXIT
shopt -s dotglob nullglob
mkdir "$previous"
for entry in "$storage"/*; do
  case ${entry##*/} in webassets | .restauration-* | .ancien-*) continue ;; esac
  mv -- "$entry" "$previous/"
done
for entry in "$incoming"/*; do
  [ "${entry##*/}" = webassets ] || mv -- "$entry" "$storage/"
done
swapping=0
rm -rf -- "$incoming" "$previous"
shopt -u dotglob nullglob
say "  restaurés en $(since "$mark") ($(find "$storage" -path "$storage/webassets" -prune -o -type f -print | wc -l) fichier(s))"

rebuilt=0
if [ "$index" = 1 ] && [ -n "${CKAN_INI:-}" ]; then
  command -v ckan >/dev/null 2>&1 || fail "ckan introuvable: les données sont restaurées, reconstruisez l'index: ckan -c $CKAN_INI search-index rebuild"
  say "- index de recherche (ckan search-index rebuild)..."
  mark=$(now_us)
  ckan -c "$CKAN_INI" search-index rebuild ||
    fail "la reconstruction de l'index a échoué; les données sont restaurées: relancez ckan -c $CKAN_INI search-index rebuild"
  say "  reconstruit en $(since "$mark")"
  rebuilt=1
fi

say "Restauration terminée en $(since "$started")."
say "Étapes suivantes:"
step=1
if [ "$rebuilt" != 1 ]; then
  say "  $step. reconstruire l'index de recherche (Solr n'est pas dans la sauvegarde): ckan -c \"\$CKAN_INI\" search-index rebuild"
  step=$((step + 1))
fi
say "  $step. redémarrer le site: docker compose -f docker/compose.yaml up -d (init réapplique les migrations et les droits du DataStore)"
step=$((step + 1))
say "  $step. les tâches en file dans Redis (validations, chargements xloader) ne sont pas dans la sauvegarde: si Redis a été perdu, relancez les validations restées « en attente » (ckan tgn validation run ...)"
