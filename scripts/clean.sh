#!/usr/bin/env bash
# `make clean`: build products only: .build, .build-bench and the throwaway test clusters
# .local/testpg-* (stopped first). `make distclean` (clean.sh --all): .local as well, i.e.
# `make run`'s database under .local/pg (stopped first), the virtualenv, the QR key ring.
set -euo pipefail
cd "$(dirname "$0")/.."

# remove_cluster DIR: stop the private PostgreSQL in DIR if it runs, then delete DIR and
# the /tmp directory its data lives in, if any (see localpg.sh). A cluster that cannot be
# stopped is left in place: deleting it would leave a server running on deleted files.
remove_cluster() {
  local d=$1 data
  data=$(if [[ -f $d/datadir ]]; then cat "$d/datadir"; else echo "$d/data"; fi)
  if ! scripts/localpg.sh stop "$d" >/dev/null 2>&1 && [[ -f $data/postmaster.pid ]]; then
    echo "clean: could not stop the PostgreSQL of $d; left it in place" >&2
    return 1
  fi
  # Only the directories localpg.sh makes under /tmp, whatever the file says.
  if [[ -f $d/datadir && $data =~ ^/tmp/ota-pg\.[A-Za-z0-9]+/data$ ]]; then rm -rf "$(dirname "$data")"; fi
  rm -rf "$d"
}

status=0
rm -rf .build .build-bench
for d in .local/testpg-*; do
  [[ -d $d ]] || continue
  remove_cluster "$d" || status=1
done

if [[ ${1:-} == --all && -d .local ]]; then
  for d in .local/*/; do
    d=${d%/}
    [[ -d $d/data || -f $d/datadir ]] || continue
    remove_cluster "$d" || status=1
  done
  if ((status == 0)); then rm -rf .local; fi
fi
exit "$status"
