# signet — the two commands a newcomer needs: `make run` and `make test`.
BUILD ?= build
BUILD_TYPE ?= Release
JOBS ?= $(shell nproc)

.PHONY: all deps build test run clean

all: build

deps:
	@scripts/install-deps

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

# Every test: unit tests, and integration tests against a real registry started on 127.0.0.1.
test: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

# The webhook on https://127.0.0.1:8443 with a local demo registry; Ctrl-C stops everything.
run: build
	scripts/demo $(BUILD)/server/signet

clean:
	rm -rf $(BUILD) .run
