# A thin wrapper around CMake and the scripts; the real build is CMakeLists.txt.
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: all build test check demo asan deps clean bench bench-instr bench-tunnel fuzz install doc

all: build

build:
	cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build build -j $(JOBS)

# The libraries, headers, ward.pc, the CMake package and the tool under
# PREFIX (DESTDIR=/staging works too): make install PREFIX=~/.local
PREFIX ?= /usr/local
install: build
	cmake --install build --prefix $(PREFIX)

# The API reference from the public headers (docs/Doxyfile; Debian's
# doxygen package): build/doc/html/index.html. Man pages: man/.
doc:
	@command -v doxygen >/dev/null || { echo "make doc: needs doxygen (apt-get install doxygen)" >&2; exit 1; }
	cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build build --target doc

test: build
	cd build && ctest --output-on-failure -j $(JOBS)

# Everything CI runs: installs what is missing, normal build + tests, then
# clang + ASan/UBSan build + tests.
check:
	./scripts/test.sh

demo:
	./scripts/demo.sh

asan:
	CC=clang cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DWARD_SANITIZE=ON
	cmake --build build-asan -j $(JOBS)
	cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		ctest --output-on-failure -j $(JOBS)

# Side by side with OpenSSL and GnuTLS in one run (about three minutes);
# results as a table and in build/bench.json. Not a test: nothing is timed
# in ctest.
bench:
	./scripts/install-deps.sh bench
	cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build build --target ward_bench -j $(JOBS)
	./build/bench/ward_bench build/bench.json

# Instructions per handshake under callgrind: repeatable on a noisy machine.
bench-instr:
	./scripts/install-deps.sh bench
	cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build build --target ward_bench -j $(JOBS)
	bash bench/instr.sh build/bench/ward_bench 50

# ward tunnel beside stunnel4 and HAProxy (bench/tunnel/run.sh, about six
# minutes): CPU per new connection and per MiB, RSS per idle connection,
# p99 latency; a table of ratios, numbers in build/bench-tunnel.json.
bench-tunnel:
	./scripts/install-deps.sh bench
	cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build build --target ward tunnel_load -j $(JOBS)
	bash bench/tunnel/run.sh build/ward build/tunnel_load build/bench-tunnel.json

# Each libFuzzer target for SECONDS (default 60): make fuzz SECONDS=600
fuzz:
	CC=clang cmake -S . -B build-fuzz -DWARD_FUZZ=ON
	cmake --build build-fuzz --target fuzz_all -j $(JOBS)
	WARD_FUZZ_BUILD=build-fuzz tests/fuzz/run.sh fuzz $${SECONDS:-60}

deps:
	./scripts/install-deps.sh test

clean:
	rm -rf build build-asan build-fuzz
