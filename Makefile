# Thin wrapper over CMake. `make` builds build/denest; `make demo` and `make check` also set up
# the machine first (scripts/bootstrap).
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
BUILD ?= build
ASAN_BUILD ?= build-asan

.PHONY: all build bootstrap demo check check-gcc check-sanitize bench clean format

all: build

build:
	@cmake -S . -B $(BUILD) -DCMAKE_C_COMPILER=gcc -DDN_WERROR=ON >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

bootstrap:
	@scripts/bootstrap

# Runs the deNEST tutorial network into ./output.
demo: bootstrap build
	$(BUILD)/denest examples/tutorial/tree_paths.yml -o output

# Every test, twice: a gcc build, then a clang build under AddressSanitizer and UBSan.
check: bootstrap check-gcc check-sanitize

check-gcc: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

check-sanitize:
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_C_COMPILER=clang -DDN_WERROR=ON -DDN_SANITIZE=ON \
	    -DCMAKE_BUILD_TYPE=Debug >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j $(JOBS)

bench: build
	@for b in $(BUILD)/bench/*; do [ -x "$$b" ] && echo "== $$b" && "$$b"; done

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
