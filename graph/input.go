package graph

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/waymark/waymark/store"
)

// Strict input, checked once at the edge, after gqlgen has parsed and
// validated the document and coerced its variables and before any resolver
// runs:
//
//   - every enum value, whether written inline, passed in a variable, in a
//     list or inside an input object, is exactly one of the schema's values.
//     gqlparser compares enum *variables* without regard to case
//     (validator/vars.go uses strings.EqualFold) and gqlgen.yml maps enums
//     to plain strings, so without this check {"consent": "given"} would
//     reach the domain as "given", which matches none of the values the
//     code compares against;
//   - every String and ID value obeys store.TextProblem: no NUL, no bytes
//     that are not UTF-8, and no control characters, except tab and line
//     breaks in prose fields (store.MultiLine).
//
// A value that breaks a rule refuses the whole request with
// BAD_USER_INPUT and extensions.field, the argument's input path
// ("consent", "input.capacityStatus", "filter.text"), as variable coercion
// errors are: nothing is executed.

// StrictInput returns the handler extension that enforces strict input.
func StrictInput() graphql.HandlerExtension { return &strictInput{} }

type strictInput struct{ schema *ast.Schema }

var (
	_ graphql.HandlerExtension        = &strictInput{}
	_ graphql.OperationContextMutator = &strictInput{}
)

func (*strictInput) ExtensionName() string { return "StrictInput" }

func (s *strictInput) Validate(es graphql.ExecutableSchema) error {
	s.schema = es.Schema()
	return nil
}

func (s *strictInput) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	w := inputWalker{schema: s.schema, vars: oc.Variables, fragments: map[string]bool{}, variables: map[string]bool{}}
	w.selections(oc.Operation.SelectionSet)
	if w.err == nil {
		return nil
	}
	err := &gqlerror.Error{Err: w.err, Message: w.err.Error()}
	if w.pos != nil {
		err.Locations = []gqlerror.Location{{Line: w.pos.Line, Column: w.pos.Column}}
	}
	// A request error, like a variable that does not fit its type: HTTP 400
	// for application/graphql-response+json, no data.
	errcode.Set(err, errcode.ValidationFailed)
	return err
}

// inputWalker visits every argument value of an operation, stopping at the
// first value that breaks a rule. Each fragment and each variable (at each
// type) is visited once, however often it is used, so the walk is linear in
// the size of the request.
type inputWalker struct {
	schema    *ast.Schema
	vars      map[string]any
	fragments map[string]bool
	variables map[string]bool
	err       error
	pos       *ast.Position
}

func (w *inputWalker) fail(pos *ast.Position, field, format string, args ...any) {
	if w.err == nil {
		w.err, w.pos = store.BadInput(field, format, args...), pos
	}
}

func (w *inputWalker) selections(set ast.SelectionSet) {
	for _, sel := range set {
		if w.err != nil {
			return
		}
		switch sel := sel.(type) {
		case *ast.Field:
			w.directives(sel.Directives)
			if sel.Definition != nil {
				w.arguments(sel.Arguments, sel.Definition.Arguments)
			}
			w.selections(sel.SelectionSet)
		case *ast.InlineFragment:
			w.directives(sel.Directives)
			w.selections(sel.SelectionSet)
		case *ast.FragmentSpread:
			w.directives(sel.Directives)
			if sel.Definition != nil && !w.fragments[sel.Name] {
				w.fragments[sel.Name] = true
				w.selections(sel.Definition.SelectionSet)
			}
		}
	}
}

func (w *inputWalker) directives(ds ast.DirectiveList) {
	for _, d := range ds {
		if d.Definition != nil {
			w.arguments(d.Arguments, d.Definition.Arguments)
		}
	}
}

func (w *inputWalker) arguments(args ast.ArgumentList, defs ast.ArgumentDefinitionList) {
	for _, a := range args {
		if def := defs.ForName(a.Name); def != nil {
			w.literal(a.Value, def.Type, a.Name)
		}
	}
}

// literal checks a value as written in the document, of type typ, at the
// input path field.
func (w *inputWalker) literal(v *ast.Value, typ *ast.Type, field string) {
	if v == nil || typ == nil || w.err != nil {
		return
	}
	switch v.Kind {
	case ast.NullValue:
		return
	case ast.Variable:
		key := v.Raw + " " + typ.String()
		if w.variables[key] {
			return
		}
		w.variables[key] = true
		if val, ok := w.vars[v.Raw]; ok {
			w.value(val, typ, field, v.Position)
		} else if v.VariableDefinition != nil {
			w.literal(v.VariableDefinition.DefaultValue, typ, field)
		}
		return
	}
	if typ.Elem != nil {
		if v.Kind != ast.ListValue {
			w.literal(v, typ.Elem, field) // a single value where a list is expected
			return
		}
		for _, c := range v.Children {
			w.literal(c.Value, typ.Elem, field)
		}
		return
	}
	def := w.schema.Types[typ.NamedType]
	if def == nil {
		return
	}
	if def.Kind != ast.InputObject {
		w.leaf(def, v.Raw, true, field, v.Position)
		return
	}
	for _, c := range v.Children {
		if fd := def.Fields.ForName(c.Name); fd != nil {
			w.literal(c.Value, fd.Type, field+"."+c.Name)
		}
	}
}

// value checks a variable's coerced value, of type typ, at the input path field.
func (w *inputWalker) value(val any, typ *ast.Type, field string, pos *ast.Position) {
	if val == nil || typ == nil || w.err != nil {
		return
	}
	if typ.Elem != nil {
		rv := reflect.ValueOf(val)
		if rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array {
			w.value(val, typ.Elem, field, pos)
			return
		}
		for i := 0; i < rv.Len() && w.err == nil; i++ {
			w.value(rv.Index(i).Interface(), typ.Elem, field, pos)
		}
		return
	}
	def := w.schema.Types[typ.NamedType]
	if def == nil {
		return
	}
	if def.Kind != ast.InputObject {
		s, ok := val.(string)
		w.leaf(def, s, ok, field, pos)
		return
	}
	m, _ := val.(map[string]any)
	for _, fd := range def.Fields {
		if fv, ok := m[fd.Name]; ok {
			w.value(fv, fd.Type, field+"."+fd.Name, pos)
		}
	}
}

// leaf checks a value of an enum or scalar type def: an enum value is
// exactly one of def's values, case included; a String or ID obeys the text
// rules. isString is false when the value is not a string (a number, say).
func (w *inputWalker) leaf(def *ast.Definition, s string, isString bool, field string, pos *ast.Position) {
	switch {
	case def.Kind == ast.Enum && !isString:
		w.fail(pos, field, "is not a %s: use one of %s", def.Name, enumValues(def))
	case def.Kind == ast.Enum && def.EnumValues.ForName(s) == nil:
		w.fail(pos, field, "%s is not a %s: use one of %s, written exactly so (capital letters)",
			quoteValue(s), def.Name, enumValues(def))
	case def.Kind == ast.Scalar && isString && isText(def.Name):
		w.text(s, field, pos)
	}
}

func (w *inputWalker) text(s, field string, pos *ast.Position) {
	if p := store.TextProblem(field, s); p != "" {
		w.fail(pos, field, "%s", p)
	}
}

// isText reports whether a scalar is free text that reaches the domain as a string.
func isText(scalar string) bool { return scalar == "String" || scalar == "ID" }

func enumValues(def *ast.Definition) string {
	names := make([]string, len(def.EnumValues))
	for i, v := range def.EnumValues {
		names[i] = v.Name
	}
	return strings.Join(names, ", ")
}

// quoteValue quotes a value for an error message, shortened and with any
// control character escaped.
func quoteValue(s string) string {
	if r := []rune(s); len(r) > 40 {
		s = string(r[:40]) + "…"
	}
	return fmt.Sprintf("%q", s)
}

// variableField is the input path ("consent", "filter.needs") of the
// argument that uses the variable a coercion error is about: gqlparser
// reports such errors with the path [variable, name, …] and no field. It is
// "" when the path is not a variable's or no argument uses it.
func variableField(ctx context.Context, path ast.Path) string {
	if len(path) < 2 || path[0] != ast.PathName("variable") || !graphql.HasOperationContext(ctx) {
		return ""
	}
	name, ok := path[1].(ast.PathName)
	oc := graphql.GetOperationContext(ctx)
	if !ok || oc.Operation == nil {
		return ""
	}
	field := argumentPath(oc.Operation.SelectionSet, func(v *ast.Value) bool {
		return v.Kind == ast.Variable && v.Raw == string(name)
	}, map[string]bool{})
	if field == "" {
		return ""
	}
	for _, p := range path[2:] {
		if n, ok := p.(ast.PathName); ok {
			field += "." + string(n)
		}
	}
	return field
}

// literalField is the input path ("consent", "input.capacityStatus") of the
// value written in the document that a validation error is about (gqlparser
// reports a wrong literal, such as the enum value `given`, by its position
// only). It is "" when the error has no single position or no argument's
// value stands there.
func literalField(ctx context.Context, gerr *gqlerror.Error) string {
	if !strings.HasPrefix(gerr.Rule, "ValuesOfCorrectType") || len(gerr.Locations) != 1 || !graphql.HasOperationContext(ctx) {
		return ""
	}
	// Validation failed, so the operation context holds no document: parse
	// it again (it is within the token limit). Spreads are not linked to
	// their fragments then, so fragments are searched too.
	doc, err := parser.ParseQuery(&ast.Source{Input: graphql.GetOperationContext(ctx).RawQuery})
	if err != nil {
		return ""
	}
	at := gerr.Locations[0]
	standsAt := func(v *ast.Value) bool {
		return v.Position != nil && v.Position.Line == at.Line && v.Position.Column == at.Column
	}
	for _, op := range doc.Operations {
		if f := argumentPath(op.SelectionSet, standsAt, map[string]bool{}); f != "" {
			return f
		}
	}
	for _, frag := range doc.Fragments {
		if f := argumentPath(frag.SelectionSet, standsAt, map[string]bool{}); f != "" {
			return f
		}
	}
	return ""
}

// argumentPath is the input path ("filter.needs") of the first value in an
// argument of set (of its fields and directives, inline fragments and
// linked fragments included) that match holds for; "" when there is none.
func argumentPath(set ast.SelectionSet, match func(*ast.Value) bool, seen map[string]bool) string {
	inArgs := func(args ast.ArgumentList) string {
		for _, a := range args {
			if f := valuePath(a.Value, a.Name, match); f != "" {
				return f
			}
		}
		return ""
	}
	inDirectives := func(ds ast.DirectiveList) string {
		for _, d := range ds {
			if f := inArgs(d.Arguments); f != "" {
				return f
			}
		}
		return ""
	}
	for _, sel := range set {
		f := ""
		switch sel := sel.(type) {
		case *ast.Field:
			if f = inArgs(sel.Arguments); f == "" {
				if f = inDirectives(sel.Directives); f == "" {
					f = argumentPath(sel.SelectionSet, match, seen)
				}
			}
		case *ast.InlineFragment:
			if f = inDirectives(sel.Directives); f == "" {
				f = argumentPath(sel.SelectionSet, match, seen)
			}
		case *ast.FragmentSpread:
			if f = inDirectives(sel.Directives); f == "" && sel.Definition != nil && !seen[sel.Name] {
				seen[sel.Name] = true
				f = argumentPath(sel.Definition.SelectionSet, match, seen)
			}
		}
		if f != "" {
			return f
		}
	}
	return ""
}

// valuePath is the input path of the first part of v that match holds for,
// field being v's own path.
func valuePath(v *ast.Value, field string, match func(*ast.Value) bool) string {
	if v == nil {
		return ""
	}
	if match(v) {
		return field
	}
	for _, c := range v.Children {
		f := field
		if v.Kind == ast.ObjectValue {
			f += "." + c.Name
		}
		if got := valuePath(c.Value, f, match); got != "" {
			return got
		}
	}
	return ""
}

// withoutControls replaces each control character in a message gqlparser
// made from the request (which may quote a value sent) with U+FFFD, so no
// NUL or escape sequence is echoed.
func withoutControls(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return utf8.RuneError
		}
		return r
	}, s)
}
