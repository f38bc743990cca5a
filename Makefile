# The two commands of the README: `make demo` (the main job on the embedded default) and
# `make test` (the whole test suite). Both install what they need first, into .venv.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.tblip2-installed
# the venv's tools first, then those of the site packages it sees
export PATH := $(abspath $(VENV))/bin:$(PATH)

.PHONY: install demo test export-check nbtest pytest clean-data gpu-check

install: $(STAMP)

# --system-site-packages keeps a torch that is already installed (a user's GPU build); on a
# machine without torch, the CPU wheel 2.13.0 goes in first so no CUDA wheels are downloaded.
$(STAMP): setup.py settings.ini
	@test -x $(PY) || python3 -m venv --system-site-packages $(VENV)
	@$(PY) -c "import torch" 2>/dev/null || $(PY) -m pip install "torch==2.13.0"
	$(PY) -m pip install -q -e ".[dev]"
	@touch $@

# the training notebook, headless: synthetic data, tiny BLIP-2, CPU, with the parameters in nbs/demo.yaml; the
# executed notebook, history, scores and plots land in runs/demo, the models in checkpoints/demo
DEMO_PARAMS ?= -f nbs/demo.yaml

# papermill's kernel looks like any notebook's: tell the progress bars to write lines to its log
demo: export TBLIP2_PROGRESS := lines
# portable mode: the weights and the table any x86-64 CPU gives with this torch build, on one thread (nbs/00_portable.ipynb;
# bench/seeds.py does the same); TBLIP2_PORTABLE=0 make demo runs this CPU's own kernels
demo: export TBLIP2_PORTABLE ?= 1
# one CPU thread also then: the numbers do not depend on the core count, and a busy machine does not stall its threads
demo: export OMP_NUM_THREADS ?= 1

demo: install
	tblip2_data --out_dir data/synthetic --sheet plots/sample_sheet.png
	mkdir -p runs/demo
	@# papermill warns of every parameter outside the notebook's short parameters cell; the notebook takes them all
	$(PY) -m papermill nbs/04_train.ipynb runs/demo/train.ipynb -k python3 --log-output --no-progress-bar $(DEMO_PARAMS) \
	  2> >(grep -v --line-buffered '^Passed unknown parameter: ' >&2)
	@echo "test split, runs/demo/test_table.md:"; cat runs/demo/test_table.md

# the generated package must be exactly what the notebooks export
export-check: install
	nbdev_export
	@if git rev-parse --git-dir >/dev/null 2>&1 && [ -n "$$(git status --porcelain -- tblip2)" ]; then \
	  echo "nbdev_export changed tblip2/: the notebooks and the package disagree"; git status --porcelain -- tblip2; exit 1; fi

nbtest: install
	nbdev_test --do_print --timing

# two workers: most tests wait on one single-threaded training or describing process at a time
pytest: install
	$(PY) -m pytest -q -n 2 -p no:benchmark tests

test: export-check nbtest pytest

# on a GPU machine: the full-size step benchmark and a few hundred papermill training steps at full size, tables in
# runs/gpu-check/ (summary.md), sized for 8 minutes on one H200 and not yet run on one (bench/gpu_check.py)
# no install step: a GPU machine keeps its own torch and may reach no package index (the script names what is missing)
gpu-check:
	PYTHONPATH=$(CURDIR) $$(test -x $(PY) && echo $(PY) || echo python3) bench/gpu_check.py
