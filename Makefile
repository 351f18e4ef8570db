# Thin wrapper: the build is CMake; these targets set up a fresh Debian
# machine, build, and run. See README.md.
BUILD      ?= build
BUILD_ASAN ?= build-asan
JOBS       ?= $(shell nproc)
CTEST_ARGS ?=

.PHONY: all deps build release certs run test test-asan fuzz bench bench-scale bench-ui deb clean pot

all: build

deps:
	@.ci/deps.sh

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHEARTH_WERROR=ON
	cmake --build $(BUILD) -j$(JOBS)

# What packagers build: Release with GCC and with clang, warnings as errors
# (CI runs this; tests are built, not run, here).
release: deps
	cmake -S . -B build-release-gcc -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_COMPILER=gcc -DHEARTH_WERROR=ON
	cmake --build build-release-gcc -j$(JOBS)
	cmake -S . -B build-release-clang -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_COMPILER=clang -DHEARTH_WERROR=ON
	cmake --build build-release-clang -j$(JOBS)

certs:
	@certs/mkcerts.sh

# make pot: po/hearth.pot from the marked strings of the source, merged into
# po/zh_CN.po (new msgids untranslated, changed ones fuzzy) to translate.
pot:
	@po/update.sh .

# make run HOST=0.0.0.0 PORT=7444: where the dev server listens. It runs on
# the dev certificates and audit key, named here with --dev (hearthd refuses
# development keys without it).
HOST ?= 127.0.0.1
PORT ?= 7443
DEV_CERTS = certs/dev
run: build certs
	@mkdir -p var
	@echo
	@echo "hearthd starts below on $(HOST):$(PORT) (store in ./var). In another terminal, connect a branch client:"
	@echo
	@echo "  $(BUILD)/hearth init --server $(HOST):$(PORT) --cert $(DEV_CERTS)/branch1.pem --key $(DEV_CERTS)/branch1.key --ca $(DEV_CERTS)/ca.pem && $(BUILD)/hearth whoami"
	@echo
	$(BUILD)/hearthd --dev --listen $(HOST):$(PORT) --data var --cert $(DEV_CERTS)/server.pem \
		--key $(DEV_CERTS)/server.key --ca $(DEV_CERTS)/ca.pem --audit-key $(DEV_CERTS)/audit-ed25519.key \
		--branch b001=第一党支部 --branch b002=第二党支部

test: build certs
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS) $(CTEST_ARGS)

test-asan: deps certs
	cmake -S . -B $(BUILD_ASAN) -DCMAKE_BUILD_TYPE=Debug -DHEARTH_SANITIZE=ON -DHEARTH_WERROR=ON
	cmake --build $(BUILD_ASAN) -j$(JOBS)
	cd $(BUILD_ASAN) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		ctest --output-on-failure -j$(JOBS) $(CTEST_ARGS)

fuzz: deps certs
	tests/fuzz/run.sh $(or $(SECONDS),60)

bench: build certs
	tests/bench/run.sh

# make bench-scale (not in CI): one store grown to 100 k, 1 M and 10 M
# records, the figures that must stay flat at each size (SCALE_SIZES
# overrides the sizes, e.g. SCALE_SIZES="100000 1000000").
bench-scale: build certs
	tests/bench/scale.sh

# make bench-ui: hearth ui on a replica of 10,000 members and 100,000
# records, server-side time of every page and API call (median, p95) beside
# a static asset's, against the goals of issue 14 (a few minutes).
bench-ui: build certs
	tests/bench/ui.sh

# make deb: the hearthd and hearth Debian packages, built by debhelper from
# debian/ (the unit tests run; DEB_BUILD_OPTIONS=nocheck skips them), then
# checked by lintian, which fails the target on any error. dpkg-buildpackage
# writes into the parent directory; the files are moved to build-deb/.
DEB_DIR = build-deb
deb: deps
	@missing=""; for p in debhelper dpkg-dev lintian; do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		if [ "$$(id -u)" -eq 0 ]; then SUDO=""; \
		elif command -v sudo >/dev/null 2>&1; then SUDO=sudo; \
		else echo "make deb: need root or sudo to install:$$missing" >&2; exit 1; fi; \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	dpkg-buildpackage -us -uc -b -j$(JOBS)
	@mkdir -p $(DEB_DIR)
	@v=$$(dpkg-parsechangelog -S Version); a=$$(dpkg --print-architecture); \
	for f in ../hearth_$${v}_$${a}.buildinfo ../hearth_$${v}_$${a}.changes \
		../hearthd_$${v}_$${a}.deb ../hearth_$${v}_$${a}.deb \
		../hearthd-dbgsym_$${v}_$${a}.deb ../hearth-dbgsym_$${v}_$${a}.deb; do \
		[ -e "$$f" ] && mv -f "$$f" $(DEB_DIR)/; \
	done; \
	echo; echo "lintian:"; \
	lintian --fail-on error $(DEB_DIR)/hearth_$${v}_$${a}.changes || exit 1; \
	echo; echo "Debian packages in $(DEB_DIR)/:"; ls -1 $(DEB_DIR)/*.deb

clean:
	rm -rf $(BUILD) $(BUILD_ASAN) build-fuzz build-release-gcc build-release-clang
