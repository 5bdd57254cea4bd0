# Waymark. `make run` serves the seeded directory; `make test` runs every test.
# Both start this checkout's own PostgreSQL when DATABASE_URL is not set, and
# use DATABASE_URL when it is; see server/devdb.sh for where it lives, how
# two commands share it and how signals reach it. Recipes that run under it
# `exec` it, so that make's SIGTERM reaches devdb.sh itself.

GO      ?= go
DEVDB   := ./server/devdb.sh
BIN     := bin/waymark

.PHONY: run test build generate check-generate lint bench stop-db clean-db explorer-assets

build:
	$(GO) build -o $(BIN) ./server

run: build
	@echo "Waymark: GraphQL at http://localhost:$${PORT:-8080}/graphql, explorer at http://localhost:$${PORT:-8080}/ (Ctrl-C stops it and its PostgreSQL)"
	@echo "Sign in for development with a token from: $(BIN) token --role professional|lead|admin [--partnership liverpool] [--institution ljmu] [--name 'Your Name']"
	@echo "  e.g. curl -H \"Authorization: Bearer \$$($(BIN) token --role lead --partnership liverpool)\" -H 'Content-Type: application/json' \\"
	@echo "       -d '{\"query\":\"{ viewer { role partnerships { name } } }\"}' http://localhost:$${PORT:-8080}/graphql"
	@exec $(DEVDB) sh -c '$(BIN) migrate && $(BIN) seed -if-empty && exec $(BIN) serve'

test:
	@exec $(DEVDB) $(GO) test -race -count=1 ./...

# Regenerate the GraphQL executable schema and models from schema.graphqls.
generate:
	$(GO) tool gqlgen generate

# Fails when the committed generated code is not what gqlgen makes now.
check-generate: generate
	@git diff --exit-code -- graph/generated graph/model || \
		{ echo "generated code is stale: run 'make generate' and commit the result" >&2; exit 1; }

lint:
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); exit 1; }

bench:
	@exec $(DEVDB) $(GO) test -run '^$$' -bench . -benchmem ./...

# The local PostgreSQL stops when the last command using it ends; stop-db
# stops one left running (e.g. after kill -9). clean-db also deletes it (it
# is made again on next use). Both refuse while a command still uses it.
stop-db:
	@$(DEVDB) --stop

clean-db:
	@$(DEVDB) --clean

# Refreshes the explorer's GraphiQL and React from the npm registry: the
# versions pinned in server/explorer/refresh.sh, checked against the
# registry's integrity hashes and recorded in server/explorer/npm/SOURCES.
explorer-assets:
	server/explorer/refresh.sh
