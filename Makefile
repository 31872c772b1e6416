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

# make run's port: `PORT=8010 make run` when 8000 is taken. The site's address in mail and
# links (SITE_URL, unless set) follows it.
PORT ?= 8000
RUN_ENV = DEBUG=1 SITE_URL="$${SITE_URL:-http://127.0.0.1:$(PORT)}"

## run: install, migrate, load the demo content and serve on http://127.0.0.1:8000 (DEBUG on;
## PORT=8010 for another port), with the background-task worker beside the server (mail
## shows in this console)
run: $(VENV)/.installed-runtime
	mkdir -p "$${TRIALPRESS_VAR_DIR:-var}" && chmod 700 "$${TRIALPRESS_VAR_DIR:-var}"
	$(RUN_ENV) $(PY) manage.py migrate --no-input
	$(RUN_ENV) $(PY) manage.py load_demo
	$(RUN_ENV) $(PY) manage.py rerender_posts
	$(RUN_ENV) $(PY) manage.py rerender_comments
	@echo "=================================================================================="
	@echo " Trialpress: http://127.0.0.1:$(PORT)/   (stop with Ctrl-C)"
	@$(RUN_ENV) $(PY) manage.py ensure_admin
	@echo "=================================================================================="
	$(RUN_ENV) PY=$(PY) bash scripts/with_worker.sh $(PY) manage.py runserver 127.0.0.1:$(PORT)

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
