package graph

import (
	"context"
	"log/slog"
	"net/http"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/waymark/waymark/graph/generated"
	"github.com/waymark/waymark/store"
)

// Options tune the GraphQL handler. A limit left at 0 takes its default
// (DefaultComplexityLimit, DefaultMaxDepth, …; see limits.go).
type Options struct {
	Logger *slog.Logger
	// ComplexityLimit is the most an operation may cost; see complexity.go.
	ComplexityLimit int
	// MaxDepth is the deepest fields may nest.
	MaxDepth int
	// MaxAliases is the most aliased fields in an operation, fragments expanded.
	MaxAliases int
	// MaxRootFields is the most fields at the top of an operation, fragments expanded.
	MaxRootFields int
	// MaxTokens is the most tokens a document may have.
	MaxTokens int
	// MaxErrors is the most errors in a response.
	MaxErrors int
	// MaxDuplicates is the most times one field may be selected in one place.
	MaxDuplicates int
	// Introspection answers __schema and __type (the explorer needs it).
	Introspection bool
	// FieldSuggestions adds "Did you mean …" to validation errors, which
	// tells a stranger the names of fields they did not know.
	FieldSuggestions bool
}

// NewHandler serves GraphQL over HTTP: POST for queries, and GET for queries
// only (never mutations), following the GraphQL-over-HTTP specification.
func NewHandler(s *store.Store, opts Options) http.Handler {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	opts = opts.withDefaults()
	cfg := generated.Config{Resolvers: &Resolver{Store: s}}

	srv := handler.New(generated.NewExecutableSchema(cfg))
	srv.AddTransport(transport.Options{})
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})
	srv.SetQueryCache(smallOnly(lru.New[*ast.QueryDocument](1000), nil))
	srv.SetParserTokenLimit(opts.MaxTokens)
	srv.SetDisableSuggestion(!opts.FieldSuggestions)
	srv.SetValidationRulesFn(validationRules(opts))
	if opts.Introspection {
		srv.Use(extension.Introspection{})
	}
	srv.Use(extension.AutomaticPersistedQuery{Cache: smallOnly(lru.New[string](1000), func(q string) int { return len(q) })})
	// After persisted queries, which fill in the query: limits measures the
	// document before gqlgen validates it, and prices it before it runs.
	srv.Use(newLimits(opts))
	srv.AroundResponses(capErrors(opts.MaxErrors))
	srv.Use(StrictInput()) // enums exactly as the schema spells them, no NUL or stray control characters
	srv.SetErrorPresenter(presentError(opts.Logger))
	srv.SetRecoverFunc(recoverPanic(opts.Logger))
	srv.AroundOperations(func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		return next(withLoaders(ctx, NewLoaders(s)))
	})
	// Signposting is for students (and a hand-over's is what the student is
	// given): PUBLIC records only, whoever asks, by every path beneath it
	// too (a service's contact points), through loaders of its own so
	// nothing is shared with the caller's view.
	srv.AroundFields(func(ctx context.Context, next graphql.Resolver) (any, error) {
		if fc := graphql.GetFieldContext(ctx); fc != nil && fc.Field.Field != nil &&
			(fc.Object == "Query" && fc.Field.Name == "signpost" || fc.Object == "HandoverPlan" && fc.Field.Name == "signposting") {
			ctx = withLoaders(store.WithViewer(ctx, store.Viewer{}), NewLoaders(s))
		}
		return next(ctx)
	})
	return statusPerSpec(srv)
}

// statusPerSpec makes gqlgen's HTTP statuses follow the GraphQL-over-HTTP
// specification: well-formed requests that asked for application/json get
// 200 even when the document failed validation (gqlgen uses 422; clients
// asking for application/graphql-response+json get 400, also per spec), and
// a mutation sent with GET is 405 Method Not Allowed with a typed error
// (gqlgen answers 406 with an untyped one).
func statusPerSpec(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(&specStatusWriter{ResponseWriter: w, get: r.Method == http.MethodGet}, r)
	})
}

type specStatusWriter struct {
	http.ResponseWriter
	get      bool
	replaced bool
}

const getMutationBody = `{"errors":[{"message":"GET can only run queries: send mutations with POST.","extensions":{"code":"BAD_USER_INPUT"}}],"data":null}`

func (w *specStatusWriter) WriteHeader(code int) {
	switch {
	case code == http.StatusNotAcceptable && w.get:
		w.replaced = true
		w.Header().Set("Allow", "POST")
		w.ResponseWriter.WriteHeader(http.StatusMethodNotAllowed)
		_, _ = w.ResponseWriter.Write([]byte(getMutationBody))
		return
	case code == http.StatusUnprocessableEntity && strings.HasPrefix(w.Header().Get("Content-Type"), "application/json"):
		code = http.StatusOK
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *specStatusWriter) Write(b []byte) (int, error) {
	if w.replaced {
		return len(b), nil // gqlgen's own body, already replaced
	}
	return w.ResponseWriter.Write(b)
}
