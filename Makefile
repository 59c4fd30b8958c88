# The two commands of the README, and a few conveniences.
.PHONY: run test check fmt lighthouse bench cluster

run:   ## Build a release and serve http://127.0.0.1:3000 (SQLite, demo data)
	bash scripts/run.sh

test:  ## Every check: fmt, clippy (ssr + hydrate), release build, cargo test, Playwright, schemathesis
	bash scripts/test.sh

check: ## Fast type check of the server side
	cargo check --features ssr

fmt:
	cargo fmt

lighthouse: ## Lighthouse scores (mobile) of / and /trips/1 on a release build
	bash scripts/lighthouse.sh

cluster: ## Three instances on one PostgreSQL database behind nginx on http://127.0.0.1:8080 (Ctrl-C stops all)
	bash scripts/cluster.sh

bench: ## Load benchmarks next to this machine's ceilings; prints a table, writes bench-results.json
	bash scripts/bench.sh
