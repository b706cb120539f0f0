# The commands the README names. Python 3.11+ is all a machine needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
FLASK := $(BIN)/flask --app app
CATALOGS := $(wildcard tracker/translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGS:.po=.mo)

.PHONY: run test bench translations extract-messages update-messages clean vendor

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

%.mo: %.po
	$(BIN)/pybabel compile -i $< -o $@

translations: $(VENV)/.runtime $(COMPILED)

## run: the demo company on SQLite at http://127.0.0.1:$(PORT)
run: $(VENV)/.runtime translations
	$(FLASK) db upgrade
	$(FLASK) seed-demo --if-empty
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

## test: the whole suite (PostgreSQL too when TEST_DATABASE_URL is set)
test: $(VENV)/.dev translations
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## extract-messages / update-messages: after changing user-facing strings
extract-messages: $(VENV)/.runtime
	$(BIN)/pybabel extract -F tracker/babel.cfg -k _l -k lazy_gettext --ignore-dirs ".*" --no-location --sort-output --width 100 \
		--project Nebenan -o tracker/translations/messages.pot .

update-messages: extract-messages
	$(BIN)/pybabel update -i tracker/translations/messages.pot -d tracker/translations --no-fuzzy-matching --width 100

clean:
	rm -rf $(VENV) .pytest_cache

## vendor: refresh the vendored front-end libraries (needs npm; the app itself never loads a CDN)
SORTABLEJS_VERSION := 1.15.7
vendor:
	rm -rf .vendor-tmp && mkdir -p .vendor-tmp tracker/static/vendor/sortablejs
	cd .vendor-tmp && npm pack --silent sortablejs@$(SORTABLEJS_VERSION) && tar xzf sortablejs-$(SORTABLEJS_VERSION).tgz
	cp .vendor-tmp/package/Sortable.min.js .vendor-tmp/package/LICENSE tracker/static/vendor/sortablejs/
	rm -rf .vendor-tmp

## bench: seeds 1,000 and 10,000 items into SQLite and PostgreSQL, serves them under gunicorn and
## drives them with wrk (apt-get install wrk); writes bench/results.md and the README's table
$(VENV)/.bench: bench/requirements.txt $(VENV)/.dev
	$(BIN)/pip install --quiet -r bench/requirements.txt
	touch $@

bench: $(VENV)/.bench translations
	$(BIN)/python -m bench $(BENCH_ARGS)
