# mnist-anywhere: `make demo` (set-up + train + export + compare) and `make test` (set-up + all tests).
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
# Offline copy of MNIST beside the repo (CI and machines without network); an explicit MNIST_DATA_DIR wins.
ifeq ($(origin MNIST_DATA_DIR), undefined)
  ifneq ($(wildcard ../shared/mnist/t10k-labels-idx1-ubyte.gz),)
    export MNIST_DATA_DIR := $(abspath ../shared/mnist)
  endif
endif
# TensorFlow's C++ log off (CUDA probes on a machine without a GPU read as errors; a real failure
# raises in Python). train/quiet.py hides the import-time absl lines that this cannot reach.
# TF_ENABLE_ONEDNN_OPTS stays as it is: switching oneDNN off changes the numbers.
export TF_CPP_MIN_LOG_LEVEL ?= 3
export PYTHONUNBUFFERED := 1

# $(call stage,TITLE,COMMAND): a header, the command, then the stage's elapsed time (no commas in TITLE).
define stage
	@printf '\n== %s\n' "$(1)"; started=$$(date +%s); $(2) || exit $$?; \
	elapsed=$$(( $$(date +%s) - started )); printf '== %s: done in %d min %02d s\n' "$(1)" $$((elapsed / 60)) $$((elapsed % 60))
endef
# Stages after training were told about non-canonical MNIST files already (train/data.py says it once).
NOTED := MNIST_SHA256_NOTED=1

.PHONY: setup demo test test-fast lint app train export parity compare web bench-web load golden wheel lock clean help

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

setup: $(VENV)/.installed node_modules/.installed web/vendor/.installed web/spec.js /usr/bin/chromium  ## create .venv, install pinned Python + npm deps, vendor runtimes, Chromium

$(VENV)/.installed: requirements.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip==26.3"
	$(PY) -m pip install --quiet --no-deps -r requirements.lock
	$(PY) -m pip check
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

web/vendor/.installed: node_modules/.installed web/build.py $(VENV)/.installed
	$(PY) web/build.py vendor
	touch $@

# The constants JavaScript shares with Python, generated from digits/constants.py (committed).
web/spec.js: digits/constants.py web/build.py $(VENV)/.installed
	$(PY) web/build.py spec

/usr/bin/chromium:
	@echo "Installing Chromium from Debian (needed by the browser tests)…"
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

train: setup  ## train the MLP and the CNN into artifacts/
	$(PY) -m train --model all

export: setup  ## export artifacts/ into web/models/ (ONNX, TF.js, quantized) + manifest
	$(PY) -m export

parity: setup  ## prove every committed export equal to Keras (10,000 test images)
	$(PY) -m pytest -q tests/test_parity.py

golden: setup  ## rewrite tests/golden/preprocess.json from digits/image/
	$(PY) tests/golden/make_golden.py

compare: setup  ## measure every variant: reports/compare.{md,json,png}
	$(PY) -m bench.compare

web: setup  ## write web/spec.js and embed the manifest's models for the static page (file:// needs no fetch)
	$(PY) web/build.py spec models

demo: setup  ## set-up, train both models, export, check parity, build the page, print the comparison
	$(call stage,1/5 Training the MLP and the CNN on MNIST,$(PY) -m train --model all)
	$(call stage,2/5 Exporting every variant: ONNX and TF.js / fp32 and quantized,$(NOTED) $(PY) -m export)
	$(call stage,3/5 Parity: every export against Keras on the 10000 test images,$(NOTED) $(PY) -m pytest -q -p no:cacheprovider tests/test_parity.py)
	$(call stage,4/5 Building the static page,$(PY) web/build.py spec models)
	$(call stage,5/5 Comparing the variants in their own runtimes,$(NOTED) $(PY) -m train.quiet bench.compare)
	@echo
	@echo "Done. Open web/index.html in a browser (double-click works, no network needed),"
	@echo "or run 'make app' for the Streamlit app. Figures: artifacts/*/, reports/compare.md"

test: setup  ## run the whole test suite (slow tests included)
	$(PY) -m pytest

test-fast: setup  ## the test suite without the slow tests
	$(PY) -m pytest -m "not slow"

lint: setup  ## ruff
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

app: setup  ## the Streamlit app
	$(VENV)/bin/streamlit run streamlit_app.py

bench-web: setup  ## page timings in Chromium: reports/bench-web.{md,json}
	$(PY) -m bench.bench_web

load: setup  ## the app under 1, 4 and 8 Chromium sessions (~6 min, stops by itself): reports/load.{md,json}
	$(PY) -m bench.load

wheel: $(VENV)/.installed  ## the edge package: dist/mnist_anywhere-*.whl (digits/ + digits-predict; numpy, onnxruntime, Pillow)
	$(PY) -m pip wheel --quiet --no-deps --no-build-isolation -w dist .
	rm -rf build *.egg-info
	@ls -l dist/*.whl

lock:  ## re-resolve requirements.in into requirements.lock (needs the package index)
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet -r requirements.in
	.lock-venv/bin/pip freeze --all --exclude-editable > requirements.lock
	rm -rf .lock-venv

clean:  ## remove training outputs and the environment (web/models/ stays: it is the release)
	rm -rf artifacts $(VENV) node_modules web/vendor
