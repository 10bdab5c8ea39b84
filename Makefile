# Every task has a script; `make help` lists them.
.PHONY: help start test lint format messages bench-generate bench demo
help:  ## list the tasks
	@grep -E '^[a-z-]+:.*## ' Makefile | sed 's/:.*## /\t/'
start:  ## install, migrate, load the demo and serve on http://127.0.0.1:8000
	./scripts/start
test:  ## install test tools, lint, run the suite on SQLite and PostgreSQL
	./scripts/test
lint:  ## ruff lint and format check
	.venv/bin/ruff check thesaban tests bench && .venv/bin/ruff format --check thesaban tests bench
format:  ## ruff format
	.venv/bin/ruff format thesaban tests bench && .venv/bin/ruff check --fix thesaban tests bench
messages:  ## extract strings, then compile the th and en catalogues
	cd thesaban && ../.venv/bin/thesaban makemessages -l th -l en --no-obsolete && ../.venv/bin/thesaban compilemessages
demo:  ## (re)load the five demo municipalities
	.venv/bin/thesaban demo --all
bench-generate:  ## generate 1,000,000 reports for the municipality `bench`
	.venv/bin/python bench/generate_reports.py --municipality bench --count 1000000
bench:  ## median times of the map query and the dashboard vs hand-written SQL
	.venv/bin/python bench/bench_reports.py --municipality bench
