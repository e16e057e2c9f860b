# shellcheck shell=bash
# Helpers shared by the developer scripts; sourced, not run:  . scripts/lib.sh
# Each one is a function so that scripts/tests/ can exercise it with stubs.

# ota_swift_build ARG...: `swift build ARG...` without its per-file progress lines; returns
# swift's exit status. The old `... | grep ... || true; test "${PIPESTATUS[0]}" -eq 0` read
# the PIPESTATUS of `true`, so a failed build went on with the stale binaries of an older
# .build.
ota_swift_build() {
  local - rc=0
  set -o pipefail # local to this function (`local -`): the pipeline fails when swift does
  swift build "$@" 2>&1 | { grep -vE '^\[[0-9]+/[0-9]+\] (Compiling|Emitting|Linking|Write|Building)' || true; } \
    || rc=$?
  if ((rc != 0)); then
    echo "build: swift build failed (exit $rc)" >&2
    return "$rc"
  fi
}

# ota_on_exit FUNCTION: run FUNCTION exactly once when the script ends, however it ends:
# normal end, an error under set -e, or SIGHUP/SIGINT/SIGTERM. Bash runs no EXIT trap when
# an untrapped signal kills it, so those signals are trapped to exit (128+n). While
# FUNCTION runs they are ignored: `timeout` signals its child and then the whole process
# group, and a second SIGTERM must not cut the cleanup short (it did: PostgreSQL stayed up).
# Commands FUNCTION starts inherit the ignored signals, so they finish too.
ota_on_exit() {
  _ota_exit_fn=$1
  trap _ota_run_exit_fn EXIT
  trap 'exit 129' HUP
  trap 'exit 130' INT
  trap 'exit 143' TERM
}
_ota_run_exit_fn() {
  local rc=$?
  trap '' HUP INT TERM
  "$_ota_exit_fn" || true
  exit "$rc"
}

# ota_pg_bindir: the bin directory of the newest PostgreSQL server >= 15 installed under
# /usr/lib/postgresql/MAJOR/bin (Debian/Ubuntu; OTA_PG_LIBDIR replaces that root, for the
# tests), else /usr/local/pgsql/bin (a source build) when it has pg_ctl. Fails when none.
ota_pg_bindir() {
  local root=${OTA_PG_LIBDIR:-/usr/lib/postgresql} d major best=""
  for d in "$root"/*/bin; do
    major=$(basename "$(dirname "$d")")
    [[ $major =~ ^[0-9]+$ ]] && ((major >= 15)) && [[ -x $d/pg_ctl ]] || continue
    if [[ -z $best ]] || ((major > $(basename "$(dirname "$best")"))); then best=$d; fi
  done
  if [[ -z $best && -z ${OTA_PG_LIBDIR:-} && -x /usr/local/pgsql/bin/pg_ctl ]]; then best=/usr/local/pgsql/bin; fi
  [[ -n $best ]] && echo "$best"
}

# ota_pg_packages META_MAJOR "AVAILABLE_MAJORS": the Debian packages that install a
# PostgreSQL server >= 15 and its client, given the major version the distribution's
# `postgresql` metapackage depends on (empty: unknown) and the majors of the versioned
# `postgresql-N` packages apt can install. The metapackages when they give >= 15 (Debian
# 12: 15; newer releases: newer), else the newest versioned package >= 15 (e.g. Ubuntu
# 22.04 with the PGDG repository). Fails when neither exists.
ota_pg_packages() {
  local meta=${1:-} m newest=""
  if [[ $meta =~ ^[0-9]+$ ]] && ((meta >= 15)); then
    echo "postgresql postgresql-client"; return 0
  fi
  for m in ${2:-}; do
    [[ $m =~ ^[0-9]+$ ]] && ((m >= 15)) || continue
    if [[ -z $newest ]] || ((m > newest)); then newest=$m; fi
  done
  [[ -n $newest ]] || return 1
  echo "postgresql-$newest postgresql-client-$newest"
}

# The inputs of ota_pg_packages, from apt's local package lists: the major version the
# `postgresql` metapackage depends on, and the majors of the versioned server packages.
ota_pg_apt_meta_major() {
  apt-cache depends postgresql 2>/dev/null | sed -n 's/^ *Depends: postgresql-\([0-9][0-9]*\)$/\1/p' | head -n 1
}
ota_pg_apt_majors() {
  apt-cache search --names-only '^postgresql-[0-9]+$' 2>/dev/null | sed -n 's/^postgresql-\([0-9][0-9]*\) .*/\1/p' | sort -n | tr '\n' ' '
}
