# signet — the two commands a newcomer needs: `make run` and `make test`.
BUILD ?= build
BUILD_TYPE ?= Release
SANITIZE_BUILD ?= build-sanitize
JOBS ?= $(shell nproc)

.PHONY: all deps test-deps build test test-sanitize fuzz bench run clean

all: build

# Debian's packages (and npm, to fetch the trusted root the build embeds): all that `make run` needs.
deps:
	@scripts/install-deps

# Also the test tooling from npm, which needs Node.js 20.17 or newer.
test-deps:
	@scripts/install-deps --test

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

# Every test: unit tests, and integration tests against a real registry started on 127.0.0.1; then all of
# them again under AddressSanitizer and UBSan, in a tree compiled at -O0 (half the compile time of -O1).
test: test-deps build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)
	$(MAKE) test-sanitize

$(SANITIZE_BUILD)/build.ninja:
	cmake -S . -B $(SANITIZE_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG=-O0 -DSIGNET_SANITIZE=ON

test-sanitize: test-deps $(SANITIZE_BUILD)/build.ninja
	cmake --build $(SANITIZE_BUILD) -j $(JOBS)
	ctest --test-dir $(SANITIZE_BUILD) --output-on-failure -j $(JOBS)

# The libFuzzer targets of test/fuzz/ (built by clang), a minute each; `make test` runs them 3 s each.
FUZZ_SECONDS ?= 60
fuzz: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) --target signet_fuzz
	test/fuzz/run.sh $(BUILD)/test/fuzz/build test/fuzz/corpus $(FUZZ_SECONDS)

# signet against the ceilings it is judged by (test/bench/bench.py): warm and cold admissions, the herd,
# crypto, memory and start-up, policy scale. A few minutes; results in $(BUILD)/bench/results.json.
bench: test-deps build
	/usr/bin/python3 test/bench/bench.py --build $(BUILD)

# The webhook on https://127.0.0.1:8443 with a local demo registry; Ctrl-C stops everything.
run: build
	scripts/demo $(BUILD)/server/signet

clean:
	rm -rf $(BUILD) $(SANITIZE_BUILD) .run
