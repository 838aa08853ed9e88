# Smart Kampung — the two set-up commands are `make demo` and `make test`; both install what
# they need on a fresh Debian 12 machine (run as root).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: demo test tour bench lint voice system-packages venv clean vm-check

system-packages:
	@deploy/dev-packages.sh

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@rm -f $(VENV)/.installed-* && touch $@

venv: system-packages $(STAMP)

# The spoken prompts (espeak-ng → WAV); unchanged ones are skipped.
voice: venv
	$(PY) -m ui.voice build/voice

demo: venv voice
	$(PY) -m ui.demo

test: venv
	$(PY) -m ruff check .
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q -p no:cacheprovider

tour: venv voice
	QT_QPA_PLATFORM=offscreen $(PY) -m ui.tour build/tour
	$(PY) -m backoffice.tour build/tour/staff

bench: venv
	@deploy/bench-packages.sh
	$(PY) -m pip install -q -e '.[dev,bench]'
	QT_QPA_PLATFORM=offscreen $(PY) bench/run.py

lint: venv
	$(PY) -m ruff check .

# The kiosk installed by deploy/install-kiosk.sh into a Debian 12 VM, booted with KVM and checked
# on real systemd and cage (deploy/README.md). Not in `test`: root, /dev/kvm, downloads, ~20 min.
vm-check: venv
	deploy/vm/vm-check.sh

clean:
	rm -rf build var .pytest_cache
