# The two commands of the README. Everything else is in scripts/.
.PHONY: run test build bench chaos fuzz clean distclean openapi

run:
	@scripts/run.sh

test:
	@scripts/test.sh

build:
	@scripts/deps.sh && swift build

bench:
	@Benchmarks/run.sh

# Fault injection (issue 13): OTA_CHAOS_SEEDS seeds (default 20) of kills, a crash of
# PostgreSQL and a broken link under randomized clients, then the durability checks.
chaos:
	@scripts/chaos.sh

# Build products only (.build, .build-bench, throwaway test clusters .local/testpg-*).
clean:
	@scripts/clean.sh

# Also .local: make run's database (stopped first), the virtualenv, the QR key ring.
distclean:
	@scripts/clean.sh --all

# The OpenAPI document the gateway serves (the file itself, embedded at build time):
# `make openapi > openapi.yaml`. A change of the contract is reviewed as its diff.
openapi:
	@cat Sources/OTAGateway/openapi.yaml

# libFuzzer on the parsers of untrusted input (issue 13); OTA_FUZZ_RUNS / OTA_FUZZ_SECONDS.
fuzz:
	@scripts/fuzz.sh
