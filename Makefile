# The two commands of the README, as root on a fresh Debian 12: `make demo` and `make test`.
# Every step is idempotent: set-up and configure are skipped when nothing changed, and the
# build recompiles only what changed. BUILD and BUILD_ASAN name the build trees.
BUILD ?= build
BUILD_ASAN ?= build-asan
export GK_BUILD := $(BUILD)
export GK_BUILD_ASAN := $(BUILD_ASAN)

.PHONY: all setup build demo test clean
all: build

setup:
	@scripts/setup.sh

build: setup
	@scripts/build.sh main

demo: build
	$(BUILD)/tools/gk demo

test: setup
	@scripts/test.sh

clean:
	rm -rf $(BUILD) $(BUILD_ASAN)
