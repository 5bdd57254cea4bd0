package graph

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator/core"
	"github.com/vektah/gqlparser/v2/validator/rules"
)

// Defaults of the limits in Options, safe for a public service. Each is far
// above what the explorer, the README's examples and the front ends ask for,
// and far below what hurts the server.
const (
	// DefaultComplexityLimit admits a full page of 100 items with a few
	// dozen fields each and a nested list, twenty signpostings, or a
	// partnership's thresholds with their whole history (about 82,000), and
	// refuses pages of pages. See complexity.go for what fields cost.
	DefaultComplexityLimit = 100000
	// DefaultMaxDepth is the deepest fields may nest. Introspection of the
	// schema (GraphiQL's query) nests 13; real queries fewer than 10.
	DefaultMaxDepth = 20
	// DefaultMaxAliases is the most fields an operation may rename with an
	// alias, its fragments expanded.
	DefaultMaxAliases = 50
	// DefaultMaxRootFields is the most fields at the top of an operation,
	// its fragments expanded: each is resolved on its own, with its own SQL.
	DefaultMaxRootFields = 20
	// DefaultMaxTokens is the most tokens (names, punctuation, values) a
	// document may have; GraphiQL's introspection query has about 300.
	DefaultMaxTokens = 5000
	// DefaultMaxErrors is the most errors a response carries; the last one
	// then says how many more there were.
	DefaultMaxErrors = 50
	// DefaultMaxDuplicates is the most copies of one field validation may
	// have to compare with each other: the times one response name is
	// selected in one selection set, fragments expanded, times the copies of
	// each field around it (100 copies of `outOfHoursService`, each with 45
	// copies of `name`, are 4,500 copies of `name` to compare pairwise).
	// Execution merges them, but validation compares each pair: 4,900
	// copies of `name` took 1.3 s (10 s under the race detector) and 280 MB;
	// 100 take half a millisecond.
	DefaultMaxDuplicates = 100
	// maxSchemas and maxTypes bound the introspection one operation may ask
	// for: introspection lists are not priced one by one (complexity.go),
	// and the explorer asks for the schema once.
	maxSchemas, maxTypes = 1, 10
)

// codeLimitExceeded marks our refusals of a request that asks too much;
// presentError shows it as QUERY_TOO_COMPLEX, like gqlgen's own code.
const codeLimitExceeded = "COMPLEXITY_LIMIT_EXCEEDED"

// withDefaults fills in the limits left at zero.
func (o Options) withDefaults() Options {
	set := func(v *int, def int) {
		if *v <= 0 {
			*v = def
		}
	}
	set(&o.ComplexityLimit, DefaultComplexityLimit)
	set(&o.MaxDepth, DefaultMaxDepth)
	set(&o.MaxAliases, DefaultMaxAliases)
	set(&o.MaxRootFields, DefaultMaxRootFields)
	set(&o.MaxTokens, DefaultMaxTokens)
	set(&o.MaxErrors, DefaultMaxErrors)
	set(&o.MaxDuplicates, DefaultMaxDuplicates)
	return o
}

// limits refuses, before any resolver runs, an operation that asks more than
// Options allow: its document is measured before gqlgen validates it (so
// validation, which can be slow on huge documents, only ever sees small
// ones), and its cost once its variables are known.
type limits struct {
	opts   Options
	schema *ast.Schema
	// checked holds queries whose shape was found within the limits, so a
	// query a client sends again is not parsed twice.
	checked graphql.Cache[bool]
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
	graphql.OperationContextMutator
} = &limits{}

func newLimits(opts Options) *limits {
	return &limits{opts: opts, checked: smallOnly(lru.New[bool](1000), nil)}
}

func (*limits) ExtensionName() string { return "WaymarkLimits" }

func (l *limits) Validate(es graphql.ExecutableSchema) error {
	l.schema = es.Schema()
	return nil
}

func tooComplex(format string, args ...any) *gqlerror.Error {
	err := gqlerror.Errorf(format, args...)
	errcode.Set(err, codeLimitExceeded)
	return err
}

// MutateOperationParameters measures the document, before gqlgen parses
// and validates it (and after persisted queries have filled it in).
func (l *limits) MutateOperationParameters(ctx context.Context, params *graphql.RawParams) *gqlerror.Error {
	if params.Query == "" {
		return nil
	}
	if ok, _ := l.checked.Get(ctx, params.Query); ok {
		return nil
	}
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: params.Query}, l.opts.MaxTokens)
	if err != nil {
		msg := err.Error()
		switch {
		case strings.Contains(msg, "exceeded token limit"):
			return tooComplex("the document has more than %d tokens (names, punctuation and values), the limit", l.opts.MaxTokens)
		case strings.Contains(msg, "exceeded maximum nesting depth"):
			return tooComplex("fields nest more than %d deep, deeper than the limit of %d", parser.MaxNestingDepth, l.opts.MaxDepth)
		}
		return nil // gqlgen reports the syntax error
	}
	if gerr := l.checkDocument(doc); gerr != nil {
		return gerr
	}
	l.checked.Add(ctx, params.Query, true)
	return nil
}

// checkDocument applies the limits on a document's shape to each of its
// operations, fragments expanded. It runs before validation, so it copes
// with unknown and cyclic fragments, which validation then reports.
func (l *limits) checkDocument(doc *ast.QueryDocument) *gqlerror.Error {
	m := shapeMeter{doc: doc, fragments: map[string]*shape{}, names: map[string]map[string]int{}}
	for _, op := range doc.Operations {
		s := m.selectionSet(op.SelectionSet)
		switch {
		case s.introspection && !l.opts.Introspection:
			// Not a matter of cost: presented as BAD_USER_INPUT.
			return gqlerror.Errorf("Introspection (__schema and __type) is turned off on this server.")
		case s.depth > l.opts.MaxDepth:
			return tooComplex("fields nest %d deep, deeper than the limit of %d", s.depth, l.opts.MaxDepth)
		case s.rootFields > l.opts.MaxRootFields:
			return tooComplex("the operation has %d fields at its top level, more than the limit of %d", s.rootFields, l.opts.MaxRootFields)
		case s.duplicates > l.opts.MaxDuplicates:
			return tooComplex("one field is selected %s times in one place (counting the copies of the fields around it), more than the limit of %d",
				count(s.duplicates), l.opts.MaxDuplicates)
		case s.schemas > maxSchemas || s.types > maxTypes:
			return tooComplex("the operation asks for __schema %d times and __type %d times; the limits are %d and %d",
				s.schemas, s.types, maxSchemas, maxTypes)
		case s.aliases > l.opts.MaxAliases:
			return tooComplex("the operation has %d aliases, more than the limit of %d", s.aliases, l.opts.MaxAliases)
		case s.fields > l.opts.ComplexityLimit:
			// Every field costs at least 1.
			return tooComplex("the operation selects %s fields once its fragments are expanded, more than its complexity limit of %d",
				count(s.fields), l.opts.ComplexityLimit)
		}
	}
	return nil
}

func count(n int) string {
	if n == math.MaxInt {
		return "too many to count"
	}
	return fmt.Sprint(n)
}

// shape is what the limits measure of a selection set, fragments expanded.
type shape struct {
	depth         int  // fields nested, 1 for a selection of scalars
	rootFields    int  // fields at this level
	aliases       int  // aliased fields at any level
	fields        int  // fields at any level
	duplicates    int  // most copies of one field, times the copies of the fields around it
	schemas       int  // __schema fields
	types         int  // __type fields
	introspection bool // selects __schema or __type
}

// add merges a fragment's shape into the selection set that spreads it.
func (s *shape) add(o shape) {
	s.depth = max(s.depth, o.depth)
	s.rootFields = satAdd(s.rootFields, o.rootFields)
	s.aliases = satAdd(s.aliases, o.aliases)
	s.fields = satAdd(s.fields, o.fields)
	s.duplicates = max(s.duplicates, o.duplicates)
	s.schemas = satAdd(s.schemas, o.schemas)
	s.types = satAdd(s.types, o.types)
	s.introspection = s.introspection || o.introspection
}

type shapeMeter struct {
	doc       *ast.QueryDocument
	fragments map[string]*shape // measured once each; nil while being measured
	// names counts the response names at the top of each fragment (its
	// inline fragments and spreads expanded); nil while being counted.
	names map[string]map[string]int
}

// responseNames counts the fields selected at the level of set under each
// response name, as validation and execution merge them.
func (m *shapeMeter) responseNames(set ast.SelectionSet, into map[string]int) {
	for _, sel := range set {
		switch f := sel.(type) {
		case *ast.Field:
			into[f.Alias] = satAdd(into[f.Alias], 1)
		case *ast.InlineFragment:
			m.responseNames(f.SelectionSet, into)
		case *ast.FragmentSpread:
			counts, seen := m.names[f.Name]
			if !seen {
				def := m.doc.Fragments.ForName(f.Name)
				if def == nil {
					continue
				}
				m.names[f.Name] = nil
				counts = map[string]int{}
				m.responseNames(def.SelectionSet, counts)
				m.names[f.Name] = counts
			}
			for k, n := range counts {
				into[k] = satAdd(into[k], n)
			}
		}
	}
}

func (m *shapeMeter) selectionSet(set ast.SelectionSet) shape {
	var s shape
	counts := map[string]int{}
	m.responseNames(set, counts)
	for _, n := range counts {
		s.duplicates = max(s.duplicates, n)
	}
	for _, sel := range set {
		switch f := sel.(type) {
		case *ast.Field:
			child := m.selectionSet(f.SelectionSet)
			s.depth = max(s.depth, child.depth+1)
			s.rootFields = satAdd(s.rootFields, 1)
			s.aliases = satAdd(s.aliases, child.aliases)
			if f.Alias != "" && f.Alias != f.Name {
				s.aliases = satAdd(s.aliases, 1)
			}
			s.fields = satAdd(s.fields, satAdd(child.fields, 1))
			// Validation merges the fields under every copy of f: each
			// duplicate below counts once for each copy of f.
			s.duplicates = max(s.duplicates, satMul(max(counts[f.Alias], 1), child.duplicates))
			s.schemas = satAdd(s.schemas, child.schemas)
			s.types = satAdd(s.types, child.types)
			switch f.Name {
			case "__schema":
				s.schemas = satAdd(s.schemas, 1)
			case "__type":
				s.types = satAdd(s.types, 1)
			}
			s.introspection = s.introspection || child.introspection || f.Name == "__schema" || f.Name == "__type"
		case *ast.InlineFragment:
			s.add(m.selectionSet(f.SelectionSet))
		case *ast.FragmentSpread:
			fs, seen := m.fragments[f.Name]
			if !seen {
				def := m.doc.Fragments.ForName(f.Name)
				if def == nil {
					continue // unknown: validation says so
				}
				m.fragments[f.Name] = nil
				v := m.selectionSet(def.SelectionSet)
				fs = &v
				m.fragments[f.Name] = fs
			}
			if fs != nil { // nil: a cycle, which validation refuses
				s.add(*fs)
			}
		}
	}
	return s
}

// MutateOperationContext refuses an operation that costs more than the
// limit with its variables, before any resolver runs.
func (l *limits) MutateOperationContext(_ context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	cost := operationCost(l.schema, opCtx.Operation, opCtx.Variables)
	opCtx.Stats.SetExtension("ComplexityLimit", &extension.ComplexityStats{Complexity: cost, ComplexityLimit: l.opts.ComplexityLimit})
	if cost > l.opts.ComplexityLimit {
		if cost == math.MaxInt {
			return tooComplex("the operation's complexity is too large to count, over the limit of %d", l.opts.ComplexityLimit)
		}
		return tooComplex("operation has complexity %d, which exceeds the limit of %d", cost, l.opts.ComplexityLimit)
	}
	return nil
}

// validationRules are gqlparser's rules, without suggestions ("Did you mean
// …") unless opts allow them, and stopping at opts.MaxErrors errors: the
// last then says how many more there were. rulesFn is called for each
// document validated, so the count is the document's.
func validationRules(opts Options) func() *rules.Rules {
	return func() *rules.Rules {
		base := rules.NewDefaultRules()
		if !opts.FieldSuggestions {
			for _, r := range []core.Rule{
				rules.FieldsOnCorrectTypeRuleWithoutSuggestions,
				rules.ScalarLeafsRuleWithoutSuggestions,
				rules.KnownArgumentNamesRuleWithoutSuggestions,
				rules.KnownTypeNamesRuleWithoutSuggestions,
				rules.ValuesOfCorrectTypeRuleWithoutSuggestions,
			} {
				base.RemoveRule(strings.TrimSuffix(r.Name, "WithoutSuggestions"))
				base.AddRule(r.Name, r.RuleFunc)
			}
		}
		var (
			n      int
			marker *gqlerror.Error
		)
		out := rules.NewRules()
		for name, rule := range base.GetInner() {
			out.AddRule(name, func(observers *core.Events, addError core.AddErrFunc) {
				rule(observers, func(options ...core.ErrorOption) {
					n++
					switch {
					case n < opts.MaxErrors:
						addError(options...)
					case n == opts.MaxErrors:
						addError(func(e *gqlerror.Error) { marker = e })
						fallthrough
					default:
						marker.Message = moreErrors(n - opts.MaxErrors + 1)
					}
				})
			})
		}
		return out
	}
}

func moreErrors(n int) string {
	if n == 1 {
		return "…and 1 more error, not shown."
	}
	return fmt.Sprintf("…and %d more errors, not shown.", n)
}

// capErrors keeps at most max errors in a response, the last saying how
// many more there were.
func capErrors(max int) graphql.ResponseMiddleware {
	return func(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
		resp := next(ctx)
		if resp == nil || len(resp.Errors) <= max {
			return resp
		}
		omitted := resp.Errors[max-1:]
		summary := &gqlerror.Error{Message: moreErrors(len(omitted)), Extensions: map[string]any{}}
		if code, ok := omitted[0].Extensions["code"]; ok {
			summary.Extensions["code"] = code
		}
		resp.Errors = append(resp.Errors[:max-1:max-1], summary)
		return resp
	}
}

// maxCachedQuery is the longest query text the caches keep (bytes).
// Queries worth caching are a few kilobytes (GraphiQL's introspection query
// is 2 KB); a cache of 1,000 one-megabyte queries, padded with comments,
// would hold a gigabyte.
const maxCachedQuery = 32 << 10

// smallOnly is cache c keeping only entries whose key (a query's text or
// hash) and value (sizeOf it; nil: the key alone counts) are at most
// maxCachedQuery bytes; larger ones are worked out afresh each time.
func smallOnly[T any](c graphql.Cache[T], sizeOf func(T) int) graphql.Cache[T] {
	return &sizeCapped[T]{c, sizeOf}
}

type sizeCapped[T any] struct {
	graphql.Cache[T]
	sizeOf func(T) int
}

func (c *sizeCapped[T]) Add(ctx context.Context, key string, value T) {
	if len(key) > maxCachedQuery || c.sizeOf != nil && c.sizeOf(value) > maxCachedQuery {
		return
	}
	c.Cache.Add(ctx, key, value)
}
