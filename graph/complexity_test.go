package graph

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/waymark/waymark/graph/generated"
)

func testSchema() *ast.Schema {
	return generated.NewExecutableSchema(generated.Config{Resolvers: &Resolver{}}).Schema()
}

// docGen writes random, valid-looking queries against the real schema:
// deep (the schema has cycles: sites → institution → sites …), wide,
// aliased, with @skip and @include, and pages of any size.
type docGen struct {
	schema   *ast.Schema
	r        *rand.Rand
	maxDepth int
	n        int // aliases made so far
}

func (g *docGen) value(t *ast.Type, argName string) (string, bool) {
	if t.Elem != nil {
		v, ok := g.value(t.Elem, argName)
		return "[" + v + "]", ok
	}
	def := g.schema.Types[t.NamedType]
	switch {
	case argName == "first" || argName == "maxSteps":
		return fmt.Sprint([]int{0, 1, 3, 20, 100, 99999999, 2147483647}[g.r.IntN(7)]), true
	case def.Kind == ast.Enum:
		return def.EnumValues[g.r.IntN(len(def.EnumValues))].Name, true
	case t.NamedType == "Int":
		return "2", true
	case t.NamedType == "Float":
		return "1.5", true
	case t.NamedType == "Boolean":
		return "true", true
	case t.NamedType == "ID" || t.NamedType == "String":
		return `"x"`, true
	case t.NamedType == "DateTime":
		return `"2026-01-01T00:00:00Z"`, true
	}
	return "", false // input objects: the field is left out
}

func (g *docGen) args(f *ast.FieldDefinition) (string, bool) {
	var out []string
	for _, a := range f.Arguments {
		if !a.Type.NonNull && a.Name != "first" && g.r.IntN(3) > 0 {
			continue
		}
		v, ok := g.value(a.Type, a.Name)
		if !ok {
			if a.Type.NonNull {
				return "", false
			}
			continue
		}
		out = append(out, a.Name+": "+v)
	}
	if len(out) == 0 {
		return "", true
	}
	return "(" + strings.Join(out, ", ") + ")", true
}

func (g *docGen) directive() string {
	switch g.r.IntN(20) {
	case 0:
		return " @skip(if: true)"
	case 1:
		return " @include(if: false)"
	case 2:
		return " @include(if: $yes)"
	case 3:
		return " @skip(if: $yes)"
	}
	return ""
}

func (g *docGen) selection(def *ast.Definition, depth int) string {
	var b strings.Builder
	b.WriteString("{ __typename")
	var lists []*ast.FieldDefinition // lists of objects, to go deep
	for _, f := range def.Fields {
		if k := g.schema.Types[f.Type.Name()].Kind; f.Type.Elem != nil && (k == ast.Object || k == ast.Interface) {
			lists = append(lists, f)
		}
	}
	width := 1 + g.r.IntN(4)
	for range width {
		if g.n > 400 {
			break // deep rather than huge
		}
		f := def.Fields[g.r.IntN(len(def.Fields))]
		if len(lists) > 0 && g.r.IntN(2) == 0 {
			f = lists[g.r.IntN(len(lists))]
		}
		if strings.HasPrefix(f.Name, "__") {
			continue
		}
		args, ok := g.args(f)
		if !ok {
			continue
		}
		ft := g.schema.Types[f.Type.Name()]
		composite := ft.Kind == ast.Object || ft.Kind == ast.Interface
		if composite && depth >= g.maxDepth {
			continue
		}
		g.n++
		fmt.Fprintf(&b, " a%d: %s%s%s", g.n, f.Name, args, g.directive())
		if composite {
			b.WriteString(" " + g.selection(ft, depth+1))
		}
	}
	b.WriteString(" }")
	return b.String()
}

func (g *docGen) query() string {
	return "query($yes: Boolean!) " + g.selection(g.schema.Query, 1)
}

// smallLists are the lists the domain keeps shorter than a nested list's
// 10 items.
var smallLists = map[string]int64{
	"Threshold.history":            5,
	"ThresholdVersion.nhsServices": 5,
	"ThresholdVersion.hepServices": 5,
	"ThresholdVersion.signOffs":    4,
	"Route.steps":                  8,
}

// rowBound is an independent bound of the work a document asks for: every
// field it resolves, counted once for each item of every list it sits in.
// A nested list counts 10 items (or fewer, smallLists) and a page `first` items
// (default 20), as the cost model assumes; the sum is exact (big.Int).
func rowBound(set ast.SelectionSet, vars map[string]any, times *big.Int) *big.Int {
	sum := new(big.Int)
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if !boundIncluded(s.Directives, vars) {
				continue
			}
			sum.Add(sum, times)
			inner := new(big.Int).Set(times)
			args := s.ArgumentMap(vars)
			switch {
			case s.Definition.Arguments.ForName("first") != nil:
				n := int64(20)
				if v, ok := args["first"].(int64); ok {
					n = v
				}
				inner.Mul(inner, big.NewInt(n))
			case s.Definition.Type.Elem != nil && !(s.Name == "edges" && strings.HasSuffix(s.ObjectDefinition.Name, "Connection")):
				n, ok := smallLists[s.ObjectDefinition.Name+"."+s.Name]
				if !ok {
					n = 10
				}
				inner.Mul(inner, big.NewInt(n))
			}
			sum.Add(sum, rowBound(s.SelectionSet, vars, inner))
		case *ast.InlineFragment:
			sum.Add(sum, rowBound(s.SelectionSet, vars, times))
		case *ast.FragmentSpread:
			sum.Add(sum, rowBound(s.Definition.SelectionSet, vars, times))
		}
	}
	return sum
}

// boundIncluded reads @skip and @include on its own, for the bound.
func boundIncluded(ds ast.DirectiveList, vars map[string]any) bool {
	for _, d := range ds {
		arg := d.Arguments.ForName("if")
		if arg == nil {
			continue
		}
		var b bool
		if arg.Value.Kind == ast.Variable {
			b = vars[arg.Value.Raw].(bool)
		} else {
			b = arg.Value.Raw == "true"
		}
		if d.Name == "skip" && b || d.Name == "include" && !b {
			return false
		}
	}
	return true
}

// checkCost generates one document from seed and checks its cost against
// the bound: never below it, never negative, and saturated exactly when
// the bound does not fit in an int.
func checkCost(t *testing.T, schema *ast.Schema, seed uint64, maxDepth int) (checked bool) {
	t.Helper()
	g := &docGen{schema: schema, r: rand.New(rand.NewPCG(seed, 9)), maxDepth: maxDepth}
	q := g.query()
	doc, errs := gqlparser.LoadQuery(schema, q)
	if errs != nil {
		return false // e.g. two aliases of a field with different arguments in one place
	}
	for _, yes := range []bool{true, false} {
		vars := map[string]any{"yes": yes}
		cost := operationCost(schema, doc.Operations[0], vars)
		bound := rowBound(doc.Operations[0].SelectionSet, vars, big.NewInt(1))
		if cost < 0 {
			t.Fatalf("seed %d: cost %d is negative\n%s", seed, cost, q)
		}
		if bound.IsInt64() && int64(cost) < bound.Int64() {
			t.Fatalf("seed %d: cost %d is below the bound %s\n%s", seed, cost, bound, q)
		}
		if !bound.IsInt64() && cost != math.MaxInt {
			t.Fatalf("seed %d: bound %s does not fit in an int, but cost is %d\n%s", seed, bound, cost, q)
		}
	}
	return true
}

// The cost of any document is at least the number of values it makes the
// server resolve, and never wraps round, however deep or wide it is.
func TestCostIsNeverBelowTheWork(t *testing.T) {
	schema := testSchema()
	n, saturated := 0, 0
	for seed := range uint64(1000) {
		depth := 2 + int(seed%40)
		if checkCost(t, schema, seed, depth) {
			n++
			g := &docGen{schema: schema, r: rand.New(rand.NewPCG(seed, 9)), maxDepth: depth}
			doc, _ := gqlparser.LoadQuery(schema, g.query())
			if operationCost(schema, doc.Operations[0], map[string]any{"yes": true}) == math.MaxInt {
				saturated++
			}
		}
	}
	if n < 500 || saturated == 0 {
		t.Errorf("only %d valid documents, %d saturated: the generator should make more, and some too deep to count", n, saturated)
	}
}

func FuzzOperationCost(f *testing.F) {
	schema := testSchema()
	for _, s := range []uint64{1, 7, 42, 1000} {
		f.Add(s, uint8(30))
	}
	f.Fuzz(func(t *testing.T, seed uint64, depth uint8) {
		checkCost(t, schema, seed, 1+int(depth%60))
	})
}
