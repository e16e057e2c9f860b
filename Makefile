# The two commands of the README. Everything else is in scripts/.
.PHONY: run test build bench clean

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
