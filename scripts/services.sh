#!/usr/bin/env bash
# Start, stop and report the three services a CKAN site needs: PostgreSQL 15 and Redis
# (Debian packages) and a real Solr 9 (Maven Central artifacts, scripts/solr/).
# Every service listens on 127.0.0.1 only. Idempotent: starting a running service is a no-op.
#
#   scripts/services.sh start|stop|status|restart [postgres|redis|solr ...]
#
# State (Solr home and index, Redis dump, logs, pid files) lives in .local/ (git-ignored).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE="$ROOT/.local"
VENV="$ROOT/.venv"
PG_VERSION=15
PG_CLUSTER=main
PG_PORT="${TGN_PG_PORT:-5432}"
REDIS_PORT="${TGN_REDIS_PORT:-6379}"
SOLR_PORT="${TGN_SOLR_PORT:-8983}"
SOLR_CORES=(ckan ckan_test) # site index and test index, kept apart so tests never wipe the site
SOLR_DIR="$ROOT/scripts/solr"
SOLR_HOME="$STATE/solr"
DB_USER=ckan_tgn
DB_PASSWORD=ckan_tgn
DATABASES=(ckan_tgn ckan_tgn_test ckan_tgn_bench)
# CKAN's DataStore (table previews, data API): a database of its own per site, owned by a write
# role; a read-only role answers datastore_search and datastore_search_sql.
DS_WRITE_USER=ckan_tgn_ds_write
DS_READ_USER=ckan_tgn_ds_read
DS_DATABASES=(ckan_tgn_datastore ckan_tgn_datastore_test ckan_tgn_datastore_bench)

say() { printf '%s\n' "$*"; }
fail() {
  printf 'ERREUR: %s\n' "$*" >&2
  exit 1
}

port_in_use() { ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; }
require_cmd() { command -v "$1" >/dev/null 2>&1 || fail "$1 introuvable ($2). Lancez d'abord: make install"; }

# --- PostgreSQL ---------------------------------------------------------------------------
pg_online() { pg_lsclusters -h 2>/dev/null | awk -v v="$PG_VERSION" -v c="$PG_CLUSTER" '$1==v && $2==c {print $4}' | grep -q online; }
psql_admin() { runuser -u postgres -- psql -p "$PG_PORT" -v ON_ERROR_STOP=1 -qAt "$@"; }

start_postgres() {
  require_cmd pg_ctlcluster "paquet Debian postgresql-$PG_VERSION"
  [ -x "/usr/lib/postgresql/$PG_VERSION/bin/postgres" ] ||
    fail "PostgreSQL $PG_VERSION absent (paquet postgresql-$PG_VERSION). Lancez: make install"
  if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "$PG_VERSION $PG_CLUSTER"; then
    pg_createcluster "$PG_VERSION" "$PG_CLUSTER" --port "$PG_PORT" >/dev/null
  fi
  # Loopback only, fixed port; a drop-in keeps the package's own config untouched.
  local dropin="/etc/postgresql/$PG_VERSION/$PG_CLUSTER/conf.d/ckanext-tgn.conf"
  local want
  want=$(printf "# Managed by ckanext-tgn scripts/services.sh\nlisten_addresses = '127.0.0.1'\nport = %s\n" "$PG_PORT")
  if [ "$(cat "$dropin" 2>/dev/null)" != "$want" ]; then
    printf '%s\n' "$want" >"$dropin"
    pg_online && pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" restart
  fi
  if pg_online; then
    say "postgres: déjà démarré (127.0.0.1:$PG_PORT)"
  else
    port_in_use "$PG_PORT" &&
      fail "postgres: le port $PG_PORT est déjà pris par un autre programme (ss -ltnp 'sport = :$PG_PORT'); arrêtez-le puis relancez."
    pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" start ||
      fail "postgres: le démarrage a échoué; voir /var/log/postgresql/postgresql-$PG_VERSION-$PG_CLUSTER.log"
    say "postgres: démarré (127.0.0.1:$PG_PORT)"
  fi
  ensure_databases
}

ensure_databases() {
  if [ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname='$DB_USER'")" != 1 ]; then
    psql_admin -c "CREATE ROLE $DB_USER LOGIN PASSWORD '$DB_PASSWORD'"
    say "postgres: rôle $DB_USER créé"
  fi
  local db role
  for db in "${DATABASES[@]}"; do
    if [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname='$db'")" != 1 ]; then
      psql_admin -c "CREATE DATABASE $db OWNER $DB_USER ENCODING 'UTF8' TEMPLATE template0"
      say "postgres: base $db créée"
    fi
  done
  for role in "$DS_WRITE_USER" "$DS_READ_USER"; do
    if [ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname='$role'")" != 1 ]; then
      psql_admin -c "CREATE ROLE $role LOGIN PASSWORD '$role'"
      say "postgres: rôle $role créé"
    fi
  done
  for db in "${DS_DATABASES[@]}"; do
    if [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname='$db'")" != 1 ]; then
      psql_admin -c "CREATE DATABASE $db OWNER $DS_WRITE_USER ENCODING 'UTF8' TEMPLATE template0"
      say "postgres: base $db créée"
    fi
  done
  # The read role may connect to the DataStore databases only (PUBLIC may connect anywhere).
  for db in "${DATABASES[@]}"; do
    psql_admin -c "REVOKE CONNECT ON DATABASE $db FROM PUBLIC; GRANT CONNECT ON DATABASE $db TO $DB_USER"
  done
  # The test and benchmark DataStores' grants (the site's: scripts/site.sh, which writes its config).
  datastore_permissions ckan_tgn_datastore_test "$ROOT/test.ini"
  datastore_permissions ckan_tgn_datastore_bench "$ROOT/bench/http_load.ini"
}

# CKAN's own script of DataStore grants (read role: SELECT only), rendered from a config's
# URLs by `ckan datastore set-permissions` and run as the superuser, once per database: the
# view it creates (_table_metadata) says it ran.
datastore_permissions() { # database ini
  [ "$(psql_admin -d "$1" -c "SELECT to_regclass('public._table_metadata') IS NOT NULL")" != t ] || return 0
  if [ ! -x "$VENV/bin/ckan" ]; then
    say "postgres: droits du DataStore au prochain démarrage (CKAN pas encore installé: make install)"
    return
  fi
  local sql
  sql=$("$VENV/bin/ckan" -c "$2" datastore set-permissions 2>/dev/null) ||
    fail "postgres: ckan datastore set-permissions a échoué pour ${2#"$ROOT"/}"
  psql_admin <<<"$sql" >/dev/null || fail "postgres: les droits du DataStore n'ont pas pu être posés ($1)"
}

stop_postgres() {
  if pg_online; then
    pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" stop && say "postgres: arrêté"
  else
    say "postgres: déjà arrêté"
  fi
}

status_postgres() {
  if pg_online; then say "postgres: en marche (127.0.0.1:$PG_PORT)"; else say "postgres: arrêté" && return 1; fi
}

# --- Redis --------------------------------------------------------------------------------
redis_up() { timeout 3 redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; }

start_redis() {
  require_cmd redis-server "paquet Debian redis-server"
  if redis_up; then
    say "redis: déjà démarré (127.0.0.1:$REDIS_PORT)"
    return
  fi
  port_in_use "$REDIS_PORT" &&
    fail "redis: le port $REDIS_PORT est déjà pris par un autre programme (ss -ltnp 'sport = :$REDIS_PORT'); arrêtez-le puis relancez."
  mkdir -p "$STATE/redis"
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --daemonize yes \
    --dir "$STATE/redis" --pidfile "$STATE/redis/redis.pid" --logfile "$STATE/redis/redis.log" ||
    fail "redis: le démarrage a échoué; voir $STATE/redis/redis.log"
  local i
  for i in $(seq 50); do
    redis_up && break
    sleep 0.2
  done
  redis_up || fail "redis: ne répond pas; voir $STATE/redis/redis.log"
  say "redis: démarré (127.0.0.1:$REDIS_PORT)"
}

stop_redis() {
  if redis_up; then
    timeout 10 redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown >/dev/null 2>&1 || true
    say "redis: arrêté"
  else
    say "redis: déjà arrêté"
  fi
}

status_redis() {
  if redis_up; then say "redis: en marche (127.0.0.1:$REDIS_PORT)"; else say "redis: arrêté" && return 1; fi
}

# --- Solr ---------------------------------------------------------------------------------
solr_ping() { curl -fsS -m 5 -o /dev/null "http://127.0.0.1:$SOLR_PORT/solr/$1/admin/ping?wt=json" 2>/dev/null; }
solr_pid() { cat "$STATE/solr.pid" 2>/dev/null || true; }
solr_running() {
  local pid
  pid=$(solr_pid)
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

build_solr() {
  # Resolve the jars once (cached in .cache/m2, offline afterwards) and compile the launcher.
  require_cmd mvn "paquet Debian maven"
  require_cmd javac "paquet Debian openjdk-17-jdk-headless"
  local lib="$SOLR_DIR/target/lib" classes="$SOLR_DIR/target/classes"
  if [ ! -f "$lib/.complete" ] || [ "$SOLR_DIR/pom.xml" -nt "$lib/.complete" ]; then
    say "solr: téléchargement des artefacts Maven (première fois: ~1 min)..."
    rm -rf "$lib"
    mkdir -p "$STATE/logs"
    mvn -B -Dstyle.color=never -Dmaven.repo.local="$ROOT/.cache/m2" -f "$SOLR_DIR/pom.xml" \
      dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$lib" \
      >"$STATE/logs/maven.log" 2>&1 ||
      fail "solr: Maven n'a pas pu résoudre les artefacts (réseau vers Maven Central?); voir $STATE/logs/maven.log"
    touch "$lib/.complete"
  fi
  if [ ! -f "$classes/SolrLauncher.class" ] || [ "$SOLR_DIR/src/SolrLauncher.java" -nt "$classes/SolrLauncher.class" ]; then
    mkdir -p "$classes"
    javac -cp "$lib/*" -d "$classes" "$SOLR_DIR/src/SolrLauncher.java" || fail "solr: la compilation du lanceur a échoué"
  fi
}

ckan_schema() {
  [ -x "$VENV/bin/python" ] || fail "solr: l'environnement Python .venv manque (le schéma Solr vient du paquet ckan). Lancez: make install"
  "$VENV/bin/python" -c 'import ckan, os; print(os.path.join(os.path.dirname(ckan.__file__), "config", "solr", "schema.xml"))'
}

prepare_solr_home() {
  # CKAN's own schema, plus the float fields of ckanext-spatial's solr-bbox backend.
  local schema core
  schema=$(ckan_schema)
  [ -f "$schema" ] || fail "solr: schéma CKAN introuvable: $schema"
  mkdir -p "$SOLR_HOME"
  printf '<solr></solr>\n' >"$SOLR_HOME/solr.xml"
  for core in "${SOLR_CORES[@]}"; do
    mkdir -p "$SOLR_HOME/$core/conf"
    printf 'name=%s\n' "$core" >"$SOLR_HOME/$core/core.properties"
    cp "$SOLR_DIR/conf/solrconfig.xml" "$SOLR_DIR/conf/synonyms.txt" "$SOLR_DIR/conf/protwords.txt" "$SOLR_HOME/$core/conf/"
    "$VENV/bin/python" "$SOLR_DIR/add_spatial_fields.py" "$schema" "$SOLR_HOME/$core/conf/managed-schema.xml"
  done
}

start_solr() {
  require_cmd java "paquet Debian openjdk-17-jre-headless"
  require_cmd curl "paquet Debian curl"
  if solr_running && solr_ping "${SOLR_CORES[0]}"; then
    say "solr: déjà démarré (http://127.0.0.1:$SOLR_PORT/solr)"
    return
  fi
  port_in_use "$SOLR_PORT" &&
    fail "solr: le port $SOLR_PORT est déjà pris par un autre programme (ss -ltnp 'sport = :$SOLR_PORT'); arrêtez-le puis relancez."
  build_solr
  prepare_solr_home
  mkdir -p "$STATE/logs"
  local log="$STATE/logs/solr.log"
  (
    cd "$SOLR_HOME"
    exec nohup java -Xms256m -Xmx768m -Dsolr.log.dir="$STATE/logs" -Dsolr.install.dir="$SOLR_HOME" \
      -Dsolr.log.level=WARN -cp "$SOLR_DIR/target/classes:$SOLR_DIR/target/lib/*" \
      SolrLauncher "$SOLR_HOME" "$SOLR_PORT" "${SOLR_CORES[@]}" >"$log" 2>&1 </dev/null
  ) &
  echo $! >"$STATE/solr.pid"
  local i core ready
  for i in $(seq 240); do
    if ! solr_running; then
      grep SOLR_FAILED "$log" >&2 || tail -n 20 "$log" >&2
      fail "solr: le serveur s'est arrêté au démarrage; voir $log"
    fi
    ready=1
    for core in "${SOLR_CORES[@]}"; do solr_ping "$core" || ready=0; done
    [ "$ready" = 1 ] && break
    sleep 0.5
  done
  [ "$ready" = 1 ] || fail "solr: pas de réponse de /solr/${SOLR_CORES[0]}/admin/ping après 120 s; voir $log"
  say "solr: démarré (http://127.0.0.1:$SOLR_PORT/solr, cœurs: ${SOLR_CORES[*]})"
}

stop_solr() {
  if solr_running; then
    local pid i
    pid=$(solr_pid)
    kill -TERM "$pid"
    for i in $(seq 60); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.5
    done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
    rm -f "$STATE/solr.pid"
    say "solr: arrêté"
  else
    say "solr: déjà arrêté"
  fi
}

status_solr() {
  if solr_running && solr_ping "${SOLR_CORES[0]}"; then
    say "solr: en marche (http://127.0.0.1:$SOLR_PORT/solr, pid $(solr_pid))"
  else
    say "solr: arrêté" && return 1
  fi
}

# --- main ---------------------------------------------------------------------------------
action="${1:-status}"
shift || true
services=("$@")
[ ${#services[@]} -gt 0 ] || services=(postgres redis solr)
for s in "${services[@]}"; do
  case "$s" in postgres | redis | solr) ;; *) fail "service inconnu: $s (postgres, redis ou solr)" ;; esac
done

case "$action" in
  start) for s in "${services[@]}"; do "start_$s"; done ;;
  stop) for ((i = ${#services[@]} - 1; i >= 0; i--)); do "stop_${services[i]}"; done ;;
  restart)
    for ((i = ${#services[@]} - 1; i >= 0; i--)); do "stop_${services[i]}"; done
    for s in "${services[@]}"; do "start_$s"; done
    ;;
  status)
    rc=0
    for s in "${services[@]}"; do "status_$s" || rc=1; done
    exit $rc
    ;;
  *) fail "usage: $0 start|stop|status|restart [postgres|redis|solr ...]" ;;
esac
