# The two commands of the README. Everything else is in scripts/.
.PHONY: run test build bench clean openapi chaos

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

clean:
	rm -rf .build .local

# The OpenAPI document the gateway serves (the file itself, embedded at build time):
# `make openapi > openapi.yaml`. A change of the contract is reviewed as its diff.
openapi:
	@cat Sources/OTAGateway/openapi.yaml
