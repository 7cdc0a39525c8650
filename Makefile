# Thin wrapper: every target installs what it needs first, so each works on a fresh machine.
.PHONY: deps build run demo test fuzz asan bench clean

deps:
	scripts/install-deps

build: deps
	cmake --preset release >/dev/null
	cmake --build --preset release

run: build
	./build/switchyard serve --config config/switchyard.yaml

# The gateway with simulated traffic from many teams and models, for a populated dashboard.
demo: build
	node scripts/demo.mjs

test: build
	ctest --preset release
	scripts/check-tidy
	$(MAKE) fuzz

# libFuzzer targets (clang; tests/fuzz), each run for a bounded time.
fuzz: deps
	cmake --preset fuzz >/dev/null
	cmake --build --preset fuzz
	ctest --preset fuzz

# The test suite under AddressSanitizer and UndefinedBehaviorSanitizer.
asan: deps
	cmake --preset asan >/dev/null
	cmake --build --preset asan
	ctest --preset asan

bench: build
	scripts/install-deps --bench
	bench/run

clean:
	rm -rf build
