#!/usr/bin/env bash
# Backup of the platform: CKAN's database, the DataStore's database (pg_dump, custom format)
# and the file store (uploads; a tar.gz of CKAN_STORAGE_PATH), in a new folder of BACKUP_DIR
# named by the UTC time, with manifest.txt (date, versions, sizes, sha256 of each file).
#
#   docker/backup.sh        (the scheduler runs it nightly: docker/scheduler.py)
#
# Configuration: the containers' own variables CKAN_SQLALCHEMY_URL, CKAN_DATASTORE_WRITE_URL,
# CKAN_STORAGE_PATH, plus BACKUP_DIR (default /var/backups/ckan) and BACKUP_KEEP (how many
# complete backups to keep, default 14).
#
# A backup is built in <name>.partial and renamed only once every file is written and
# summed, so a folder without that suffix is always complete; the older backups beyond
# BACKUP_KEEP are deleted only after that rename. A failed run removes its .partial folder
# and deletes nothing. Two runs never overlap (a lock in BACKUP_DIR).
#
# Safe while the site runs: each pg_dump reads one consistent snapshot of its database. The
# three parts are taken one after the other, in the order that leaves only harmless
# differences: CKAN's database first, then the DataStore (a table loaded in between is an
# orphan that xloader reloads), then the files (a file uploaded in between is an orphan file;
# a file being written at that moment may be archived half-written, and one replaced in
# between is archived in its new version: tar warns, the backup goes on). webassets/ is not
# archived: CKAN rebuilds that cache from its sources.
set -euo pipefail
umask 077 # the dumps hold password hashes and API token ids

BACKUP_DIR="${BACKUP_DIR:-/var/backups/ckan}"
BACKUP_KEEP="${BACKUP_KEEP:-14}"
FILES=(ckan.dump datastore.dump storage.tar.gz)

say() { printf '%s\n' "$*"; }
fail() {
  printf 'ERREUR: %s\n' "$*" >&2
  exit 1
}

# Microseconds since the epoch, and the time since such a mark as "1,2 s".
now_us() { printf '%s' "${EPOCHREALTIME/[.,]/}"; }
since() {
  local cs=$((($(now_us) - $1) / 10000))
  printf '%d,%02d s' $((cs / 100)) $((cs % 100))
}
human() { # bytes
  awk -v b="$1" 'BEGIN { split("o Ko Mo Go To", u); i = 1
    while (b >= 1024 && i < 5) { b /= 1024; i++ }
    s = (i == 1) ? sprintf("%d %s", b, u[i]) : sprintf("%.1f %s", b, u[i]); sub(/\./, ",", s); print s }'
}
size_of() { stat -c %s "$1"; }

# shellcheck source=docker/pg_url.sh
. "$(dirname "${BASH_SOURCE[0]}")/pg_url.sh"

for name in CKAN_SQLALCHEMY_URL CKAN_DATASTORE_WRITE_URL CKAN_STORAGE_PATH; do
  [ -n "${!name:-}" ] || fail "la variable $name manque (docker/.env, compose.yaml)"
done
[[ $BACKUP_KEEP =~ ^[1-9][0-9]*$ ]] || fail "BACKUP_KEEP doit être un nombre entier d'au moins 1 (reçu: '$BACKUP_KEEP')"
for cmd in pg_dump psql tar gzip sha256sum flock; do
  command -v "$cmd" >/dev/null 2>&1 || fail "$cmd introuvable (paquet Debian postgresql-client, tar, gzip, coreutils ou util-linux)"
done
[ -d "$CKAN_STORAGE_PATH" ] || fail "le dossier des fichiers $CKAN_STORAGE_PATH n'existe pas (CKAN_STORAGE_PATH)"
mkdir -p "$BACKUP_DIR" || fail "impossible de créer $BACKUP_DIR (BACKUP_DIR)"

exec 9>>"$BACKUP_DIR/.verrou"
flock -n 9 || fail "une autre sauvegarde est en cours dans $BACKUP_DIR"

# A .partial folder left here belongs to a run that was killed (the lock says none runs).
for stale in "$BACKUP_DIR"/*.partial; do
  [ -d "$stale" ] || continue
  say "Dossier incomplet d'une sauvegarde interrompue supprimé: $(basename "$stale")"
  rm -rf -- "$stale"
done

started=$(now_us)
name=$(date -u +%Y%m%dT%H%M%SZ)
base=$name
n=1
while [ -e "$BACKUP_DIR/$name" ] || [ -e "$BACKUP_DIR/$name.partial" ]; do
  n=$((n + 1))
  name="$base-$n"
done
partial="$BACKUP_DIR/$name.partial"
final="$BACKUP_DIR/$name"
done_ok=0
on_exit() {
  if [ "$done_ok" != 1 ] && [ -d "$partial" ]; then
    rm -rf -- "$partial"
    printf '%s\n' "ERREUR: sauvegarde $name échouée: rien n'a été gardé de cette tentative, les sauvegardes précédentes sont intactes" >&2
  fi
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM # docker stop, the scheduler's time limit: clean up too
mkdir "$partial"
say "Sauvegarde $name dans $BACKUP_DIR"

declare -A DURATION SERVER
dump() { # file url-variable label
  local mark url=${!2}
  pg_target "$url" "$2"
  local version
  version=$(pg psql -X -w -At -d "$PG_URI" -c 'SHOW server_version' 2>&1) ||
    fail "$3: connexion impossible à la base $PG_DB ($2): $version"
  SERVER[$1]=${version%% *}
  say "- $3 (base $PG_DB, PostgreSQL ${SERVER[$1]})..."
  mark=$(now_us)
  pg pg_dump -Fc -w -d "$PG_URI" -f "$partial/$1" || fail "$3: pg_dump a échoué (base $PG_DB)"
  DURATION[$1]=$(since "$mark")
  say "  $1: $(human "$(size_of "$partial/$1")") en ${DURATION[$1]}"
}

dump ckan.dump CKAN_SQLALCHEMY_URL "base de CKAN"
dump datastore.dump CKAN_DATASTORE_WRITE_URL "base du DataStore"

say "- fichiers ($CKAN_STORAGE_PATH)..."
mark=$(now_us)
rc=0
tar --create --gzip --file "$partial/storage.tar.gz" --directory "$CKAN_STORAGE_PATH" \
  --exclude=./webassets --exclude='./.restauration-*' --exclude='./.ancien-*' . || rc=$?
case $rc in
  0) ;;
  1) say "  attention: des fichiers ont changé pendant la lecture (envois en cours); ils sont dans l'état où tar les a lus" ;;
  *) fail "fichiers: tar a échoué (code $rc)" ;;
esac
gzip -t "$partial/storage.tar.gz" || fail "fichiers: l'archive écrite est illisible"
DURATION[storage.tar.gz]=$(since "$mark")
say "  storage.tar.gz: $(human "$(size_of "$partial/storage.tar.gz")") en ${DURATION[storage.tar.gz]}"

ckan_version=$(python3 -c 'import ckan; print(ckan.__version__)' 2>/dev/null) || ckan_version=inconnue
{
  say "# Sauvegarde de la plateforme (docker/backup.sh). Restauration: restore.sh --yes <ce dossier>"
  say "# Les lignes sans # sont les sommes sha256 que restore.sh vérifie (sha256sum -c)."
  say "# date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  say "# ckan: $ckan_version"
  say "# pg_dump: $(pg_dump --version | awk '{print $3}')"
  say "# serveur de la base de CKAN: PostgreSQL ${SERVER[ckan.dump]}"
  say "# serveur du DataStore: PostgreSQL ${SERVER[datastore.dump]}"
  for file in "${FILES[@]}"; do
    say "# $file: $(size_of "$partial/$file") octets, ${DURATION[$file]}"
  done
  (cd "$partial" && sha256sum -- "${FILES[@]}")
} >"$partial/manifest.txt"
sync -f "$partial/manifest.txt" 2>/dev/null || sync

mv -T -- "$partial" "$final"
done_ok=1
total=$(du -sb "$final" | awk '{print $1}')
say "Sauvegarde terminée: $final ($(human "$total") en $(since "$started"))"

# Retention: the BACKUP_KEEP newest complete backups stay (names sort by date).
mapfile -t complete < <(
  find "$BACKUP_DIR" -mindepth 1 -maxdepth 1 -type d -regextype posix-extended \
    -regex '.*/[0-9]{8}T[0-9]{6}Z(-[0-9]+)?' -exec test -f '{}/manifest.txt' ';' -printf '%f\n' |
    LC_ALL=C sort
)
excess=$((${#complete[@]} - BACKUP_KEEP))
for ((i = 0; i < excess; i++)); do
  rm -rf -- "${BACKUP_DIR:?}/${complete[i]}"
  say "Ancienne sauvegarde supprimée: ${complete[i]}"
done
say "Sauvegardes gardées: $((${#complete[@]} - (excess > 0 ? excess : 0))) (BACKUP_KEEP=$BACKUP_KEEP)"
