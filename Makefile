# The two commands of the README. Everything else is in scripts/.
.PHONY: run test build bench clean openapi fuzz

run:
	@scripts/run.sh

test:
	@scripts/test.sh

build:
	@scripts/deps.sh && swift build

bench:
	@Benchmarks/run.sh

clean:
	rm -rf .build .local

# The OpenAPI document the gateway serves (the file itself, embedded at build time):
# `make openapi > openapi.yaml`. A change of the contract is reviewed as its diff.
openapi:
	@cat Sources/OTAGateway/openapi.yaml

# libFuzzer on the parsers of untrusted input (issue 13); OTA_FUZZ_RUNS / OTA_FUZZ_SECONDS.
fuzz:
	@scripts/fuzz.sh
