PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test bench clean

# Create the virtual environment and install copytrace with its test, benchmark, Spark and notebook
# extras (pyspark: the Spark engine's tests run it in local mode, on the machine's Java 17; pandas,
# polars and DuckDB for reading workspaces in notebooks).
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,bench,spark,notebook]'
	@echo "compiling copytrace's kernels with numba (once per install, about 20 s)"
	$(BIN)/python -c "from copytrace.kernels import load_kernels; load_kernels()"
	touch $(STAMP)

# Scan the bundled sample corpora and show what was found: reuse, one pair side by side, then
# who copied whom (site statistics and the copy tree of one article), and write the HTML report.
demo: $(STAMP)
	$(BIN)/copytrace scan examples/sample.jsonl --out demo-workspace
	$(BIN)/copytrace compare examples/pair/reuters-original.txt examples/pair/copy-site.txt
	$(BIN)/copytrace scan examples/cascades.jsonl --out demo-cascades --quiet
	$(BIN)/copytrace sites demo-cascades --limit 11
	$(BIN)/copytrace trace demo-cascades c009-42-newsfront24
	$(BIN)/copytrace report demo-cascades --out demo-report --quiet
	@echo "Open demo-report/index.html in a browser, or browse with: $(BIN)/copytrace serve demo-cascades"

# The browser tests drive Debian's Chromium headless (Playwright, with no browser download).
CHROMIUM := /usr/bin/chromium

$(CHROMIUM):
	@echo "installing Debian's chromium for the browser tests"
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null

test: $(STAMP) $(CHROMIUM)
	$(BIN)/python -m pytest -q

# Accuracy, speed and scale benchmarks (the scale curve and the add timing end at a million documents:
# about 40 min and 15 GB of disk the first time); JSON results go to benchmarks/results/.
bench: $(STAMP)
	$(BIN)/python -m benchmarks.accuracy
	$(BIN)/python -m benchmarks.accuracy --shared-footers
	$(BIN)/python -m benchmarks.realpages
	$(BIN)/python -m benchmarks.page_times
	$(BIN)/python -m benchmarks.edits
	$(BIN)/python -m benchmarks.chains
	$(BIN)/python -m benchmarks.speed
	$(BIN)/python -m benchmarks.startup
	$(BIN)/python -m benchmarks.languages
	$(BIN)/python -m benchmarks.multilingual
	$(BIN)/python -m benchmarks.translations
	$(BIN)/python -m benchmarks.translations --scan
	$(BIN)/python -m benchmarks.stories
	$(BIN)/python -m benchmarks.semeval
	$(BIN)/python -m benchmarks.extraction
	$(BIN)/python -m benchmarks.warc_speed
	$(BIN)/python -m benchmarks.report
	$(BIN)/python -m benchmarks.scale
	$(BIN)/python -m benchmarks.add
	$(BIN)/python -m benchmarks.spark
	$(BIN)/python -m benchmarks.reliability --serve-sizes 100000 1000000

clean:
	rm -rf $(VENV) demo-workspace demo-cascades demo-report benchmarks/work test-artifacts
