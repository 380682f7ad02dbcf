# Two commands do everything on a fresh machine:
#   make run    set up .venv if needed, then start the bot (Discord with DISCORD_TOKEN, else the console)
#   make test   set up .venv if needed, then type-check (make typecheck) and run the whole test suite
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum requirements.txt | cut -d' ' -f1)

.PHONY: install run test typecheck console bench clean

$(STAMP): requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

run: install
	$(PY) bot.py $(ARGS)

console: install
	$(PY) bot.py console $(ARGS)

test: install typecheck
	$(PY) -m pytest $(PYTEST_ARGS)

# mypy over supportbot/, plugins/ and bot.py, as configured in pyproject.toml.
typecheck: install
	$(PY) -m mypy

bench: install
	$(PY) -m bench.runner && $(PY) -m bench.knowledge && $(PY) -m bench.nlu

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache
