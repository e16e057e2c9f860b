#!/usr/bin/env bash
# A failed `swift build` stops `make run` and `make test` with a non-zero exit; they must not
# go on with the stale binaries of an older .build (issue 9: `| grep ... || true` reset
# PIPESTATUS). A stub `swift` fails the build but still answers --show-bin-path with a
# directory of stale "binaries" that record being run. Fast, no network, no PostgreSQL.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL test-build-failure: $*" >&2; exit 1; }

mkdir -p "$tmp/bin" "$tmp/stale"
cat >"$tmp/bin/swift" <<EOF
#!/bin/sh
for a in "\$@"; do [ "\$a" = --show-bin-path ] && { echo "$tmp/stale"; exit 0; }; done
[ -n "\${STUB_SWIFT_OK:-}" ] && { echo "[1/2] Compiling Stub a.swift"; echo "Build complete!"; exit 0; }
echo "[1/9] Compiling Stub a.swift"
echo "error: stub build failed"
exit 7
EOF
for b in ota-admin ota-seed ota-gateway ota-expiry-worker; do
  printf '#!/bin/sh\necho %s >> "%s/ran"\nexit 1\n' "$b" "$tmp" >"$tmp/stale/$b"
done
chmod +x "$tmp/bin/swift" "$tmp/stale/"*
export PATH="$tmp/bin:$PATH"

# The function itself: under the scripts' options a failed build ends the script with
# swift's status; without set -e it returns that status.
for opts in "set -euo pipefail" "set -e"; do
  rc=0
  out=$(bash -c "$opts; . '$root/scripts/lib.sh'; ota_swift_build; echo after-build" 2>&1) || rc=$?
  [[ $rc == 7 ]] || fail "ota_swift_build ($opts) ended the script with $rc, want swift's 7"
  [[ $out != *after-build* ]] || fail "ota_swift_build ($opts): the script went on after a failed build"
  [[ $out == *"stub build failed"* ]] || fail "the compiler's error was filtered out: $out"
  [[ $out != *Compiling* ]] || fail "progress lines were not filtered: $out"
done
out=$(bash -c ". '$root/scripts/lib.sh'; ota_swift_build; echo status=\$?" 2>/dev/null)
[[ $out == *status=7 ]] || fail "ota_swift_build without set -e: $out, want status=7"
out=$(STUB_SWIFT_OK=1 bash -c "set -euo pipefail; . '$root/scripts/lib.sh'; ota_swift_build; echo after-build" 2>&1) \
  || fail "a successful build failed: $out"
[[ $out == *"Build complete!"* && $out == *after-build* && $out != *Compiling* ]] || fail "successful build output: $out"

# The two commands. run.sh gets a database URL so that it starts no PostgreSQL; the inner
# test.sh must not run these shell tests again (recursion, should its build check regress).
rc=0
out=$(cd "$root" && OTA_DATABASE_URL=postgresql://nobody@127.0.0.1:1/none scripts/run.sh 2>&1) || rc=$?
((rc != 0)) || fail "scripts/run.sh exited 0 after a failed build"
[[ ! -e $tmp/ran ]] || fail "scripts/run.sh ran stale binaries after a failed build: $(tr '\n' ' ' <"$tmp/ran")"
rc=0
out=$(cd "$root" && OTA_SHELL_TESTS=0 OTA_CONTRACT=0 scripts/test.sh 2>&1) || rc=$?
((rc != 0)) || fail "scripts/test.sh exited 0 after a failed build"
[[ ! -e $tmp/ran ]] || fail "scripts/test.sh ran stale binaries after a failed build: $(tr '\n' ' ' <"$tmp/ran")"
[[ $out != *"== private PostgreSQL"* ]] || fail "scripts/test.sh started PostgreSQL after a failed build"
echo "ok test-build-failure"
