package graph

import (
	"encoding/json"
	"math"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/waymark/waymark/store"
)

// What an operation costs.
//
// A field costs about what it makes the server do: one unit for each value
// it resolves, and more for SQL that is not shared with other fields. Every
// field starts at 1; an object adds the cost of its selection; a list of
// objects multiplies its selection's cost by the number of items it may
// hold; a field that runs its own SQL adds that SQL's price. The sums and
// products saturate at the largest int, so no document, however deep, can
// wrap round to a small cost.
const (
	// nestedListSize is the size assumed of a nested list of objects, such
	// as an institution's services: loaders fetch it for every parent in one
	// statement, so it costs its items, not its SQL.
	nestedListSize = 10
	// sqlCost is the price of one SQL statement that a field runs for itself
	// (not batched with other fields by a loader): about as long as
	// resolving a hundred values. Root fields that run SQL cost a multiple
	// of it; see prices.
	sqlCost = 100
	// loaderCost is the price of a root lookup of one record by ID: loaders
	// batch such lookups into one statement, so each is a map lookup.
	loaderCost = 10
	// mutationCost is the price of a mutation: a transaction of several
	// statements, with an audit entry.
	mutationCost = 5 * sqlCost
	// introspectionCost is the flat price of `__schema`, the whole schema
	// built in memory (its nesting is bounded by gqlparser's introspection
	// depth rule).
	introspectionCost = 2000
	// Result sizes assumed for lists that are not pages.
	signpostSize   = 30 // options in a signposting
	routesSize     = 20 // Query.routes returns at most 20 routes
	routeStepsSize = 8  // a route has at most maxSteps (≤ 8) steps
	stepsFromSize  = 20 // hand-overs leading on from one service
	areasSize      = 31 // the catalogue of responsibility areas (31 in the seed); a partnership's thresholds, one an area
	versionsSize   = 5  // versions of one threshold: a handful of rounds of agreement
	carriersSize   = 5  // services carrying one side of a threshold
	signOffsSize   = 4  // sign-offs of a version: one a side, and any voided
	pathwayMapSize = 50 // services and steps in a partnership's pathway map
)

// price is what a field costs, given the cost of one item of its selection
// (child) and its arguments.
type price func(child int, args map[string]any) int

// list prices a field returning up to n items, after one SQL statement
// worth base.
func list(base, n int) price {
	return func(child int, _ map[string]any) int { return satAdd(base, satMul(n, child)) }
}

// page prices a connection: two statements (the page and its totalCount),
// and `first` (default 20) items.
func page(child int, args map[string]any) int {
	return satAdd(2*sqlCost, satMul(pageSize(args["first"]), child))
}

// pageSize is the number of items a `first` argument asks for. Anything
// that is not a whole number from 0 up counts as the largest page: the
// resolver refuses it, but the price never makes it cheap.
func pageSize(v any) int {
	if v == nil {
		return defaultPageSize
	}
	n, ok := toInt(v)
	if !ok || n < 0 {
		return store.MaxPageSize
	}
	return n
}

// prices are the fields priced otherwise than by the general rule
// (1, plus their selection, times nestedListSize for a list of objects).
// Each field that runs SQL of its own is here, with the statements it runs.
var prices = map[string]price{
	// Lookups of one record go through loaders (batched).
	"Query.node":        list(loaderCost, 1),
	"Query.institution": list(loaderCost, 1),
	"Query.service":     list(loaderCost, 1),
	"Query.partnership": list(loaderCost, 1),
	"Query.viewer":      list(loaderCost, 1),
	// One statement each.
	"Query.institutionByCode":      list(sqlCost, 1),
	"Query.contactPoints":          list(sqlCost, nestedListSize),
	"Query.responsibilityAreas":    list(sqlCost, areasSize),
	"Query.nextSteps":              list(2*sqlCost, stepsFromSize),
	"Query.institutions":           page,
	"Query.services":               page,
	"Query.partnerships":           page,
	"Query.auditLog":               page,
	"Query.thresholds":             list(3*sqlCost, areasSize),
	"Query.whoHandles":             list(3*sqlCost, nestedListSize),
	"Query.pathwayMap":             list(4*sqlCost, 1),
	"Query.handover":               list(5*sqlCost, 1),
	"Query.routes":                 list(5*sqlCost, routesSize),
	"Query.signpost":               list(10*sqlCost, signpostSize),
	"HandoverPlan.signposting":     list(1, signpostSize),
	"Route.steps":                  list(1, routeStepsSize),
	"Threshold.history":            list(1, versionsSize),
	"ThresholdVersion.nhsServices": list(1, carriersSize),
	"ThresholdVersion.hepServices": list(1, carriersSize),
	"ThresholdVersion.signOffs":    list(1, signOffsSize),
	"PathwayMap.nodes":             list(1, pathwayMapSize),
	"PathwayMap.edges":             list(1, pathwayMapSize),
	"PathwayMap.deadEnds":          list(1, pathwayMapSize),
	"Query.__schema":               func(int, map[string]any) int { return introspectionCost },
	"Query.__type":                 list(loaderCost, 1),
}

// fieldPrice is the price of field on the object or interface def. A field
// of an interface costs the most it costs on any type implementing it.
func fieldPrice(schema *ast.Schema, def *ast.Definition, f *ast.Field, child int, args map[string]any) int {
	if def.Kind == ast.Interface || def.Kind == ast.Union {
		most := 0
		for _, t := range schema.GetPossibleTypes(def) {
			most = max(most, objectFieldPrice(t.Name, f, child, args))
		}
		if most > 0 {
			return most
		}
	}
	return objectFieldPrice(def.Name, f, child, args)
}

func objectFieldPrice(typeName string, f *ast.Field, child int, args map[string]any) int {
	if p, ok := prices[typeName+"."+f.Name]; ok {
		return p(child, args)
	}
	if typeName == "Mutation" {
		return satAdd(mutationCost, child)
	}
	if f.Name == "edges" && strings.HasSuffix(typeName, "Connection") {
		// A page's items: its connection multiplies by `first`.
		return satAdd(1, child)
	}
	if f.Definition.Type.Elem != nil {
		// A nested list (of scalars or enums, child is 0).
		return satAdd(1, satMul(nestedListSize, child))
	}
	return satAdd(1, child)
}

// operationCost is what op costs with these variables. Fields left out by
// @skip(if: true) or @include(if: false) cost nothing, as they are never
// resolved. The document must have passed validation.
func operationCost(schema *ast.Schema, op *ast.OperationDefinition, vars map[string]any) int {
	w := costWalker{schema: schema, vars: vars, fragments: map[string]int{}}
	return w.selectionSet(op.SelectionSet)
}

type costWalker struct {
	schema    *ast.Schema
	vars      map[string]any
	fragments map[string]int // cost of each named fragment, worked out once
}

func (w *costWalker) selectionSet(set ast.SelectionSet) int {
	total := 0
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if !included(s.Directives, w.vars) || s.Definition == nil || s.ObjectDefinition == nil {
				continue
			}
			child := 0
			if len(s.SelectionSet) > 0 && s.Name != "__schema" {
				child = w.selectionSet(s.SelectionSet)
			}
			total = satAdd(total, fieldPrice(w.schema, s.ObjectDefinition, s, child, s.ArgumentMap(w.vars)))
		case *ast.InlineFragment:
			if included(s.Directives, w.vars) {
				total = satAdd(total, w.selectionSet(s.SelectionSet))
			}
		case *ast.FragmentSpread:
			if !included(s.Directives, w.vars) || s.Definition == nil {
				continue
			}
			c, ok := w.fragments[s.Name]
			if !ok {
				w.fragments[s.Name] = 0 // a cycle (refused by validation) adds nothing
				c = w.selectionSet(s.Definition.SelectionSet)
				w.fragments[s.Name] = c
			}
			total = satAdd(total, c)
		}
	}
	return total
}

// included reports whether @skip and @include let a selection through; as
// in execution, both must. An argument that cannot be read counts as
// included, so it is never cheaper than it might be.
func included(ds ast.DirectiveList, vars map[string]any) bool {
	for _, d := range ds {
		if d.Name != "skip" && d.Name != "include" {
			continue
		}
		arg := d.Arguments.ForName("if")
		if arg == nil || arg.Value == nil {
			continue
		}
		v, err := arg.Value.Value(vars)
		b, ok := v.(bool)
		if err != nil || !ok {
			continue
		}
		if d.Name == "skip" && b || d.Name == "include" && !b {
			return false
		}
	}
	return true
}

// satAdd adds non-negative costs, saturating at the largest int. A
// negative operand counts as 0.
func satAdd(a, b int) int {
	a, b = max(a, 0), max(b, 0)
	if a > math.MaxInt-b {
		return math.MaxInt
	}
	return a + b
}

// satMul multiplies non-negative costs, saturating at the largest int.
func satMul(a, b int) int {
	if a <= 0 || b <= 0 {
		return 0
	}
	if a > math.MaxInt/b {
		return math.MaxInt
	}
	return a * b
}

// toInt reads a whole number however the variables decoded it.
func toInt(v any) (int, bool) {
	switch n := v.(type) {
	case int:
		return n, true
	case int32:
		return int(n), true
	case int64:
		return int(n), true
	case uint64:
		if n > math.MaxInt {
			return math.MaxInt, true
		}
		return int(n), true
	case float64:
		if n != math.Trunc(n) || math.IsInf(n, 0) || math.IsNaN(n) {
			return 0, false
		}
		if n >= math.MaxInt {
			return math.MaxInt, true
		}
		if n <= math.MinInt {
			return math.MinInt, true
		}
		return int(n), true
	case json.Number:
		if i, err := n.Int64(); err == nil {
			return int(i), true
		}
		if f, err := n.Float64(); err == nil {
			return toInt(f)
		}
		if s := n.String(); s != "" && !strings.HasPrefix(s, "-") {
			return math.MaxInt, true
		}
	}
	return 0, false
}
