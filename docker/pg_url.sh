# shellcheck shell=bash
# shellcheck disable=SC2034  # the variables are read by the scripts that source this file
# Sourced by backup.sh and restore.sh (which define `fail`): CKAN's PostgreSQL URLs as the
# PostgreSQL tools take them.

# A SQLAlchemy URL as libpq takes it: no "+driver" suffix, and no password on the command
# line (where ps shows it): the password goes to PGPASSWORD, for the one command only.
PG_URI="" PG_PASS="" PG_DB=""
pg_target() { # url name-of-variable
  local re='^postgres(ql)?(\+[A-Za-z0-9_]+)?://(([^:@/]*)(:([^@/]*))?@)?([^/]*)/([^?]+)(\?.*)?$'
  [[ $1 =~ $re ]] || fail "$2 n'est pas une URL PostgreSQL (postgresql://utilisateur:mot-de-passe@hôte:port/base)"
  local user=${BASH_REMATCH[4]} pass=${BASH_REMATCH[6]}
  PG_DB=${BASH_REMATCH[8]}
  PG_URI="postgresql://${user:+$user@}${BASH_REMATCH[7]}/$PG_DB${BASH_REMATCH[9]}"
  pass=${pass//\\/\\\\}
  PG_PASS=$(printf '%b' "${pass//%/\\x}")
}
pg() { # command args... (on the current target)
  if [ -n "$PG_PASS" ]; then PGPASSWORD=$PG_PASS "$@"; else "$@"; fi
}
