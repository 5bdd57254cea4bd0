package main

import (
	"net/http"

	"github.com/99designs/gqlgen/graphql/playground"
)

// explorerHandler serves the GraphiQL explorer at /.
func explorerHandler() http.Handler {
	return playground.Handler("Waymark explorer", "/graphql")
}
