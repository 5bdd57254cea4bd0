# Waymark. `make run` serves the seeded directory; `make test` runs every test.
# Both start a project-local PostgreSQL under .data/ when DATABASE_URL is not
# set (see server/devdb.sh), and use DATABASE_URL when it is.

GO      ?= go
DEVDB   := ./server/devdb.sh
BIN     := bin/waymark

.PHONY: run test build generate check-generate lint bench clean-db

build:
	$(GO) build -o $(BIN) ./server

run: build
	@echo "Waymark: GraphQL at http://localhost:$${PORT:-8080}/graphql, explorer at http://localhost:$${PORT:-8080}/ (Ctrl-C stops it)"
	@echo "Sign in for development with a token from: $(BIN) token --role professional|lead|admin [--partnership liverpool] [--institution ljmu] [--name 'Your Name']"
	@echo "  e.g. curl -H \"Authorization: Bearer \$$($(BIN) token --role lead --partnership liverpool)\" -H 'Content-Type: application/json' \\"
	@echo "       -d '{\"query\":\"{ viewer { role partnerships { name } } }\"}' http://localhost:$${PORT:-8080}/graphql"
	@$(DEVDB) sh -c '$(BIN) migrate && $(BIN) seed -if-empty && exec $(BIN) serve'

test:
	@$(DEVDB) $(GO) test -race -count=1 ./...

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
	@$(DEVDB) $(GO) test -run '^$$' -bench . -benchmem ./...

# Deletes the local development database (it is recreated on the next run).
clean-db:
	rm -rf .data
