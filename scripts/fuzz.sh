#!/usr/bin/env bash
# `make fuzz`: libFuzzer (with AddressSanitizer) on the parsers that read untrusted input.
#
#   scripts/fuzz.sh                 every target, one after another
#   scripts/fuzz.sh http json       only these (http json qrtoken cursor)
#   scripts/fuzz.sh smoke           a few seconds of each (OTA_FUZZ_SMOKE_SECONDS, default 3)
#   scripts/fuzz.sh build           compile only
#
#   OTA_FUZZ_RUNS     inputs per target (default 10000000)
#   OTA_FUZZ_SECONDS  wall-clock bound per target instead; with both set, the first reached
#   OTA_FUZZ_MAX_LEN  longest input libFuzzer generates (default 4096)
#   OTA_FUZZ_ENGINE   libfuzzer (default when the toolchain has it) or fallback
#   OTA_FUZZ_OUT      where binaries, logs, corpora and reproducers go (default .build/fuzz)
#
# Fallback: a toolchain without libFuzzer (swift.org's Linux toolchains have it; Xcode's
# does not) gets Tests/Fuzz/Driver.swift instead, a deterministic random-input driver with
# no coverage feedback, clearly labelled in the output. Same harnesses, same reproducers.
#
# Targets run one after another in a single process each (no -jobs/-fork): the machine is
# shared.
#
# Each harness (Tests/Fuzz/<target>/main.swift) is compiled with swiftc directly, together
# with the library sources it exercises, into one module: no SwiftPM unsafeFlags, so normal
# builds stay untouched. Binaries and the growing corpora live in .build/fuzz/ (never
# committed); the committed seeds are Tests/Fuzz/corpus/<target>/. A crash stops the run
# with a non-zero status and the path of the reproducer; replay it with
#   SWIFT_BACKTRACE=enable=no .build/fuzz/<target> <reproducer>
set -euo pipefail
cd "$(dirname "$0")/.."

all_targets=(http json qrtoken cursor)
out=${OTA_FUZZ_OUT:-.build/fuzz}
swiftc=${SWIFTC:-$(command -v swiftc)}

# The library sources of each target. The parser, JSON and cursor code has no I/O and is
# compiled file by file (the HTTP target's server half needs Posix and epoll, which the
# parser does not); OTACrypto has only OpenSSL below it and is compiled whole.
sources() {
  case $1 in
    http) echo Sources/HTTP/{HTTPRequestParser,HTTPHeadParser,FramingFields,HTTPMessage,HTTPMethod,HTTPHeaders,RequestTarget}.swift ;;
    json) echo Sources/JSON/*.swift ;;
    qrtoken) echo Sources/OTACrypto/*.swift ;;
    cursor) echo Sources/OTADomain/{Pagination,Timestamp,LocalDate,Validation,Money}.swift ;;
    *) echo "unknown fuzz target '$1' (targets: ${all_targets[*]})" >&2; return 1 ;;
  esac
}

module_name() {
  case $1 in
    http) echo HTTP ;; json) echo JSON ;; qrtoken) echo OTACrypto ;; cursor) echo OTADomain ;;
  esac
}

link_flags() {
  case $1 in
    qrtoken) echo -I Sources/COpenSSL -lssl -lcrypto ;;
  esac
}

# Whether swiftc links a harness with these sanitizers.
supports() {
  local probe=$out/probe
  mkdir -p "$probe"
  printf '@_cdecl("LLVMFuzzerTestOneInput")\npublic func f(_ d: UnsafePointer<UInt8>?, _ n: Int) -> CInt { 0 }\n' >"$probe/main.swift"
  "$swiftc" -sanitize="$1" -parse-as-library "$probe/main.swift" -o "$probe/probe" >/dev/null 2>&1
}

build() {
  local target=$1 srcs
  srcs=$(sources "$target")
  mkdir -p "$out"
  # shellcheck disable=SC2086
  if [[ -x $out/$target && -z $(find $srcs Tests/Fuzz/Support.swift Tests/Fuzz/Driver.swift "Tests/Fuzz/$target" scripts/fuzz.sh -newer "$out/$target" 2>/dev/null) ]] \
     && [[ $(cat "$out/$target.engine" 2>/dev/null) == "$engine" ]]; then
    echo "== $target is up to date"
    return 0
  fi
  echo "== build $target ($engine)"
  local status=0 engine_flags=("-sanitize=fuzzer,address")
  if [[ $engine == fallback ]]; then
    engine_flags=(Tests/Fuzz/Driver.swift)
    supports address && engine_flags+=(-sanitize=address)
  fi
  # shellcheck disable=SC2086,SC2046  # word splitting of the source and flag lists is intended
  "$swiftc" "${engine_flags[@]}" -parse-as-library -O -g -swift-version 6 \
    -module-name "$(module_name "$target")" \
    $srcs Tests/Fuzz/Support.swift "Tests/Fuzz/$target/main.swift" \
    $(link_flags "$target") -o "$out/$target" >"$out/$target.build.log" 2>&1 || status=$?
  echo "$engine" >"$out/$target.engine"
  # gold warns about every ASan helper symbol; nothing to act on.
  grep -vE "ld.gold: warning: Cannot export local symbol" "$out/$target.build.log" || true
  if [[ $status -ne 0 ]]; then echo "!! building $target failed" >&2; return 1; fi
}

# Runs one target under libFuzzer; returns non-zero on a crash, after naming the reproducer.
run() {
  local target=$1; shift
  [[ $engine == fallback ]] && { run_fallback "$target"; return; }
  local corpus=$out/corpus/$target artifacts=$out/artifacts/$target/ log=$out/$target.log
  mkdir -p "$corpus" "$artifacts"
  echo "== fuzz $target $*"
  # The Swift runtime's own crash handler reads memory ASan has poisoned and buries the
  # real report; libFuzzer prints the stack itself.
  local status=0
  SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0} \
    "$out/$target" -timeout=10 -rss_limit_mb=2048 -max_len="${OTA_FUZZ_MAX_LEN:-4096}" \
    -artifact_prefix="$artifacts" -print_final_stats=1 "$@" \
    "$corpus" "Tests/Fuzz/corpus/$target" >"$log" 2>&1 || status=$?
  if [[ $status -ne 0 ]]; then
    grep -E "FUZZ INVARIANT BROKEN|ERROR: |SUMMARY" "$log" | head -20 || true
    local reproducer
    reproducer=$(grep -oE "Test unit written to [^ ]+" "$log" | tail -1 | sed 's/Test unit written to //')
    echo "!! $target failed (status $status); log: $log"
    [[ -n $reproducer ]] && echo "!! reproducer: $reproducer (replay: SWIFT_BACKTRACE=enable=no $out/$target $reproducer)"
    return 1
  fi
  # The figures a report needs: inputs run, speed, coverage.
  grep -E "stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb" "$log" | tr '\n' ' '
  grep -E "^#[0-9]+" "$log" | tail -1 | sed -E 's/^(#[0-9]+)[[:space:]]+[A-Z]+[[:space:]]+(cov: [0-9]+ ft: [0-9]+).*/ \1 \2/'
}

# The same for the fallback driver; bounds from the same variables.
run_fallback() {
  local target=$1 status=0
  local corpus=$out/corpus/$target artifacts=$out/artifacts/$target log=$out/$target.log
  mkdir -p "$corpus" "$artifacts"
  echo "== fuzz $target with the FALLBACK random-input driver (no libFuzzer, no coverage feedback)"
  local runs=${OTA_FUZZ_RUNS:-} seconds=${OTA_FUZZ_SECONDS:-}
  [[ $mode == smoke ]] && { runs=; seconds=${OTA_FUZZ_SMOKE_SECONDS:-3}; }
  [[ -z $runs && -z $seconds ]] && runs=10000000
  SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0} \
    OTA_FUZZ_RUNS=${runs:-9223372036854775807} OTA_FUZZ_SECONDS=$seconds OTA_FUZZ_ARTIFACT="$artifacts/current" \
    "$out/$target" "Tests/Fuzz/corpus/$target" "$corpus" >"$log" 2>&1 || status=$?
  if [[ $status -ne 0 ]]; then
    local reproducer
    reproducer=$artifacts/crash-$(date +%s)
    mv "$artifacts/current" "$reproducer"
    grep -E "FUZZ INVARIANT BROKEN|ERROR: |SUMMARY|Fatal error" "$log" | head -20 || true
    echo "!! $target failed (status $status); log: $log"
    echo "!! reproducer: $reproducer (replay: SWIFT_BACKTRACE=enable=no $out/$target $reproducer)"
    return 1
  fi
  tail -1 "$log"
}

mode=fuzz
if [[ ${1:-} == smoke || ${1:-} == build ]]; then mode=$1; shift; fi
targets=("$@")
[[ ${#targets[@]} -eq 0 ]] && targets=("${all_targets[@]}")
for target in "${targets[@]}"; do sources "$target" >/dev/null; done

mkdir -p "$out"
engine=${OTA_FUZZ_ENGINE:-}
if [[ -z $engine ]]; then
  if supports fuzzer,address; then
    engine=libfuzzer
  else
    engine=fallback
    echo "fuzz: $swiftc has no libFuzzer (-sanitize=fuzzer); using the FALLBACK random-input driver" >&2
  fi
fi

for target in "${targets[@]}"; do build "$target"; done
[[ $mode == build ]] && exit 0

failed=0
for target in "${targets[@]}"; do
  if [[ $mode == smoke ]]; then
    run "$target" -max_total_time="${OTA_FUZZ_SMOKE_SECONDS:-3}" || failed=1
  else
    bounds=()
    # Either bound alone, or both: libFuzzer stops at whichever comes first.
    [[ -n ${OTA_FUZZ_RUNS:-} || -z ${OTA_FUZZ_SECONDS:-} ]] && bounds+=(-runs="${OTA_FUZZ_RUNS:-10000000}")
    [[ -n ${OTA_FUZZ_SECONDS:-} ]] && bounds+=(-max_total_time="$OTA_FUZZ_SECONDS")
    run "$target" "${bounds[@]}" || failed=1
  fi
  # Stop at the first crash: the reproducer is what matters now.
  [[ $failed -eq 0 ]] || exit 1
done
