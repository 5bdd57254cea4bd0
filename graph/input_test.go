package graph_test

import (
	"slices"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/waymark/waymark/graph/generated"
	"github.com/waymark/waymark/store"
)

func schema(t *testing.T) *ast.Schema {
	t.Helper()
	return generated.NewExecutableSchema(generated.Config{}).Schema()
}

// TestDomainEnumsMatchSchema: the enum values the store compares against
// (and checks again) are exactly the schema's, so the store's check is never
// looser or stricter than the edge's.
func TestDomainEnumsMatchSchema(t *testing.T) {
	s := schema(t)
	for name, values := range store.DomainEnums {
		def := s.Types[name]
		if def == nil || def.Kind != ast.Enum {
			t.Errorf("store.DomainEnums has %s, which is not an enum of the schema", name)
			continue
		}
		var want []string
		for _, v := range def.EnumValues {
			want = append(want, v.Name)
		}
		if !slices.Equal(values, want) {
			t.Errorf("store.DomainEnums[%s] = %v, schema has %v", name, values, want)
		}
	}
}

// TestProseFieldsExist: every field store.MultiLine admits line breaks in is
// a String argument or input field of the schema, and every String input
// that is not prose is one line (the default).
func TestProseFieldsExist(t *testing.T) {
	s := schema(t)
	strings := map[string]bool{}
	for _, def := range s.Types {
		if def.Kind == ast.InputObject {
			for _, f := range def.Fields {
				if f.Type.Name() == "String" {
					strings[f.Name] = true
				}
			}
		}
		for _, f := range def.Fields {
			for _, a := range f.Arguments {
				if a.Type.Name() == "String" {
					strings[a.Name] = true
				}
			}
		}
	}
	for _, name := range []string{"description", "howToAccess", "notes", "reason", "sharedOutcomes", "address"} {
		if !store.MultiLine("input."+name) || !strings[name] {
			t.Errorf("%s: want a prose String field of the schema", name)
		}
	}
	for _, name := range []string{"name", "shortName", "email", "phone", "website", "ukprn", "postcode", "text", "code", "after", "role", "status"} {
		if store.MultiLine("input." + name) {
			t.Errorf("%s is prose; want one line", name)
		}
	}
}
