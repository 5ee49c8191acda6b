# Developer shortcuts; CI runs .ci/run (the README's second command).
PY := .venv/bin/python

.PHONY: install format lint typecheck test bench perf

install:
	python3 -m venv .venv && .venv/bin/pip install -c constraints.txt -e '.[dev]'

format:
	.venv/bin/ruff format . && .venv/bin/ruff check --fix .

lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check .

typecheck:
	.venv/bin/pyright --pythonpath $(PY)

test:
	$(PY) -m pytest

bench:
	.venv/bin/agentmem bench run

perf:
	for b in pipeline_overhead pipeline_parallel pipeline_best_of heuristic_speed judge_overhead runner_throughput resume_kill trace_write memory_add; do \
		echo "== $$b"; $(PY) -m benchmarks.perf.$$b || exit 1; done
