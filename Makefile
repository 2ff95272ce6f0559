PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench clean constraints docs

# Installs pin every dependency to constraints.txt (the versions the suite passed with).
# Refresh after changing dependencies: `make constraints` (then run `make test` and commit).
$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	@touch $(STAMP)

constraints: $(STAMP)
	$(BIN)/python -m pip install --quiet --upgrade -e ".[dev]"
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^qkdbounds' > constraints.txt
	@echo "constraints.txt refreshed: run make test, then commit it"

# Byte-compile the (editable) sources: an environment with PYTHONDONTWRITEBYTECODE set would
# otherwise recompile every imported module on every CLI call (~0.1-0.2 s per start-up).
# compileall skips files whose bytecode is up to date.
PYC := $(BIN)/python -m compileall -q src

demo: $(STAMP)
	@$(PYC)
	$(BIN)/qkdbounds reproduce --out out/   # (it prints the report's path)

test: $(STAMP)
	@$(PYC)
	$(BIN)/python -m pytest tests

bench: $(STAMP)
	@$(PYC)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) out

# The documentation site (Sphinx, docs/) into docs/_build/html, warnings as errors. Not part of
# `make test`; tests/test_docs_build.py runs the same build when the docs extra is installed.
DOCS_STAMP := $(VENV)/.installed-docs

$(DOCS_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev,docs]"
	@touch $(DOCS_STAMP)

docs: $(DOCS_STAMP)
	$(BIN)/sphinx-build -W --keep-going -b html docs docs/_build/html
	@echo "Docs: $(CURDIR)/docs/_build/html/index.html"
