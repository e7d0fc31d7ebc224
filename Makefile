# Sở KH&CN Bắc Giang — S&T chapter pipeline. `make help` lists the targets.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
KHCN   := $(BIN)/khcn
# A variable given on the command line (a file name, a date), as ONE shell word: make does not
# expand what is inside it ($(value)), the shell sees it in single quotes (a ' inside is closed,
# escaped and reopened), and `--` before a file name stops it being read as an option. A name
# with `$(...)`, a backtick, ; or a leading - is passed through as text, never run.
shq = '$(subst ','\'',$(value $1))'
# Nor are they exported to the commands' environment: exporting would expand them first.
unexport FILE ASOF SIZES STRICT NOCACHE
ASOF_OPT = $(if $(value ASOF),--as-of $(call shq,ASOF),)

.DEFAULT_GOAL := help
.PHONY: help venv forms samples fixtures template report report-nopdf validate check status weekly monthly bench test lint typecheck clean

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | \
	  awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-14s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Cài đặt thư viện vào $(VENV) (lần đầu mất khoảng một phút)..."
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@$(BIN)/python -m compileall -q pipeline  # bytecode now, even where Python may not write it
	@touch $(STAMP)

venv: $(STAMP) ## Create .venv and install the package (done by every target that needs it)

forms: $(STAMP) ## Write blank Excel and Word forms for each unit into outputs/forms
	$(KHCN) forms --out outputs/forms

samples: $(STAMP) ## Rewrite the sample submissions of the 9 units in inputs/
	$(KHCN) samples --inputs inputs

fixtures: $(STAMP) ## Rewrite tests/data/office/ with LibreOffice (needs soffice and python3-uno)
	/usr/bin/python3 tests/data/office/make_fixtures.py

template: $(STAMP) ## Rewrite templates/chapter.docx (the chapter's Word master)
	$(KHCN) template --out templates/chapter.docx

report: $(STAMP) ## Build the chapter and reports from inputs/ into outputs/<date_time> (ASOF=dd/mm/yyyy, STRICT=1, NOCACHE=1)
	$(KHCN) report --inputs inputs --outputs outputs $(ASOF_OPT) $(if $(value STRICT),--strict,) $(if $(value NOCACHE),--no-cache,)

report-nopdf: $(STAMP) ## The same without the PDF
	$(KHCN) report --inputs inputs --outputs outputs --no-pdf $(ASOF_OPT)

validate: $(STAMP) ## Check inputs/ only (no chapter): summary per unit, report in outputs/kiem-tra
	$(KHCN) validate --inputs inputs --outputs outputs $(ASOF_OPT)

check: $(STAMP) ## Let a unit check one file before sending it: make check FILE=path.xlsx
	@test -n $(call shq,FILE) || { echo "Cách dùng: make check FILE=duong/dan/bieu.xlsx"; exit 2; }
	$(KHCN) check --out outputs/kiem-tra -- $(call shq,FILE)

status: $(STAMP) ## Progress of each unit against the deadlines (fast; ASOF=dd/mm/yyyy)
	$(KHCN) status --inputs inputs --outputs outputs $(ASOF_OPT)

weekly: $(STAMP) ## Weekly progress report to the steering committee + reminder letters (ASOF=)
	$(KHCN) progress-report --kind tuan --inputs inputs --outputs outputs $(ASOF_OPT)

monthly: $(STAMP) ## Monthly progress report to the Department of Planning and Investment (ASOF=)
	$(KHCN) progress-report --kind thang --inputs inputs --outputs outputs $(ASOF_OPT)

bench: $(STAMP) ## Benchmark against calamine-only and pandas+openpyxl reads (SIZES=9,100,1000)
	$(KHCN) bench --sizes $(if $(value SIZES),$(call shq,SIZES),9,100,1000)

test: $(STAMP) ## Run the test suite
	$(BIN)/python -m pytest -n auto --dist worksteal --cov --cov-report=term

lint: $(STAMP) ## Run ruff on the package and tests, and check the import layers (import-linter)
	$(BIN)/ruff check pipeline tests
	$(BIN)/lint-imports --no-cache

typecheck: $(STAMP) ## Type-check the package (mypy, strict)
	$(BIN)/mypy

clean: ## Remove the virtual environment and caches (keeps the builds in outputs/)
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache *.egg-info outputs/.cache
