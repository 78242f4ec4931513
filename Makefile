# Konnect: the two commands a newcomer needs (`make up`, `make test`) and their helpers.
SHELL := /bin/bash
PY := .venv/bin/python
export UV_PYTHON_DOWNLOADS := never

.PHONY: install up down reset status logs test lint schemas openapi bench dlq-list dlq-replay

install:            ## install everything missing (Python deps, Kafka jars, PostgreSQL, versitygw, mailpit)
	@bash deploy/local/install.sh

up: install         ## start infra + every service + gateway, seed demo data, print addresses
	@$(PY) -m konnect_devstack up --profile dev

down:               ## stop everything `make up` started
	@[ -x $(PY) ] && $(PY) -m konnect_devstack down --profile dev || true

reset:              ## stop everything and delete the local dev data (databases, topics, mail, objects)
	@[ -x $(PY) ] && $(PY) -m konnect_devstack reset --profile dev || true

status:
	@$(PY) -m konnect_devstack status --profile dev

logs:               ## one log file per process
	@echo "logs: $$($(PY) -m konnect_devstack logs --profile dev)"; tail -n 5 .local/run/dev/logs/*.log

test: install       ## the full suite; starts its own infrastructure (test profile ports)
	@bash deploy/local/run-tests.sh

lint:
	@.venv/bin/ruff check .

schemas:            ## regenerate JSON Schemas + AsyncAPI from the contracts
	@$(PY) -m konnect_contracts.schema_export

openapi:            ## regenerate each service's services/<name>/openapi.json (the gateway merges them)
	@$(PY) -m konnect_kit.openapi_export

bench: install      ## benchmarks; each prints a ratio against a baseline measured in the same run
	@bash deploy/local/run-bench.sh

dlq-list:           ## make dlq-list SERVICE=planning
	@KONNECT_KAFKA_PASSWORD=$${KONNECT_KAFKA_PASSWORD:-dev-kafka-admin} $(PY) -m konnect_kit.dlq list --service $(SERVICE)

dlq-replay:         ## make dlq-replay SERVICE=planning
	@KONNECT_KAFKA_PASSWORD=$${KONNECT_KAFKA_PASSWORD:-dev-kafka-admin} $(PY) -m konnect_kit.dlq replay --service $(SERVICE)
