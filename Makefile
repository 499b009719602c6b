# cookiepay: `make demo` walks the whole payment flow against the bundled sandbox; `make test` runs
# every suite. Both install missing system packages when run as root (scripts/need.sh).
SHELL := /bin/bash
export PATH := $(HOME)/.cargo/bin:$(PATH)
CARGO ?= cargo

SANDBOX_BIN := target/release/cookiepay-sandbox
CDYLIB := target/debug/libcookiepay.so
C_TEST := target/c/flow
C_VECTORS := target/c/vectors
BINDINGS := php dotnet java

# What every binding's test.sh and demo.sh run against (bindings/*/README.md).
export COOKIEPAY_LIB := $(CURDIR)/target/release/libcookiepay.so
export COOKIEPAY_SANDBOX_BIN := $(CURDIR)/$(SANDBOX_BIN)
# The Java suite's deliberate-panic test needs an export the shipped library does not have.
TEST_EXPORTS_LIB := target/test-exports/libcookiepay.so
export COOKIEPAY_TEST_EXPORTS_LIB := $(CURDIR)/$(TEST_EXPORTS_LIB)

.PHONY: all build release test test-rust test-dates test-dates-long test-binding-dates test-c test-bindings \
	test-browser test-dist test-php-versions dist install demo demo-rust \
	demo-bindings bench fuzz clean \
	$(addprefix test-,$(BINDINGS)) $(addprefix demo-,$(BINDINGS))

all: build

build:
	@scripts/need.sh gcc:gcc
	$(CARGO) build --release --workspace --locked

## test: every suite (Rust unit + integration, header freshness, fuzz regressions, the date-sensitive
## suites at a list of calendar dates, C under valgrind), then the PHP, C# and Java bindings against the
## release library, the PHP binding on PHP 7.4-8.5 (WebAssembly), the bindings' subscription tests at
## two more dates, the browser tests, the dist/ artifacts
test: test-rust test-dates test-c test-bindings test-php-versions test-binding-dates test-browser test-dist

## test-dates: the date-sensitive Rust suites (core and sandbox: lifecycle, money, billing, Notis,
## payments; the CLI's lifecycle and money) under libfaketime at a fixed list of dates: month ends,
## Feb 28/29, Dec 31, the 6th-14th of several months (scripts/test-dates.sh lists them).
## test-dates-long: every day of YEAR (default 2027): 2,920 suite runs, ~40 min with JOBS=4 on 2 cores.
test-dates:
	@scripts/need.sh gcc:gcc
	scripts/test-dates.sh

YEAR ?= 2027
test-dates-long:
	@scripts/need.sh gcc:gcc
	scripts/test-dates.sh --year $(YEAR)

## test-binding-dates: each binding's subscription tests on a month end and on a leap day: the test
## process (PHP, Mono, the JVM) under libfaketime on that day, and the sandbox clock started on it. The
## bindings' whole suites run on the real day (a shop's clock and CookiePay's agree: a shop that looks
## up "today's" payments must see the sandbox's today). PHP's FFI opens libraries with RTLD_DEEPBIND,
## which binds the core's clock_gettime past libfaketime: the library is preloaded for the PHP run.
BINDING_DATES := 2026-01-31 2028-02-29
test-binding-dates: release
	@scripts/need.sh faketime:faketime
	@for day in $(BINDING_DATES); do \
	  echo "== binding subscription tests on $$day" >&2; \
	  export COOKIEPAY_SANDBOX_CLOCK_START="$$day 10:00:00" FAKETIME_DONT_FAKE_MONOTONIC=1 TZ=UTC \
	    LD_PRELOAD=$$(dpkg -L libfaketime | grep -m1 '/libfaketime.so.1$$') FAKETIME="@$$day 01:00:00"; \
	  LD_PRELOAD="$$LD_PRELOAD $(COOKIEPAY_LIB)" bindings/php/test.sh --filter '/^(CookiePay\\Tests\\)?SubscriptionTest/' || exit 1; \
	  bindings/dotnet/test.sh -run=CookiePay.Tests.LifecycleTests || exit 1; \
	  bindings/java/test.sh -Dtest=SubscriptionTest -Dsurefire.failIfNoSpecifiedTests=false || exit 1; \
	done

release:
	@scripts/need.sh gcc:gcc
	$(CARGO) build --release --locked -p cookiepay -p cookiepay-sandbox

test-bindings: $(addprefix test-,$(BINDINGS))

$(addprefix test-,$(BINDINGS)): test-%: release
	bindings/$*/test.sh

test-java: $(TEST_EXPORTS_LIB)

# A debug build with the `test-exports` feature, copied aside (the next plain build replaces
# target/debug/libcookiepay.so again).
$(TEST_EXPORTS_LIB): FORCE
	$(CARGO) build --locked -p cookiepay --lib --features test-exports
	@mkdir -p $(dir $@)
	cp target/debug/libcookiepay.so $@

## test-rust: formatting and lints as gates, then every Rust test of the workspace (unit, integration
## against the sandbox, header freshness, structure, fuzz regressions)
test-rust:
	@scripts/need.sh gcc:gcc git:git
	@rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt clippy
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings
	$(CARGO) clippy -p cookiepay --lib --features test-exports --locked -- -D warnings
	$(CARGO) build --workspace --locked
	$(CARGO) test --workspace --locked

## test-php-versions: the PHP binding's whole suite on the pure-PHP backend under PHP 7.4, 8.0, 8.1, 8.3,
## 8.4 and 8.5 (PHP's WebAssembly builds from npm, run by Node; installed into target/php-wasm). PHP 8.2
## runs it natively on both backends (test-php). PHP_VERSIONS="7.4 8.5" picks a subset.
test-php-versions: release
	bindings/php/test-versions.sh

## test-browser: the manual's browser path in headless Chromium (HTML/JSP samples, the PHP example
## shop's checkout, the window at 375/1280 px) and its PHP/cURL samples, against the sandbox over
## HTTP and HTTPS. Installs chromium, PHP's curl extension and tests/browser's npm packages if missing.
test-browser: release
	scripts/test-browser.sh

$(SANDBOX_BIN): FORCE
	$(CARGO) build --release --locked -p cookiepay -p cookiepay-sandbox

$(CDYLIB): FORCE
	$(CARGO) build --locked -p cookiepay --lib

$(C_TEST): tests/c/flow.c include/cookiepay.h $(CDYLIB)
	@mkdir -p target/c
	gcc -std=c11 -Wall -Wextra -Werror -g -Iinclude -o $@ tests/c/flow.c -Ltarget/debug -lcookiepay -Wl,-rpath,$(CURDIR)/target/debug

$(C_VECTORS): tests/c/vectors.c tests/c/json.c tests/c/json.h include/cookiepay.h $(CDYLIB)
	@mkdir -p target/c
	gcc -std=c11 -Wall -Wextra -Werror -g -Iinclude -o $@ tests/c/vectors.c tests/c/json.c -Ltarget/debug -lcookiepay -Wl,-rpath,$(CURDIR)/target/debug

## test-c: the C programs in tests/c (the flow, then the contract vectors), each against a fresh
## sandbox, under valgrind (0 leaks, 0 errors)
test-c: $(SANDBOX_BIN) $(C_TEST) $(C_VECTORS)
	@scripts/need.sh gcc:gcc valgrind:valgrind
	scripts/with-sandbox.sh valgrind --quiet --error-exitcode=3 --leak-check=full --suppressions=tests/c/valgrind.supp \
	  --errors-for-leak-kinds=definite --show-leak-kinds=definite $(C_TEST)
	scripts/with-sandbox.sh valgrind --quiet --error-exitcode=3 --leak-check=full --suppressions=tests/c/valgrind.supp \
	  --errors-for-leak-kinds=definite --show-leak-kinds=definite $(C_VECTORS) tests/vectors

## demo: start the sandbox, run the whole authenticated flow (Rust, then each binding's example),
## print each step, stop the sandbox
demo: demo-rust demo-bindings

demo-rust: release
	$(CARGO) build --release --locked --example demo
	scripts/with-sandbox.sh target/release/examples/demo

demo-bindings: $(addprefix demo-,$(BINDINGS))

$(addprefix demo-,$(BINDINGS)): demo-%: release
	bindings/$*/demo.sh

## bench: every client contender in every scenario (updates BENCHMARKS.md, bench/throughput.png), then
## the sandbox's capacity (printed; BENCHMARKS.md keeps its table by hand)
bench:
	bench/run.sh 5 3
	bench/sandbox/run.sh

## fuzz: each cargo-fuzz target for FUZZ_SECONDS (needs the nightly toolchain). A crash found is
## fixed, then its input goes to tests/fuzz-regressions/<target>/, which `make test` replays.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := parse_return ffi_calls answers parse_noti
fuzz:
	@scripts/need.sh g++:g++
	@rustup toolchain list | grep -q '^nightly' || { echo "cargo fuzz needs nightly: rustup toolchain install nightly" >&2; exit 1; }
	@command -v cargo-fuzz >/dev/null || $(CARGO) install cargo-fuzz --locked
	cd fuzz && for t in $(FUZZ_TARGETS); do \
	  $(CARGO) +nightly fuzz run $$t -- -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 || exit 1; \
	done

## dist: the prebuilt libraries for every platform (linux glibc 2.17+ and musl, linux aarch64, Windows
## x64 and x86) and the Composer, jar and NuGet packages that carry them, in dist/ (README, "Install").
## Installs its cross tools (zig, cargo-zigbuild, mingw-w64, Rust targets) when run as root.
## DIST_DIR=out: another output folder (relative to this directory, or absolute).
dist:
	DIST_DIR=$(DIST_DIR) scripts/dist/build.sh

## test-dist: builds its own dist (target/dist-test/dist) of linux-x86_64-gnu, linux-x86_64-musl and
## windows-x86_64, then tries every artifact (tests/dist/run.sh: exports, glibc floor, tests/c/flow.c
## against the glibc-2.17 and musl builds and, under wine, the DLL; the packages; make install).
## DIST_LONG=1 adds windows-x86 and linux-aarch64 (flow.c under qemu): every platform of make dist.
# Relative on purpose, like make dist's default `dist`: the path a fresh clone takes is the one tried.
DIST_TEST_DIR := target/dist-test/dist
DIST_TEST_PLATFORMS := linux-x86_64-gnu linux-x86_64-musl windows-x86_64
test-dist: $(SANDBOX_BIN)
	DIST_DIR=$(DIST_TEST_DIR) scripts/dist/build.sh $(if $(DIST_LONG),,$(DIST_TEST_PLATFORMS))
	DIST_DIR=$(DIST_TEST_DIR) tests/dist/run.sh

## install: the C library (glibc 2.17+ build), header and cookiepay.pc under PREFIX (DESTDIR honoured)
PREFIX ?= /usr/local
DIST_DIR ?= dist
install:
	DIST_DIR=$(DIST_DIR) scripts/dist/install.sh $(PREFIX)

clean:
	$(CARGO) clean

FORCE:
