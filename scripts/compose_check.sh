#!/usr/bin/env bash
# Check Docker Compose files with the loader of `docker compose` itself (compose-go v2.16.2,
# scripts/compose_check/): interpolation, Compose specification schema, consistency
# (depends_on, volumes, networks, secrets, configs), normalisation. No Docker needed.
#
#   scripts/compose_check.sh [--env-file FILE] [--quiet] COMPOSE_FILE...
#
# Options come before the files. Variables come from --env-file only (never from the shell
# nor from an implicit .env), so the result is repeatable. On success the normalised project
# is printed as JSON on stdout (as `docker compose config --format json`), services behind
# `profiles:` included; on error, `ERREUR: ...` on stderr and exit 1.
#
# The checker is built once into .cache/compose-check/ (git-ignored) and rebuilt only when
# its sources change (sha256 stamp beside the binary).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SRC="$ROOT/scripts/compose_check"
OUT="$ROOT/.cache/compose-check"
BIN="$OUT/compose-check"
STAMP="$OUT/compose-check.sha256"

fail() {
  printf 'ERREUR: %s\n' "$*" >&2
  exit 1
}

build() {
  command -v go >/dev/null 2>&1 || fail "go introuvable: le vérificateur Compose demande Go >= 1.24"
  local want tmp log
  want="$(cd "$SRC" && sha256sum main.go go.mod go.sum)"
  if [[ -x "$BIN" && -f "$STAMP" && "$(cat "$STAMP")" == "$want" ]]; then
    return 0
  fi
  if [[ -x "$BIN" ]]; then
    printf 'compose: reconstruction du vérificateur (sources modifiées)...\n' >&2
  else
    printf 'compose: construction du vérificateur (compose-go v2.16.2, première fois: ~20 s)...\n' >&2
  fi
  mkdir -p "$OUT"
  # Build beside the binary, then rename: a concurrent run never sees a half-written file.
  tmp="$(mktemp "$OUT/.build.XXXXXX")"
  log="$tmp.log"
  # -mod=readonly: go.sum is the lock, never rewritten by a build. -buildvcs=false: the binary
  # must not depend on the state of the git work tree. GOTOOLCHAIN=local: a too-old Go fails
  # here with a clear message instead of trying to download another toolchain.
  if ! (cd "$SRC" && GOFLAGS='-mod=readonly -buildvcs=false' GOTOOLCHAIN=local \
    go build -trimpath -o "$tmp" .) >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$tmp" "$log"
    fail "la construction du vérificateur Compose (scripts/compose_check, go build) a échoué"
  fi
  mv -f "$tmp" "$BIN"
  printf '%s\n' "$want" >"$STAMP"
  rm -f "$log"
}

build
exec "$BIN" "$@"
