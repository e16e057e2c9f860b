# The two commands of the README. Everything else is in scripts/.
.PHONY: run test build bench clean distclean openapi openapi-snapshot

run:
	@scripts/run.sh

test:
	@scripts/test.sh

build:
	@scripts/deps.sh && swift build

bench:
	@Benchmarks/run.sh

# Build products only (.build, .build-bench, throwaway test clusters .local/testpg-*).
clean:
	@scripts/clean.sh

# Also .local: make run's database (stopped first), the virtualenv, the QR key ring.
distclean:
	@scripts/clean.sh --all

# The OpenAPI document the gateway serves, for partners: `make openapi > openapi.yaml`,
# or `make openapi OPENAPI_OUT=path`.
openapi:
	@scripts/contract.sh document $(OPENAPI_OUT)

# After reviewing a change of the document for breaking changes: refresh the snapshot
# that the ContractTests compare with.
openapi-snapshot:
	@scripts/contract.sh snapshot
