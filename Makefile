# Trialpress: the only commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip

.PHONY: run test serve bench lint format clean

$(VENV)/.installed-runtime: requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.11+ is required, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed-runtime requirements-dev.txt
	$(PIP) install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

## run: install, migrate, load the demo content and serve on http://127.0.0.1:8000 (DEBUG on),
## with the background-task worker beside the server (mail shows in this console)
run: $(VENV)/.installed-runtime
	mkdir -p "$${TRIALPRESS_VAR_DIR:-var}" && chmod 700 "$${TRIALPRESS_VAR_DIR:-var}"
	DEBUG=1 $(PY) manage.py migrate --no-input
	DEBUG=1 $(PY) manage.py load_demo
	DEBUG=1 $(PY) manage.py rerender_posts
	DEBUG=1 $(PY) manage.py rerender_comments
	@echo "=================================================================================="
	@echo " Trialpress: http://127.0.0.1:8000/   (stop with Ctrl-C)"
	@DEBUG=1 $(PY) manage.py ensure_admin
	@echo "=================================================================================="
	DEBUG=1 PY=$(PY) bash scripts/with_worker.sh $(PY) manage.py runserver 127.0.0.1:8000

## test: install what the tests need and run the whole suite (SQLite, then PostgreSQL)
test: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	bash scripts/install-browser.sh
	bash scripts/test.sh

## serve: the production set-up (the Django deploy: migrate, collectstatic, start gunicorn
## with threaded workers, config/gunicorn.py; DEBUG off, whitenoise) and the background-task
## worker beside it; needs SECRET_KEY etc.
serve: $(VENV)/.installed-runtime
	mkdir -p "$${TRIALPRESS_VAR_DIR:-var}" && chmod 700 "$${TRIALPRESS_VAR_DIR:-var}"
	$(PY) manage.py migrate --no-input
	$(PY) manage.py collectstatic --no-input
	PY=$(PY) bash scripts/with_worker.sh $(VENV)/bin/gunicorn config.wsgi -c config/gunicorn.py

## bench: print render times, query counts, sizes and throughput figures
bench: $(VENV)/.installed-dev
	bash scripts/bench.sh

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) var staticfiles artifacts .pytest_cache
