PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test bench clean

# Create the virtual environment and install copytrace with its test and benchmark extras.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,bench]'
	@echo "compiling copytrace's kernels with numba (once per install, about 20 s)"
	$(BIN)/python -c "from copytrace.fingerprint import load_kernels; load_kernels()"
	touch $(STAMP)

# Scan the bundled sample corpora and show what was found: reuse, one pair side by side, then
# who copied whom (site statistics and the copy tree of one article).
demo: $(STAMP)
	$(BIN)/copytrace scan examples/sample.jsonl --out demo-workspace
	$(BIN)/copytrace compare examples/pair/reuters-original.txt examples/pair/copy-site.txt
	$(BIN)/copytrace scan examples/cascades.jsonl --out demo-cascades --quiet
	$(BIN)/copytrace sites demo-cascades --limit 11
	$(BIN)/copytrace trace demo-cascades c009-42-newsfront24

test: $(STAMP)
	$(BIN)/python -m pytest -q

# Accuracy and speed benchmarks; JSON results go to benchmarks/results/.
bench: $(STAMP)
	$(BIN)/python -m benchmarks.accuracy
	$(BIN)/python -m benchmarks.edits
	$(BIN)/python -m benchmarks.chains
	$(BIN)/python -m benchmarks.speed
	$(BIN)/python -m benchmarks.semeval
	$(BIN)/python -m benchmarks.extraction
	$(BIN)/python -m benchmarks.warc_speed

clean:
	rm -rf $(VENV) demo-workspace demo-cascades benchmarks/work
