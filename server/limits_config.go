package main

import (
	"fmt"
	"strconv"

	"github.com/waymark/waymark/graph"
)

// queryLimits are the limits on a GraphQL document beside its cost
// (WAYMARK_COMPLEXITY_LIMIT), and what the server tells strangers about its
// schema.
type queryLimits struct {
	MaxDepth         int  // WAYMARK_MAX_DEPTH
	MaxAliases       int  // WAYMARK_MAX_ALIASES
	MaxRootFields    int  // WAYMARK_MAX_ROOT_FIELDS
	MaxTokens        int  // WAYMARK_MAX_TOKENS
	MaxErrors        int  // WAYMARK_MAX_ERRORS
	MaxDuplicates    int  // WAYMARK_MAX_DUPLICATE_FIELDS
	Introspection    bool // WAYMARK_INTROSPECTION: default on in development, off in production
	FieldSuggestions bool // WAYMARK_FIELD_SUGGESTIONS: default off
}

// loadQueryLimits reads the query limits; c.Production must be known.
func loadQueryLimits(getenv func(string) string, c *config) error {
	q := queryLimits{
		MaxDepth:      graph.DefaultMaxDepth,
		MaxAliases:    graph.DefaultMaxAliases,
		MaxRootFields: graph.DefaultMaxRootFields,
		MaxTokens:     graph.DefaultMaxTokens,
		MaxErrors:     graph.DefaultMaxErrors,
		MaxDuplicates: graph.DefaultMaxDuplicates,
		Introspection: !c.Production,
	}
	for _, s := range []struct {
		name string
		v    *int
		min  int
	}{
		{"WAYMARK_MAX_DEPTH", &q.MaxDepth, 2},
		{"WAYMARK_MAX_ALIASES", &q.MaxAliases, 1},
		{"WAYMARK_MAX_ROOT_FIELDS", &q.MaxRootFields, 1},
		{"WAYMARK_MAX_TOKENS", &q.MaxTokens, 100},
		{"WAYMARK_MAX_ERRORS", &q.MaxErrors, 2},
		{"WAYMARK_MAX_DUPLICATE_FIELDS", &q.MaxDuplicates, 1},
	} {
		if v := getenv(s.name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < s.min {
				return fmt.Errorf("%s=%q: want a number of at least %d", s.name, v, s.min)
			}
			*s.v = n
		}
	}
	for _, s := range []struct {
		name string
		v    *bool
	}{
		{"WAYMARK_INTROSPECTION", &q.Introspection},
		{"WAYMARK_FIELD_SUGGESTIONS", &q.FieldSuggestions},
	} {
		if v := getenv(s.name); v != "" {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return fmt.Errorf("%s=%q: want true or false", s.name, v)
			}
			*s.v = b
		}
	}
	c.QueryLimits = q
	return nil
}

// graphOptions are the GraphQL handler's options from the configuration.
func (c config) graphOptions() graph.Options {
	q := c.QueryLimits
	return graph.Options{
		ComplexityLimit:  c.ComplexityLimit,
		MaxDepth:         q.MaxDepth,
		MaxAliases:       q.MaxAliases,
		MaxRootFields:    q.MaxRootFields,
		MaxTokens:        q.MaxTokens,
		MaxErrors:        q.MaxErrors,
		MaxDuplicates:    q.MaxDuplicates,
		Introspection:    q.Introspection,
		FieldSuggestions: q.FieldSuggestions,
	}
}
