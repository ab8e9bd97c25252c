# Klaxon's entry points. `make run` and `make test` set everything up on a fresh Debian/Ubuntu
# machine: missing system packages are installed with apt (as root, or through sudo).

SHELL := /bin/bash
CARGO ?= cargo
# Outside the clone, so CI and later clones reuse the build; any fresh machine builds from zero.
export CARGO_TARGET_DIR ?= $(HOME)/.cache/klaxon/target
# The Tauri CLI bundles the packages: npm's @tauri-apps/cli (a prebuilt binary, installed with the
# window's packages by `ui`) rather than `cargo install tauri-cli`, which takes a fresh 2-core
# machine a quarter of an hour to compile. The config cannot name
# CARGO_TARGET_DIR, so the CLI and tray binaries are staged in the clone's target/ (git ignores it), where
# tauri.conf.json's deb, rpm and macOS `files` map it.
TAURI := $(CURDIR)/ui/node_modules/.bin/tauri
TAURI_FLAGS := --ci --no-sign --no-binary-patching
stage_binaries = mkdir -p target/package && cp $(CARGO_TARGET_DIR)/$(1)/klaxon $(CARGO_TARGET_DIR)/$(1)/klaxon-tray target/package/

# Build: a C compiler for bundled SQLite and ring, ALSA's headers for the audio output. Tests:
# iproute2 for the offline test's network namespaces, python3 for the servers inside them,
# PulseAudio (server, pactl, parec) and ALSA's pulse plugin for the recorded siren tests, and
# dbus-daemon for the desktop-service tests, gnome-keyring and secret-tool for the keyring
# tests, Xvfb, WebKitWebDriver, xdotool and ImageMagick for the window's end-to-end test (tauri-driver comes
# from cargo install), Alertmanager for the Alertmanager source's tests (each test starts its own on
# loopback, so the package's system service is stopped and disabled right after it is installed).
# Bench: taskset (util-linux) pins CPUs. Packages: desktop-file-validate (desktop-file-utils) for
# the installed package's test; the Tauri CLI that bundles them comes from npm (see TAURI).
APT_PACKAGES := build-essential pkg-config libasound2-dev iproute2 python3 python3-aiosmtpd util-linux \
	desktop-file-utils \
	prometheus-alertmanager \
	pulseaudio pulseaudio-utils libasound2-plugins dbus \
	libwebkit2gtk-4.1-dev libayatana-appindicator3-dev librsvg2-dev libxdo-dev nodejs \
	gnome-keyring libsecret-tools xvfb webkit2gtk-driver xdotool imagemagick xclip

.PHONY: run test bench soak deps lint build clean ui fuzz package icons

# The tray app where there is a display; the headless engine where there is none.
run: deps ui
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
	  $(CARGO) build --release -p klaxon-tray -p klaxon-app && $(CARGO_TARGET_DIR)/release/klaxon-app; \
	else \
	  echo "No display: running the headless engine (klaxon run) instead of the tray app."; \
	  $(CARGO) run --release -p klaxon-cli -- run; \
	fi

# After the binaries, a .deb bundled from them (no second build) for tests/tests/package.rs,
# which installs it with apt and purges it again.
test: deps ui lint
	cd ui && npm run lint && npm run check && npm test
	$(CARGO) build -p klaxon-cli -p klaxon-tray -p klaxon-app
	$(call stage_binaries,debug)
	cd src-tauri && $(TAURI) bundle --debug --bundles deb $(TAURI_FLAGS)
	$(CARGO) test --workspace --all-targets

# The installers this machine can build, by Tauri's bundler from tauri.conf.json's `bundle`: a .deb
# and an .rpm (an AppImage needs tools downloaded at bundle time, so it is not among the targets;
# the .dmg and .msi come from the same config on macOS and Windows, see README). `tauri
# build` builds the tray app with tauri/custom-protocol, as it ships; the CLI is built beside it
# and staged where the config maps it to /usr/bin/klaxon. --no-binary-patching: the patch only
# tells Tauri's updater which package it came from (Klaxon has none), and it rewrites the binary
# in place under the target dir.
package: deps ui
	$(CARGO) build --release -p klaxon-cli -p klaxon-tray
	$(call stage_binaries,release)
	cd src-tauri && $(TAURI) build $(TAURI_FLAGS)
	@echo "Packages built:"; find $(CARGO_TARGET_DIR)/release/bundle -maxdepth 2 -newer target/package/klaxon \
	  \( -name '*.deb' -o -name '*.rpm' -o -name '*.app' -o -name '*.dmg' \) -print

# The app's icon at every size the bundles use: a red disc (108/128 of the side) drawn at 4096 px
# and scaled down, the .icns and .ico made by the Tauri CLI. Not part of any build: after
# changing the icon, run it and commit icons/.
icons: ui
	tmp=$$(mktemp -d) && \
	convert -size 4096x4096 xc:none -fill '#dc2626' -draw 'circle 2047.5,2047.5 2047.5,319.5' PNG32:$$tmp/4096.png && \
	convert $$tmp/4096.png -filter Triangle -resize 1024x1024 -strip PNG32:$$tmp/master.png && \
	for s in 16 32 48 64 128 256; do \
	  convert $$tmp/master.png -filter Triangle -resize $${s}x$${s} -strip PNG32:icons/$${s}x$${s}.png; done && \
	convert $$tmp/master.png -filter Triangle -resize 512x512 -strip PNG32:icons/icon.png && \
	$(TAURI) icon $$tmp/master.png -o $$tmp/out >/dev/null 2>&1 && cp $$tmp/out/icon.icns $$tmp/out/icon.ico icons/ && \
	rm -rf $$tmp

# The property tests of every parser that reads outside input (the config, control socket
# lines, the drafts' inputs), with many more cases than the 64 each gets in `make test`.
FUZZ_CASES ?= 10000
fuzz: deps
	PROPTEST_CASES=$(FUZZ_CASES) $(CARGO) test -p klaxon-core --test proptest_config --test proptest_control
	PROPTEST_CASES=$(FUZZ_CASES) $(CARGO) test -p klaxon-core --lib proptests

# The window's files, built into ui/dist (the app embeds them). `npm ci` installs exactly
# what package-lock.json says and never rewrites it, so a fresh clone stays clean. The lock
# lists every platform's optional packages (Windows- and macOS-only ones included): after
# changing package.json, update it with `npm install` and commit it.
ui:
	cd ui && npm ci --no-audit --no-fund && npm run build

# The engine on CPU 0 (the bench's loopback server pins itself to CPU 1).
bench: deps
	$(CARGO) build --release -p klaxon-core --example bench
	taskset -c 0 $(CARGO_TARGET_DIR)/release/examples/bench
	$(CARGO) build --release -p klaxon-core --example siren_bench
	$(CARGO_TARGET_DIR)/release/examples/siren_bench
	$(CARGO) build --release -p klaxon-core --example wake_bench
	$(CARGO_TARGET_DIR)/release/examples/wake_bench
	$(CARGO) build --release -p klaxon-cli
	python3 bench/engine_memory.py
	$(MAKE) --no-print-directory package
	python3 bench/package_size.py
	python3 bench/app_bench.py

# A long messy night: 200 flapping loopback services, kill -9 and restarts, the control socket
# in use; then every logged outage is reconciled against `klaxon history` and the engine's
# memory, open files and threads must have stayed flat (bench/soak.py says how).
SOAK_MINUTES ?= 10
soak: deps
	$(CARGO) build --release -p klaxon-cli
	SOAK_MINUTES=$(SOAK_MINUTES) python3 bench/soak.py

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

build: deps
	$(CARGO) build --release -p klaxon-cli

deps:
	@missing=""; \
	if command -v dpkg-query >/dev/null 2>&1; then \
	  for p in $(APT_PACKAGES); do \
	    dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	  done; \
	  if [ -n "$$missing" ]; then \
	    echo "Installing:$$missing"; \
	    sudo=""; [ "$$(id -u)" = 0 ] || sudo="sudo"; \
	    $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing || exit 1; \
	    case " $$missing " in *" prometheus-alertmanager "*) \
	      $$sudo systemctl disable --now prometheus-alertmanager >/dev/null 2>&1; \
	      $$sudo invoke-rc.d prometheus-alertmanager stop >/dev/null 2>&1; \
	      $$sudo update-rc.d prometheus-alertmanager disable >/dev/null 2>&1; true;; \
	    esac; \
	  fi; \
	else \
	  echo "Not a Debian/Ubuntu machine: install a C compiler yourself (see README)."; \
	fi
	@command -v $(CARGO) >/dev/null || { echo "Rust is missing: install it from rustup.rs"; exit 1; }
	@command -v tauri-driver >/dev/null || [ -x "$${CARGO_HOME:-$$HOME/.cargo}/bin/tauri-driver" ] || \
	  $(CARGO) install tauri-driver --locked

clean:
	$(CARGO) clean
