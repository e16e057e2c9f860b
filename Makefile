# The two commands of the README. Everything else is in scripts/.
.PHONY: run test build bench clean openapi openapi-snapshot

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

# The OpenAPI document the gateway serves, for partners: `make openapi > openapi.yaml`,
# or `make openapi OPENAPI_OUT=path`.
openapi:
	@scripts/contract.sh document $(OPENAPI_OUT)

# After reviewing a change of the document for breaking changes: refresh the snapshot
# that the ContractTests compare with.
openapi-snapshot:
	@scripts/contract.sh snapshot
