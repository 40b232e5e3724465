# The front door: `make` builds, `make test` builds and runs every test (also under
# AddressSanitizer and UndefinedBehaviorSanitizer), `make demo` runs the example sweep,
# `make bench` runs the benchmarks, `make package` builds the Debian package
# (build/labsweep_VERSION_ARCH.deb). Each installs what it needs first (scripts/setup-deps).

BUILD_DIR ?= build
SANITIZE_DIR ?= build-asan
GENERATOR := $(shell command -v ninja >/dev/null 2>&1 && echo "-G Ninja")
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all deps build test test-unit test-sanitize format format-check demo bench bench-deps \
        package clean

all: build

deps:
	@scripts/setup-deps

build: deps
	cmake -S . -B $(BUILD_DIR) $(GENERATOR) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS)
	cmake --build $(BUILD_DIR) -j $(JOBS)

test: format-check test-unit test-sanitize

test-unit: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS)

test-sanitize: deps
	cmake -S . -B $(SANITIZE_DIR) $(GENERATOR) -DCMAKE_BUILD_TYPE=Debug \
	  -DLABSWEEP_SANITIZE=address,undefined -DLABSWEEP_BUILD_BENCH=OFF -DLABSWEEP_CUDA=OFF \
	  $(CMAKE_FLAGS)
	cmake --build $(SANITIZE_DIR) -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --test-dir $(SANITIZE_DIR) --output-on-failure -j $(JOBS)

format: deps
	git ls-files '*.h' '*.hpp' '*.cc' '*.cu' '*.cuh' | xargs clang-format -i

format-check: deps
	git ls-files '*.h' '*.hpp' '*.cc' '*.cu' '*.cuh' | xargs clang-format --dry-run --Werror

# A fresh sweep of labsweep-train on Fashion-MNIST (examples/fashion-mnist.yaml), on the CPU.
demo: build
	rm -rf $(BUILD_DIR)/demo.db $(BUILD_DIR)/demo.db-wal $(BUILD_DIR)/demo.db-shm $(BUILD_DIR)/demo-trials
	PATH="$(abspath $(BUILD_DIR))/bin:$$PATH" $(BUILD_DIR)/bin/labsweep run examples/fashion-mnist.yaml \
	  --db $(BUILD_DIR)/demo.db --work-dir $(BUILD_DIR)/demo-trials

# bench-train's peer is PyTorch (python3-torch), which only the benchmarks need.
bench-deps:
	@scripts/setup-bench-deps

# The programs build/bin/bench-*, then the dashboard's, which runs in a browser.
bench: build bench-deps
	@set -e; for b in $(BUILD_DIR)/bin/bench-*; do echo "== $$b"; $$b; done
	@echo "== bench/dashboard.mjs"; LABSWEEP_BIN_DIR=$(abspath $(BUILD_DIR))/bin node bench/dashboard.mjs

# The Debian package of what `make` built (docs/deployment.md, "The package").
package: build
	cd $(BUILD_DIR) && cpack -G DEB

clean:
	rm -rf $(BUILD_DIR) $(SANITIZE_DIR)
