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
	"github.com/waymark/waymark/graph/model"
	"github.com/waymark/waymark/store"
)

// Options tune the GraphQL handler.
type Options struct {
	Logger *slog.Logger
	// ComplexityLimit is the most an operation may cost; see complexity.
	ComplexityLimit int
}

// DefaultComplexityLimit admits a full page of 100 items with a few dozen
// fields each, and refuses pages of pages.
const DefaultComplexityLimit = 50000

// NewHandler serves GraphQL over HTTP: POST for queries, and GET for queries
// only (never mutations), following the GraphQL-over-HTTP specification.
func NewHandler(s *store.Store, opts Options) http.Handler {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.ComplexityLimit == 0 {
		opts.ComplexityLimit = DefaultComplexityLimit
	}
	cfg := generated.Config{Resolvers: &Resolver{Store: s}}
	complexity(&cfg.Complexity)

	srv := handler.New(generated.NewExecutableSchema(cfg))
	srv.AddTransport(transport.Options{})
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	srv.Use(extension.Introspection{})
	srv.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](1000)})
	srv.Use(extension.FixedComplexityLimit(opts.ComplexityLimit))
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

// nestedListSize is the size assumed, for cost, of a nested list such as an
// institution's services.
const nestedListSize = 10

// complexity makes a connection cost its page size times its items' cost,
// and a nested list ten times its items' cost, so that the limit bounds the
// rows an operation can ask for. Lookups of one record (`node`,
// `institution`, `institutionByCode`, …) keep gqlgen's default price: 1
// plus their fields.
func complexity(c *generated.ComplexityRoot) {
	list := func(child int) int { return 1 + nestedListSize*child }
	c.Institution.Sites, c.Institution.Services, c.Institution.Partnerships = list, list, list
	c.Institution.ContactPoints = func(child int, _ *string) int { return list(child) }
	c.Partnership.Members, c.Partnership.Forums, c.Partnership.Leads = list, list, list
	c.Service.ContactPoints, c.Service.Partners, c.Service.OpeningHours = list, list, list
	c.Eligibility.Institutions = list
	c.Query.ContactPoints = func(child int, _, _ string) int { return list(child) }

	pageCost := func(child int, first *int) int {
		n := defaultPageSize
		if first != nil && *first > 0 {
			n = *first
		}
		return 1 + n*child
	}
	c.Query.Institutions = func(child int, _ *model.InstitutionFilter, first *int, _ *string) int {
		return pageCost(child, first)
	}
	c.Query.Services = func(child int, _ *model.ServiceFilter, first *int, _ *string) int {
		return pageCost(child, first)
	}
	c.Query.Partnerships = func(child int, first *int, _ *string) int {
		return pageCost(child, first)
	}
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
