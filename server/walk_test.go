package main

// The schema walk: every field reachable from Query, found by introspection
// (so fields added later are walked without changing this file), requested
// over the whole seeded directory by every root field with every sensible
// argument, as an anonymous caller and as a professional whose token names
// one partnership. Nothing the caller may not see may come back, by any path.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/waymark/waymark/graph"
	"github.com/waymark/waymark/seed"
	"github.com/waymark/waymark/store/storetest"
)

const (
	// walkDepth is how many levels of Node objects (Institution, Service,
	// ContactPoint...) a root call's selection spans, the root included;
	// objects that are not Nodes (connections, edges, memberships,
	// eligibility) do not count.
	walkDepth = 4
	// walkIDDepth is the depth of calls for records by ID (node(id),
	// service(id), contactPoints(institutionId)...).
	walkIDDepth = 3
	// walkListedIDDepth is the depth of calls by ID for records of a type
	// that a root connection lists: every visible one of them already heads
	// a tree of walkDepth there, so asking by ID needs to show only that the
	// root field lets through exactly what the caller may see.
	walkListedIDDepth = 2
	// walkVariantDepth bounds the selections of the extra calls made with
	// optional arguments (filters, a purpose) and of the paginated pass.
	walkVariantDepth = 2
	// walkBatch is how many root calls go in one request.
	walkBatch = 12
	// walkWorkers is how many requests are in flight at once.
	walkWorkers = 8
	// walkSmallPage is the page size of the paginated pass over connections.
	walkSmallPage = 7
)

// nodeTables maps each type implementing Node to its table, where the walk
// finds every ID (including non-public and retired records) to ask for.
var nodeTables = map[string]string{
	"Institution":        "institutions",
	"Site":               "sites",
	"Partnership":        "partnerships",
	"GovernanceForum":    "governance_forums",
	"Service":            "services",
	"ContactPoint":       "contact_points",
	"ResponsibilityArea": "responsibility_areas",
	"Threshold":          "thresholds",
	"SharingAgreement":   "sharing_agreements",
	"Pathway":            "pathways",
	"PathwayStep":        "pathway_steps",
}

// nodeNames is how the walk names records of a type in messages, over the
// row t of its table: t.name unless given here. A threshold has no name of
// its own: it is its partnership's, for an area; a pathway step is named by
// the services it joins and its situation.
var nodeNames = map[string]string{
	"Threshold": `(SELECT p.name || ': ' || a.name FROM partnerships p, responsibility_areas a
		WHERE p.id = t.partnership_id AND a.id = t.area_id)`,
	"PathwayStep": `(SELECT f.name || ' → ' || s.name || ' (' || t.situation || ')' FROM services f, services s
		WHERE f.id = t.from_service_id AND s.id = t.to_service_id)`,
}

func TestWalkSchemaVisibility(t *testing.T) {
	start := time.Now()
	s := newWalkServer(t)
	addWalkFixtures(t, s)
	sc := introspect(t, s)
	ids := walkIDs(t, s, sc)
	bounded := boundedRootArgs(t, s, sc, ids)

	// Calls for hidden (and retired) records fail with NOT_FOUND; no other
	// failure is expected, except of the root fields in mustFail, every
	// call of which must fail with the code given.
	walkers := []struct {
		name     string
		who      caller
		skip     map[string]bool   // root fields not walked
		mustFail map[string]string // root field -> error code of every call
	}{
		{"anonymous", anonymous, map[string]bool{"auditLog": true}, nil},
		{"professional-bristol", caller{Role: "professional", Partnerships: []string{"bristol"}}, nil,
			map[string]string{"auditLog": "FORBIDDEN"}},
	}
	for _, wk := range walkers {
		t.Run(wk.name, func(t *testing.T) {
			ws := *s
			ws.t = t
			v := viewerRule{
				professional: wk.who.Role != "",
				admin:        wk.who.Role == "admin",
			}
			for _, k := range wk.who.Partnerships {
				v.partnerships = append(v.partnerships, seed.ID("partnerships", k))
			}
			sec := loadSecrets(t, &ws, v)
			probes := sec.probes()
			b := newSelBuilder(t, sc)
			calls := rootCalls(t, sc, b, ids, probes, wk.skip, bounded)
			res := runWalk(t, &ws, wk.who, b, ids, calls)

			t.Logf("%s: %d requests, %d root calls, %d field paths requested, %d schema fields covered; "+
				"%.1f MB, %d distinct values received; %d secrets checked (%d dropped as also public), %d hidden IDs checked; errors %v",
				wk.name, res.requests, res.calls, res.paths, len(b.covered), float64(res.bytes)/1e6, len(res.leaves),
				len(sec.secrets), len(sec.dropped), len(sec.hiddenIDs), res.codes)
			if len(sec.dropped) > 0 {
				t.Logf("%s: hidden values not looked for, as visible records hold them too: %s", wk.name, strings.Join(sec.dropped, ", "))
			}

			// Every field reachable from Query was requested somewhere.
			for _, coord := range reachableFields(sc, wk.skip) {
				if !b.covered[coord] {
					t.Errorf("the walk never requested %s %s", coord, b.uncovered[coord])
				}
			}
			if res.paths < 100000 {
				t.Errorf("the walk requested only %d field paths; expected a walk of the whole schema", res.paths)
			}
			for key, n := range res.codes {
				field, code, _ := strings.Cut(key, " ")
				if code != "NOT_FOUND" && wk.mustFail[field] != code {
					t.Errorf("%d calls of %s failed with %s (first: %s)", n, field, code, res.firstErr[key])
				}
			}
			for field, code := range wk.mustFail {
				if n := res.codes[field+" "+code]; n != res.fieldCalls[field] {
					t.Errorf("%d of %d calls of %s failed with %s; want all", n, res.fieldCalls[field], field, code)
				}
			}

			// Nothing hidden came back: one report per hidden value, with
			// where it was first seen and the field paths that carried it.
			leaks := 0
			report := func(what string, match func(leaf string, at *leafInfo) bool) {
				var hits []*leafInfo
				var values []string
				n := 0
				for leaf, at := range res.leaves {
					if match(leaf, at) {
						hits = append(hits, at)
						values = append(values, strconv.Quote(leaf))
						n += at.count
					}
				}
				if len(hits) == 0 {
					return
				}
				leaks++
				sort.Slice(hits, func(i, j int) bool { return hits[i].first.String() < hits[j].first.String() })
				sort.Strings(values)
				shapes := map[string]bool{}
				for _, h := range hits {
					for sh := range h.shapes {
						shapes[sh] = true
					}
				}
				t.Errorf("LEAK: %s came back %d times: %s\n\tfirst at %s\n\tby field paths such as:\n\t\t%s",
					what, n, strings.Join(values, ", "), hits[0].first, strings.Join(sortedKeys(shapes), "\n\t\t"))
			}
			byRecord := map[string][]secret{}
			for _, sv := range sec.secrets {
				byRecord[sv.record] = append(byRecord[sv.record], sv)
			}
			for _, rec := range sortedKeys(keySet(byRecord)) {
				svs := byRecord[rec]
				var fields []string
				for _, sv := range svs {
					fields = append(fields, sv.field)
				}
				report(fmt.Sprintf("%s (hidden: %s)", rec, strings.Join(fields, ", ")), func(leaf string, _ *leafInfo) bool {
					for _, sv := range svs {
						if strings.Contains(leaf, sv.value) {
							return true
						}
					}
					return false
				})
			}
			for _, id := range sortedKeys(keySet(sec.hiddenIDs)) {
				report("the ID of "+sec.hiddenIDs[id], func(leaf string, at *leafInfo) bool { return leaf == id && at.inData })
			}
			if !v.professional {
				for _, vis := range []string{"PROFESSIONAL", "PARTNERSHIP"} {
					report("the visibility "+vis+" (of a hidden record)", func(leaf string, at *leafInfo) bool {
						return leaf == vis && at.inData
					})
				}
			}

			// And everything the caller may see did (the walk reached it).
			for _, e := range sec.expected {
				if _, ok := res.leaves[e.value]; !ok {
					t.Errorf("the walk never received %s, which the caller may see", e.what)
				}
			}
			seen := map[string]int{}
			for _, e := range sec.expected {
				if _, ok := res.leaves[e.value]; ok {
					seen[e.kind]++
				}
			}
			t.Logf("%s: received the values of visible contact points, services and pathway steps by visibility: %v", wk.name, seen)
			want := []string{"PUBLIC"}
			if v.professional {
				want = append(want, "PROFESSIONAL")
				if len(v.partnerships) > 0 {
					want = append(want, "PARTNERSHIP")
				}
			}
			for _, k := range want {
				if seen[k] == 0 {
					t.Errorf("no value of a visible %s contact point, service or pathway step came back: the walk proves nothing", k)
				}
			}
			if leaks == 0 && !t.Failed() {
				t.Logf("%s: no leak", wk.name)
			}
		})
	}
	t.Logf("walk took %v", time.Since(start).Round(time.Millisecond))
}

// newWalkServer is newAPIServer with limits raised for whole-schema requests.
func newWalkServer(t *testing.T) *apiServer {
	t.Helper()
	pool := storetest.Pool(t, storetest.WithData("seed-"+seed.Key(), seed.Load))
	cfg := testConfig(t, map[string]string{
		"WAYMARK_COMPLEXITY_LIMIT":     "1000000000",
		"WAYMARK_MAX_BODY_BYTES":       strconv.Itoa(16 << 20),
		"WAYMARK_MAX_TOKENS":           "100000000",
		"WAYMARK_MAX_ALIASES":          "100000000",
		"WAYMARK_MAX_ROOT_FIELDS":      "100000",
		"WAYMARK_MAX_DEPTH":            "100",
		"WAYMARK_MAX_DUPLICATE_FIELDS": "100000",
	})
	srv := httptest.NewServer(testRouter(t, cfg, pool))
	t.Cleanup(srv.Close)
	return &apiServer{t: t, URL: srv.URL, Pool: pool, cfg: cfg}
}

// addWalkFixtures adds to the walk's own copy of the seed the records that
// test paths the seed does not: contact points of hidden services, a hidden
// out-of-hours service, PARTNERSHIP services, hidden deputies and
// successors of public contacts (Query.contactPoints answers with both), a
// retired membership, which must not open a partnership's records, and
// pathway steps to and from the PARTNERSHIP services (a step is visible
// only when the services at both ends are; the seed's only hidden ends are
// the PROFESSIONAL MDT's).
func addWalkFixtures(t *testing.T, s *apiServer) {
	t.Helper()
	ctx := context.Background()
	a := pgx.NamedArgs{
		"mdt":      seed.ID("services", "liverpool-mdt"),
		"ucope":    seed.ID("services", "ucope"),
		"mersey":   seed.ID("institutions", "mersey-care"),
		"ljmu":     seed.ID("institutions", "ljmu"),
		"uwe":      seed.ID("institutions", "uwe"),
		"bristol":  seed.ID("partnerships", "bristol"),
		"svcL":     uuid.New(),
		"svcB":     uuid.New(),
		"liaison":  seed.ID("services", "student-liaison"),
		"uweWell":  seed.ID("services", "uwe-wellbeing"),
		"pwL":      seed.ID("pathways", "liverpool-after"),
		"pwB":      seed.ID("pathways", "bristol-cross-referral"),
		"isa":      seed.ID("sharing_agreements", "liverpool-consent-isa"),
		"ended":    uuid.New(),
		"current":  uuid.New(),
		"deputy":   uuid.New(),
		"follower": uuid.New(),
	}
	for _, q := range []string{
		// A PUBLIC contact point of a PROFESSIONAL service (the Liverpool MDT).
		`INSERT INTO contact_points (institution_id, service_id, purpose, kind, name, visibility, email, phone, notes)
		 VALUES (@mersey, @mdt, 'MDT_REFERRAL', 'TEAM', 'Walk fixture MDT referrals desk', 'PUBLIC',
		         'walk.mdt.desk@merseycare.nhs.example', '01632 969001', 'Walk fixture: the desk of a professionals-only service')`,
		// A public service whose out-of-hours service is the MDT.
		`UPDATE services SET out_of_hours_service_id = @mdt WHERE id = @ucope`,
		// PARTNERSHIP services at a Liverpool member and a Bristol member,
		// each with a PUBLIC contact point.
		`INSERT INTO services (id, institution_id, name, description, category, care_level, access_routes, visibility, email, phone, how_to_access)
		 VALUES (@svcL, @mersey, 'Walk fixture Liverpool partners clinic', 'Walk fixture: a clinic that only Liverpool partners may know of.',
		         'LIAISON', 3, '{NHS_REFERRAL}', 'PARTNERSHIP', 'walk.liverpool.clinic@merseycare.nhs.example', '01632 969002',
		         'Walk fixture: Liverpool partners refer by the clinic line.'),
		        (@svcB, @uwe, 'Walk fixture Bristol partners clinic', 'Walk fixture: a clinic that only Bristol partners may know of.',
		         'LIAISON', 3, '{NHS_REFERRAL}', 'PARTNERSHIP', 'walk.bristol.clinic@uwe.ac.example', '01632 969003',
		         'Walk fixture: Bristol partners refer by the clinic line.')`,
		`INSERT INTO contact_points (institution_id, service_id, purpose, kind, name, visibility, email, phone)
		 VALUES (@mersey, @svcL, 'STUDENT_LIAISON', 'TEAM', 'Walk fixture Liverpool clinic desk', 'PUBLIC', 'walk.liverpool.desk@merseycare.nhs.example', '01632 969004'),
		        (@uwe, @svcB, 'STUDENT_LIAISON', 'TEAM', 'Walk fixture Bristol clinic desk', 'PUBLIC', 'walk.bristol.desk@uwe.ac.example', '01632 969005')`,
		// At LJMU (Liverpool, not Bristol): a PROFESSIONAL deputy, a
		// PARTNERSHIP successor, a PUBLIC contact that has left post for that
		// successor, and a current PUBLIC one whose deputy is the successor.
		`INSERT INTO contact_points (id, institution_id, purpose, kind, name, visibility, email, phone, valid_from)
		 VALUES (@deputy, @ljmu, 'FITNESS_TO_STUDY', 'PERSON', 'Walkfixture Deputy-Professional', 'PROFESSIONAL',
		         'walk.deputy@ljmu.ac.example', '01632 969006', current_date - 300),
		        (@follower, @ljmu, 'FITNESS_TO_STUDY', 'PERSON', 'Walkfixture Successor-Partnership', 'PARTNERSHIP',
		         'walk.successor@ljmu.ac.example', '01632 969007', current_date - 30)`,
		`INSERT INTO contact_points (id, institution_id, purpose, kind, name, visibility, email, phone, valid_from, valid_to, successor_id, deputy_id)
		 VALUES (@ended, @ljmu, 'FITNESS_TO_STUDY', 'PERSON', 'Walkfixture Left-Public', 'PUBLIC',
		         'walk.left@ljmu.ac.example', '01632 969008', current_date - 400, current_date - 1, @follower, @deputy)`,
		`INSERT INTO contact_points (id, institution_id, purpose, kind, name, visibility, email, phone, deputy_id)
		 VALUES (@current, @ljmu, 'DISABILITY_SUPPORT', 'TEAM', 'Walk fixture disability desk', 'PUBLIC',
		         'walk.disability@ljmu.ac.example', '01632 969009', @follower)`,
		// LJMU once belonged to the Bristol partnership: a retired
		// membership opens nothing.
		`INSERT INTO partnership_members (partnership_id, institution_id, role, retired_at)
		 VALUES (@bristol, @ljmu, 'Walk fixture former member', now() - interval '1 day')`,
		// Steps into (and on from) the Liverpool partners clinic, and into
		// the Bristol one: hidden from students, and from a professional of
		// the other partnership, by every path (nextSteps, routes, handover,
		// pathwayMap, Pathway.steps, node).
		`INSERT INTO pathway_steps (pathway_id, from_service_id, to_service_id, situation, consents, receiving_purpose,
		        agreement_id, eligibility, protocol_notes, student_expectation, time_limit_hours)
		 VALUES (@pwL, @liaison, @svcL, 'PRESENTS_AT_URGENT_CARE', '{GIVEN}', 'STUDENT_LIAISON', @isa,
		         'Walk fixture: students the Liverpool partners clinic knows', 'Walk fixture: phone the Liverpool partners clinic desk',
		         'Walk fixture: the Liverpool partners clinic will call you', 2),
		        (@pwL, @svcL, @ucope, 'PRESENTS_AT_URGENT_CARE', '{GIVEN}', 'GENERAL_ENQUIRIES', @isa,
		         'Walk fixture: patients leaving the Liverpool partners clinic', 'Walk fixture: the Liverpool partners clinic refers on to U-COPE',
		         'Walk fixture: after the Liverpool partners clinic, U-COPE offers talking therapy', 72),
		        (@pwB, @uweWell, @svcB, 'CONCERN_RAISED_AT_UNIVERSITY', '{GIVEN}', 'STUDENT_LIAISON', NULL,
		         'Walk fixture: UWE students the Bristol partners clinic knows', 'Walk fixture: phone the Bristol partners clinic desk',
		         'Walk fixture: the Bristol partners clinic will call you', 4)`,
	} {
		if _, err := s.Pool.Exec(ctx, q, a); err != nil {
			t.Fatalf("walk fixture: %v\n%s", err, q)
		}
	}
}

// ---------------------------------------------------------------------------
// Introspection

type typeRef struct {
	Kind   string   `json:"kind"`
	Name   string   `json:"name"`
	OfType *typeRef `json:"ofType"`
}

// named is the named type inside any lists and non-nulls.
func (r *typeRef) named() *typeRef {
	for r.OfType != nil {
		r = r.OfType
	}
	return r
}

func (r *typeRef) String() string {
	switch r.Kind {
	case "NON_NULL":
		return r.OfType.String() + "!"
	case "LIST":
		return "[" + r.OfType.String() + "]"
	}
	return r.Name
}

type inputValue struct {
	Name         string  `json:"name"`
	Type         typeRef `json:"type"`
	DefaultValue *string `json:"defaultValue"`
}

func (v inputValue) required() bool { return v.Type.Kind == "NON_NULL" && v.DefaultValue == nil }

type field struct {
	Name string       `json:"name"`
	Args []inputValue `json:"args"`
	Type typeRef      `json:"type"`
}

type fullType struct {
	Kind          string       `json:"kind"`
	Name          string       `json:"name"`
	Fields        []field      `json:"fields"`
	InputFields   []inputValue `json:"inputFields"`
	EnumValues    []struct{ Name string }
	PossibleTypes []struct{ Name string }
	Interfaces    []struct{ Name string }
}

type schemaInfo struct {
	query string
	types map[string]*fullType
}

const introspectionQuery = `
fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } }
fragment V on __InputValue { name defaultValue type { ...T } }
query {
  __schema {
    queryType { name }
    types {
      kind name
      fields(includeDeprecated: true) { name args { ...V } type { ...T } }
      inputFields { ...V }
      enumValues(includeDeprecated: true) { name }
      possibleTypes { name }
      interfaces { name }
    }
  }
}`

func introspect(t *testing.T, s *apiServer) *schemaInfo {
	t.Helper()
	var data struct {
		Schema struct {
			QueryType struct{ Name string }
			Types     []*fullType
		} `json:"__schema"`
	}
	s.query(anonymous, introspectionQuery, nil, &data)
	sc := &schemaInfo{query: data.Schema.QueryType.Name, types: map[string]*fullType{}}
	for _, ty := range data.Schema.Types {
		sc.types[ty.Name] = ty
	}
	if sc.types[sc.query] == nil {
		t.Fatal("introspection has no query type")
	}
	return sc
}

// isNode reports whether values of the named type are records (they
// implement Node, or are Node), which count towards the walk's depth.
func (sc *schemaInfo) isNode(name string) bool {
	ty := sc.types[name]
	if ty == nil {
		return false
	}
	if ty.Name == "Node" {
		return true
	}
	for _, i := range ty.Interfaces {
		if i.Name == "Node" {
			return true
		}
	}
	return false
}

func (sc *schemaInfo) composite(name string) bool {
	k := sc.types[name].Kind
	return k == "OBJECT" || k == "INTERFACE" || k == "UNION"
}

// reachableFields is every Type.field reachable from the query type, except
// the skipped root fields and introspection.
func reachableFields(sc *schemaInfo, skip map[string]bool) []string {
	var out []string
	seen := map[string]bool{}
	var visit func(name string)
	visit = func(name string) {
		if seen[name] || strings.HasPrefix(name, "__") {
			return
		}
		seen[name] = true
		ty := sc.types[name]
		for _, p := range ty.PossibleTypes {
			visit(p.Name)
		}
		for _, f := range ty.Fields {
			if name == sc.query && skip[f.Name] || strings.HasPrefix(f.Name, "__") {
				continue
			}
			if ty.Kind == "OBJECT" {
				out = append(out, name+"."+f.Name)
			}
			if n := f.Type.named().Name; sc.composite(n) {
				visit(n)
			}
		}
	}
	visit(sc.query)
	sort.Strings(out)
	return out
}

// ---------------------------------------------------------------------------
// Every ID in the database

type idSet struct {
	byType map[string][]string
	all    []string
	typeOf map[string]string // quoted literal -> type
	names  map[string]string // quoted literal -> type and name, for messages
}

func walkIDs(t *testing.T, s *apiServer, sc *schemaInfo) *idSet {
	t.Helper()
	set := &idSet{byType: map[string][]string{}, typeOf: map[string]string{}, names: map[string]string{}}
	for _, p := range sc.types["Node"].PossibleTypes {
		table, ok := nodeTables[p.Name]
		if !ok {
			t.Fatalf("%s implements Node but the walk does not know its table; add it to nodeTables", p.Name)
		}
		type rec struct {
			ID   uuid.UUID
			Name string
		}
		name := "t.name"
		if n, ok := nodeNames[p.Name]; ok {
			name = n
		}
		rows, _ := s.Pool.Query(context.Background(), `SELECT t.id, `+name+` FROM `+table+` t ORDER BY t.id`)
		recs, err := pgx.CollectRows(rows, pgx.RowToStructByPos[rec])
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) == 0 {
			t.Fatalf("no %s in the seed", p.Name)
		}
		for _, r := range recs {
			gid := graph.GlobalID(p.Name, r.ID)
			set.byType[p.Name] = append(set.byType[p.Name], gid)
			set.all = append(set.all, gid)
			set.typeOf[strconv.Quote(gid)] = p.Name
			set.names[strconv.Quote(gid)] = fmt.Sprintf("%s %q", p.Name, r.Name)
		}
	}
	return set
}

// forArg is the IDs to pass to an ID argument: those of the type the
// argument names (`institutionId`, or `areaId` for a ResponsibilityArea), or
// the field's own type (`service(id:)`), else every ID.
func (s *idSet) forArg(arg string, fieldType string) []string {
	base := strings.TrimSuffix(strings.TrimSuffix(arg, "s"), "Id")
	if base == "id" {
		if ids, ok := s.byType[fieldType]; ok {
			return ids
		}
		return s.all
	}
	for typ, ids := range s.byType {
		if strings.EqualFold(typ, base) {
			return ids
		}
	}
	var found []string
	for typ, ids := range s.byType {
		if strings.HasSuffix(strings.ToLower(typ), strings.ToLower(base)) {
			if found != nil {
				return s.all // ambiguous
			}
			found = ids
		}
	}
	if found != nil {
		return found
	}
	// A name qualifying its type: `fromServiceId`, `toInstitutionId`.
	best := ""
	for typ, ids := range s.byType {
		if strings.HasSuffix(strings.ToLower(base), strings.ToLower(typ)) && len(typ) > len(best) {
			best, found = typ, ids
		}
	}
	if found != nil {
		return found
	}
	return s.all
}

// ---------------------------------------------------------------------------
// Selections, built from introspection as named fragments per (type, depth)

type fragKey struct {
	typ   string
	depth int
}

type selBuilder struct {
	t         *testing.T
	sc        *schemaInfo
	bodies    map[string]string   // fragment name -> definition
	uses      map[string][]string // fragment name -> the fragments it spreads
	building  map[fragKey]bool
	paths     map[fragKey]int   // field paths a fragment expands to
	aliased   map[string]bool   // field names whose types differ between object types
	covered   map[string]bool   // Type.field requested
	uncovered map[string]string // Type.field -> why not
}

func newSelBuilder(t *testing.T, sc *schemaInfo) *selBuilder {
	b := &selBuilder{t: t, sc: sc, bodies: map[string]string{},
		uses: map[string][]string{}, building: map[fragKey]bool{}, paths: map[fragKey]int{},
		aliased: map[string]bool{}, covered: map[string]bool{}, uncovered: map[string]string{}}
	// Fields of the same name with different types cannot be merged when
	// they meet in the inline fragments of an interface; alias them.
	shapes := map[string]string{}
	for _, ty := range sc.types {
		if ty.Kind != "OBJECT" || strings.HasPrefix(ty.Name, "__") {
			continue
		}
		for _, f := range ty.Fields {
			if s, ok := shapes[f.Name]; ok && s != f.Type.String() {
				b.aliased[f.Name] = true
			}
			shapes[f.Name] = f.Type.String()
		}
	}
	return b
}

// selection is the selection set for a value of the named type with depth
// levels of records left, with the fragments it uses, and the number of
// field paths it expands to.
func (b *selBuilder) selection(name string, depth int) (string, []string, int) {
	ty := b.sc.types[name]
	switch ty.Kind {
	case "OBJECT":
		f := b.fragment(name, depth)
		return "{ ..." + f + " }", []string{f}, b.paths[fragKey{name, depth}]
	case "INTERFACE", "UNION":
		var sb strings.Builder
		var used []string
		n := 1
		sb.WriteString("{ __typename")
		for _, p := range ty.PossibleTypes {
			f := b.fragment(p.Name, depth)
			fmt.Fprintf(&sb, " ... on %s { ...%s }", p.Name, f)
			used = append(used, f)
			n += b.paths[fragKey{p.Name, depth}]
		}
		sb.WriteString(" }")
		return sb.String(), used, n
	}
	return "", nil, 0
}

func (b *selBuilder) fragment(name string, depth int) string {
	k := fragKey{name, depth}
	fname := fmt.Sprintf("%s_%d", name, depth)
	if _, ok := b.bodies[fname]; ok {
		return fname
	}
	if b.building[k] {
		b.t.Fatalf("the schema has a cycle through %s of objects that are not records; the walk cannot bound it", name)
	}
	b.building[k] = true
	defer delete(b.building, k)

	ty := b.sc.types[name]
	var sb strings.Builder
	var used []string
	paths := 1 // __typename
	fmt.Fprintf(&sb, "fragment %s on %s { __typename", fname, name)
	for _, f := range ty.Fields {
		if strings.HasPrefix(f.Name, "__") {
			continue
		}
		alias := ""
		if b.aliased[f.Name] {
			alias = name + "_" + f.Name
		}
		child := f.Type.named().Name
		childDepth := depth
		if b.sc.composite(child) && b.sc.isNode(child) {
			childDepth--
			if childDepth < 1 {
				continue // covered at a shallower level
			}
		}
		variants := b.nestedArgs(name, f)
		if variants == nil {
			continue
		}
		for i, args := range variants {
			a := alias
			d := childDepth
			if i > 0 { // an extra call with an optional argument
				if a == "" {
					a = f.Name
				}
				a += "_" + aliasPart(args)
				d = min(d, walkVariantDepth)
			}
			if a != "" {
				sb.WriteString(" " + a + ":")
			}
			sb.WriteString(" " + f.Name + args)
			paths++
			if b.sc.composite(child) {
				sel, fs, n := b.selection(child, d)
				sb.WriteString(" " + sel)
				used = append(used, fs...)
				paths += n
			}
		}
		b.covered[name+"."+f.Name] = true
	}
	sb.WriteString(" }\n")
	b.bodies[fname] = sb.String()
	b.uses[fname] = used
	b.paths[k] = paths
	return fname
}

// nestedArgs is the argument lists to request a field below the root with:
// first the one with only the required arguments, then one per value of
// each optional enum or Boolean argument. Nil when a required argument
// cannot be supplied.
func (b *selBuilder) nestedArgs(typ string, f field) []string {
	base := []string{}
	var extra []string
	for _, a := range f.Args {
		vals := literalsFor(b.sc, a.Type)
		switch {
		case a.Name == "first":
			base = append(base, "first: 100")
		case a.Name == "after":
		case a.required():
			if len(vals) == 0 {
				b.uncovered[typ+"."+f.Name] = "(it cannot supply the required argument " + a.Name + "; teach nestedArgs how)"
				return nil
			}
			base = append(base, a.Name+": "+vals[0])
		default:
			for _, v := range vals {
				extra = append(extra, a.Name+": "+v)
			}
		}
	}
	out := []string{argList(base)}
	for _, e := range extra {
		out = append(out, argList(append(append([]string{}, base...), e)))
	}
	return out
}

// aliasPart turns an argument list into letters, digits and underscores.
func aliasPart(args string) string {
	return strings.Trim(strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, args), "_")
}

func argList(args []string) string {
	if len(args) == 0 {
		return ""
	}
	return "(" + strings.Join(args, ", ") + ")"
}

// literalsFor is the values of an enum or Boolean type, for arguments.
func literalsFor(sc *schemaInfo, r typeRef) []string {
	n := r.named()
	ty := sc.types[n.Name]
	var vals []string
	switch {
	case ty.Kind == "ENUM":
		for _, e := range ty.EnumValues {
			vals = append(vals, e.Name)
		}
	case n.Name == "Boolean":
		vals = []string{"true", "false"}
	}
	if r.Kind == "NON_NULL" {
		r = *r.OfType
	}
	if r.Kind == "LIST" {
		for i, v := range vals {
			vals[i] = "[" + v + "]"
		}
	}
	return vals
}

// fragmentsFor is the definitions of the fragments used, transitively.
func (b *selBuilder) fragmentsFor(used []string, have map[string]bool, sb *strings.Builder) {
	for _, f := range used {
		if have[f] {
			continue
		}
		have[f] = true
		sb.WriteString(b.bodies[f])
		b.fragmentsFor(b.uses[f], have, sb)
	}
}

// ---------------------------------------------------------------------------
// Root calls

type rootCall struct {
	field    string
	args     []string // name: literal
	sel      string
	frags    []string
	paths    int
	paginate bool // follow pageInfo.endCursor while hasNextPage
	first    int
}

func (c rootCall) text(alias string, after string) string {
	args := append([]string{}, c.args...)
	if after != "" {
		args = append(args, "after: "+strconv.Quote(after))
	}
	return alias + ": " + c.field + argList(args) + " " + c.sel
}

func (c rootCall) String() string { return c.field + argList(c.args) }

// rootCalls is every call of every root field: every ID of the right type
// for ID arguments, every value of enum arguments, connections a page of
// 100 at a time (and again a small page at a time), and one call per value
// of each optional filter; for the fields in bounded, the calls given there.
func rootCalls(t *testing.T, sc *schemaInfo, b *selBuilder, ids *idSet, probes []string, skip map[string]bool,
	bounded map[string]boundedCalls) []rootCall {
	var calls []rootCall
	q := sc.types[sc.query]
	// The types of the records that root connections list.
	listed := map[string]bool{}
	for _, f := range q.Fields {
		if ret := f.Type.named().Name; isConnection(sc, ret) {
			for _, cf := range sc.types[ret].Fields {
				if cf.Name == "edges" {
					for _, ef := range sc.types[cf.Type.named().Name].Fields {
						if ef.Name == "node" {
							listed[ef.Type.named().Name] = true
						}
					}
				}
			}
		}
	}
	for _, f := range q.Fields {
		if skip[f.Name] || strings.HasPrefix(f.Name, "__") {
			continue
		}
		ret := f.Type.named().Name
		conn := isConnection(sc, ret)
		mk := func(args []string, depth int) rootCall {
			c := rootCall{field: f.Name, args: args, paginate: conn}
			if sc.composite(ret) {
				c.sel, c.frags, c.paths = b.selection(ret, depth)
			}
			c.paths++
			return c
		}
		// The cartesian product of the required arguments' values, with
		// the type of the record asked for by `id`, if any.
		type argSet struct {
			args   []string
			idType string
		}
		sets := []argSet{{}}
		byID := false
		var optional []inputValue
		hasFirst := false
		for _, a := range f.Args {
			switch {
			case a.Name == "first":
				hasFirst = true
			case a.Name == "after":
			case a.required():
				isID := a.Type.named().Name == "ID"
				byID = byID || isID
				if bc, ok := bounded[f.Name]; ok {
					for _, l := range append(append([][]string{}, bc.base...), bc.variants...) {
						if !slices.ContainsFunc(l, func(arg string) bool { return strings.HasPrefix(arg, a.Name+": ") }) {
							t.Fatalf("the bounded arguments of %s.%s lack %s: %v", sc.query, f.Name, a.Name, l)
						}
					}
					continue // the argument lists are given
				}
				vals := rootValues(sc, ids, probes, a, ret)
				if len(vals) == 0 {
					t.Fatalf("the walk cannot supply %s.%s(%s: %s)", sc.query, f.Name, a.Name, a.Type.String())
				}
				var next []argSet
				for _, s := range sets {
					for _, v := range vals {
						n := argSet{append(append([]string{}, s.args...), a.Name+": "+v), s.idType}
						if isID && a.Name == "id" {
							n.idType = ids.typeOf[v]
						}
						next = append(next, n)
					}
				}
				sets = next
			default:
				optional = append(optional, a)
			}
		}
		bc, isBounded := bounded[f.Name]
		if isBounded {
			if len(bc.base) == 0 {
				t.Fatalf("no bounded arguments for %s.%s", sc.query, f.Name)
			}
			for _, l := range append(append([][]string{}, bc.base...), bc.variants...) {
				for _, arg := range l {
					name, _, _ := strings.Cut(arg, ": ")
					if !slices.ContainsFunc(f.Args, func(a inputValue) bool { return a.Name == name }) {
						t.Fatalf("the bounded arguments of %s.%s name %s, which it does not take", sc.query, f.Name, name)
					}
				}
			}
			sets = nil
			for _, l := range bc.base {
				sets = append(sets, argSet{args: l})
			}
		}
		for _, s := range sets {
			depth := walkDepth
			if byID {
				depth = walkIDDepth
				rec := ret
				if s.idType != "" {
					rec = s.idType
				}
				if listed[rec] {
					depth = walkListedIDDepth
				}
			}
			if isBounded && bc.depth > 0 {
				depth = bc.depth
			}
			args := s.args
			if hasFirst {
				args = append(args, "first: 100")
			}
			calls = append(calls, mk(args, depth))
		}
		b.covered[sc.query+"."+f.Name] = true
		// Optional arguments, one value at a time, with smaller selections.
		for _, l := range bc.variants {
			calls = append(calls, mk(l, walkVariantDepth))
		}
		for _, a := range optional {
			if isBounded {
				break // given in bc.variants
			}
			for _, v := range rootValues(sc, ids, probes, a, ret) {
				for _, set := range sets {
					s := append(append([]string{}, set.args...), a.Name+": "+v)
					if hasFirst {
						s = append(s, "first: 100")
					}
					calls = append(calls, mk(s, walkVariantDepth))
				}
			}
		}
		// Connections again, a small page at a time.
		if conn && hasFirst {
			for _, s := range sets {
				c := mk(append(append([]string{}, s.args...), "first: "+strconv.Itoa(walkSmallPage)), walkVariantDepth)
				c.first = walkSmallPage
				calls = append(calls, c)
			}
		}
	}
	return calls
}

// walkMaxRoutePairs bounds the (from, to) pairs that routes is walked with.
const walkMaxRoutePairs = 400

// boundedCalls are the argument lists a root field is walked with instead
// of every value of every argument: base at depth (when not 0; else the
// field's usual depth), variants (with optional arguments) at
// walkVariantDepth.
type boundedCalls struct {
	base, variants [][]string
	depth          int
}

// boundedRootArgs gives the calls of the root fields about pathways, whose
// every ID × every enum value would take minutes to walk, as representative
// sets read from the walk's database (retired and hidden records included,
// as everywhere in the walk):
//
//   - handover(fromServiceId, toInstitutionId, situation, consent) would be
//     every service × every institution × 8 situations × 4 consents: some
//     50,000 plans, each a deep tree (signposting included). It is walked
//     for every (sending service, receiving institution, situation) that
//     some pathway step joins, with every Consent: each step's plan, the
//     plan of the other steps for the same hand-over (refused consent, no
//     consent asked), and the signposting given instead. For each (sender,
//     receiving institution) pair, also a situation no step of theirs is
//     for, with consent GIVEN and REFUSED (no pathway). Then every other
//     service sends, with consent GIVEN, in the commonest situation, to the
//     institution most handed over to (hidden or retired senders are
//     NOT_FOUND, public ones have no pathway), and every other institution
//     receives from the public service that sends most, with consent
//     REFUSED (no pathway, the institution's signposting; NOT_FOUND when
//     retired).
//   - routes(fromServiceId, toServiceId, maxSteps) would be every service ×
//     every service × each maxSteps. A pair that no chain of steps joins
//     has no route for anyone, whatever may be seen, so it is walked for
//     every pair that some chain of at most 8 steps joins (hidden, retired
//     and refused-consent steps included), with maxSteps left at its
//     default of 4, then 1 and 8; and every other service once at each end
//     (from the public service that sends most, to the public service most
//     handed over to: NOT_FOUND, or no route). At most walkMaxRoutePairs
//     pairs, taken evenly from the list when there are more.
//   - signpost(institutionId, need, urgency) would be 37 × 18 × 4 calls. The
//     answer depends on the urgency only through whether to act now, which
//     SOON does not call for (as ROUTINE) and URGENT does (as EMERGENCY), so
//     only ROUTINE and EMERGENCY are asked: nationally for every Need with
//     both, and for every institution × every Need with one of them, taking
//     turns, so that every pair of institution, need and urgency is asked
//     (all-pairs).
//   - nextSteps(fromServiceId, situation, urgency, consent) is walked for
//     every service, and with each value of each filter for every service
//     some step leaves: a service no step leaves has no next steps whatever
//     the filter.
//   - institutionByCode(scheme, code) is walked with every code the
//     directory holds, under its scheme: free text is no code at all
//     (BAD_USER_INPUT), and a code nobody holds finds nothing.
//
// Plans and routes are walked at walkListedIDDepth: every record in them
// (step, service, contact point, agreement) heads a deeper tree elsewhere
// (node, nextSteps, the root connections), so they need show only that
// they let through exactly the records the caller may see. pathwayMap
// (every partnership) is walked in full.
func boundedRootArgs(t *testing.T, s *apiServer, sc *schemaInfo, ids *idSet) map[string]boundedCalls {
	t.Helper()
	ctx := context.Background()
	type triple struct{ A, B, C string }
	query := func(sql string) []triple {
		t.Helper()
		rows, _ := s.Pool.Query(ctx, sql)
		out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[triple])
		if err != nil {
			t.Fatal(err)
		}
		if len(out) == 0 {
			t.Fatalf("no pathway steps in the seed for the walk: %s", sql)
		}
		return out
	}
	lit := func(typ, u string) string { return strconv.Quote(graph.GlobalID(typ, uuid.MustParse(u))) }
	enum := func(name string) []string {
		var out []string
		for _, v := range sc.types[name].EnumValues {
			out = append(out, v.Name)
		}
		if len(out) == 0 {
			t.Fatalf("no values of %s", name)
		}
		return out
	}
	with := func(l []string, arg string) []string { return append(append([]string{}, l...), arg) }
	out := map[string]boundedCalls{}

	// Every step (from, to, and the receiving institution), and the
	// commonest: public service sending and receiving, institution
	// receiving, and situation.
	steps := query(`SELECT st.from_service_id::text, st.to_service_id::text, ts.institution_id::text
		FROM pathway_steps st JOIN services ts ON ts.id = st.to_service_id ORDER BY 1, 2, 3`)
	common := query(`SELECT
		(SELECT st.from_service_id FROM pathway_steps st JOIN services s ON s.id = st.from_service_id
			WHERE s.visibility = 'PUBLIC' AND s.retired_at IS NULL GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1)::text,
		(SELECT st.to_service_id FROM pathway_steps st JOIN services s ON s.id = st.to_service_id
			WHERE s.visibility = 'PUBLIC' AND s.retired_at IS NULL GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1)::text,
		(SELECT s.institution_id FROM pathway_steps st JOIN services s ON s.id = st.to_service_id
			GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1)::text`)[0]
	sender, receiving, receiver := lit("Service", common.A), lit("Service", common.B), lit("Institution", common.C)
	situation := query(`SELECT situation, '', '' FROM pathway_steps GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1`)[0].A

	// handover
	handover := boundedCalls{depth: walkListedIDDepth}
	plan := func(from, to, situation, consent string) []string {
		return []string{"fromServiceId: " + from, "toInstitutionId: " + to, "situation: " + situation, "consent: " + consent}
	}
	type pair struct{ from, to string }
	var pairs []pair
	situations := map[pair][]string{}
	senders, receivers := map[string]bool{}, map[string]bool{}
	for _, h := range query(`SELECT DISTINCT st.from_service_id::text, ts.institution_id::text, st.situation
		FROM pathway_steps st JOIN services ts ON ts.id = st.to_service_id ORDER BY 1, 2, 3`) {
		p := pair{lit("Service", h.A), lit("Institution", h.B)}
		if situations[p] == nil {
			pairs = append(pairs, p)
		}
		situations[p] = append(situations[p], h.C)
		senders[p.from], receivers[p.to] = true, true
		for _, c := range enum("Consent") {
			handover.base = append(handover.base, plan(p.from, p.to, h.C, c))
		}
	}
	for _, p := range pairs {
		for _, sit := range enum("Situation") {
			if !slices.Contains(situations[p], sit) {
				handover.base = append(handover.base, plan(p.from, p.to, sit, "GIVEN"), plan(p.from, p.to, sit, "REFUSED"))
				break
			}
		}
	}
	for _, from := range ids.byType["Service"] {
		if from := strconv.Quote(from); !senders[from] {
			handover.base = append(handover.base, plan(from, receiver, situation, "GIVEN"))
		}
	}
	for _, to := range ids.byType["Institution"] {
		if to := strconv.Quote(to); !receivers[to] {
			handover.base = append(handover.base, plan(sender, to, situation, "REFUSED"))
		}
	}
	out["handover"] = handover

	// routes: the services each reaches by a chain of at most 8 steps.
	next := map[string][]string{}
	onRoute := map[string]bool{}
	for _, st := range steps {
		from, to := lit("Service", st.A), lit("Service", st.B)
		next[from] = append(next[from], to)
		onRoute[from], onRoute[to] = true, true
	}
	routes := boundedCalls{depth: walkListedIDDepth}
	route := func(from, to string) []string { return []string{"fromServiceId: " + from, "toServiceId: " + to} }
	var joined [][]string
	for _, from := range sortedKeys(keySet(next)) {
		reached := map[string]bool{from: true}
		frontier := []string{from}
		for range 8 {
			var nextFrontier []string
			for _, at := range frontier {
				for _, to := range next[at] {
					if !reached[to] {
						reached[to] = true
						nextFrontier = append(nextFrontier, to)
					}
				}
			}
			frontier = nextFrontier
		}
		delete(reached, from)
		for _, to := range sortedKeys(reached) {
			joined = append(joined, route(from, to))
		}
	}
	if len(joined) > walkMaxRoutePairs {
		t.Logf("routes: walking %d of %d (from, to) pairs", walkMaxRoutePairs, len(joined))
		kept := make([][]string, walkMaxRoutePairs)
		for i := range kept {
			kept[i] = joined[i*len(joined)/walkMaxRoutePairs]
		}
		joined = kept
	}
	routes.base = joined
	for _, l := range joined {
		routes.variants = append(routes.variants, with(l, "maxSteps: 1"), with(l, "maxSteps: 8"))
	}
	for _, svc := range ids.byType["Service"] {
		if svc := strconv.Quote(svc); !onRoute[svc] {
			routes.base = append(routes.base, route(svc, receiving), route(sender, svc))
		}
	}
	out["routes"] = routes

	// signpost
	var signpost boundedCalls
	urgencies := []string{"ROUTINE", "EMERGENCY"}
	for n, need := range enum("Need") {
		for _, urgency := range urgencies {
			signpost.base = append(signpost.base, []string{"need: " + need, "urgency: " + urgency})
		}
		for i, inst := range ids.byType["Institution"] {
			signpost.variants = append(signpost.variants, []string{"need: " + need, "urgency: " + urgencies[(n+i)%2],
				"institutionId: " + strconv.Quote(inst)})
		}
	}
	out["signpost"] = signpost

	// nextSteps
	var nextSteps boundedCalls
	for _, svc := range ids.byType["Service"] {
		l := []string{"fromServiceId: " + strconv.Quote(svc)}
		nextSteps.base = append(nextSteps.base, l)
		if next[strconv.Quote(svc)] == nil {
			continue
		}
		for _, filter := range []struct{ arg, enum string }{{"situation", "Situation"}, {"urgency", "Urgency"}, {"consent", "Consent"}} {
			for _, v := range enum(filter.enum) {
				nextSteps.variants = append(nextSteps.variants, with(l, filter.arg+": "+v))
			}
		}
	}
	out["nextSteps"] = nextSteps

	// institutionByCode: every code an institution holds, under its own
	// scheme (retired institutions' too: NOT_FOUND).
	byCode := boundedCalls{depth: walkListedIDDepth}
	for _, c := range query(`SELECT 'ODS', ods_code, '' FROM institutions WHERE ods_code IS NOT NULL
		UNION ALL SELECT 'UKPRN', ukprn, '' FROM institutions WHERE ukprn IS NOT NULL
		UNION ALL SELECT 'CHARITY', charity_number, '' FROM institutions WHERE charity_number IS NOT NULL
		ORDER BY 1, 2`) {
		byCode.base = append(byCode.base, []string{"scheme: " + c.A, "code: " + strconv.Quote(c.B)})
	}
	out["institutionByCode"] = byCode
	return out
}

func isConnection(sc *schemaInfo, name string) bool {
	ty := sc.types[name]
	has := map[string]bool{}
	for _, f := range ty.Fields {
		has[f.Name] = true
	}
	return has["edges"] && has["pageInfo"]
}

// rootValues is the literals to try for an argument of a root field.
func rootValues(sc *schemaInfo, ids *idSet, probes []string, a inputValue, fieldType string) []string {
	return valuesFor(sc, ids, probes, a.Name, a.Type, fieldType, 0)
}

// valuesFor generates literals of type r for an argument or input field
// called name.
func valuesFor(sc *schemaInfo, ids *idSet, probes []string, name string, r typeRef, fieldType string, level int) []string {
	if r.Kind == "NON_NULL" {
		return valuesFor(sc, ids, probes, name, *r.OfType, fieldType, level)
	}
	if r.Kind == "LIST" {
		inner := valuesFor(sc, ids, probes, name, *r.OfType, fieldType, level)
		out := make([]string, 0, len(inner)+1)
		if sc.types[r.named().Name].Kind == "ENUM" && len(inner) > 1 {
			out = append(out, "["+strings.Join(inner, ", ")+"]")
		}
		for _, v := range inner {
			out = append(out, "["+v+"]")
		}
		return out
	}
	ty := sc.types[r.Name]
	switch ty.Kind {
	case "ENUM":
		var out []string
		for _, e := range ty.EnumValues {
			out = append(out, e.Name)
		}
		return out
	case "INPUT_OBJECT":
		if level > 2 {
			return nil
		}
		// The required fields, then one optional field at a time.
		var base []string
		for _, f := range ty.InputFields {
			if f.required() {
				vals := valuesFor(sc, ids, probes, f.Name, f.Type, fieldType, level+1)
				if len(vals) == 0 {
					return nil
				}
				base = append(base, f.Name+": "+vals[0])
			}
		}
		var out []string
		for _, f := range ty.InputFields {
			if f.required() {
				continue
			}
			for _, v := range valuesFor(sc, ids, probes, f.Name, f.Type, fieldType, level+1) {
				out = append(out, "{"+strings.Join(append(append([]string{}, base...), f.Name+": "+v), ", ")+"}")
			}
		}
		if len(out) == 0 {
			out = append(out, "{"+strings.Join(base, ", ")+"}")
		}
		return out
	}
	switch r.Name {
	case "ID":
		var out []string
		for _, id := range ids.forArg(name, fieldType) {
			out = append(out, strconv.Quote(id))
		}
		return out
	case "Boolean":
		return []string{"true", "false"}
	case "DateTime":
		// Moments at which the seed's agreements stood differently (as of
		// now is the default): a year ago, before any was agreed, and two
		// months ago, when some were.
		return []string{strconv.Quote(time.Now().AddDate(-1, 0, 0).UTC().Format(time.RFC3339)),
			strconv.Quote(time.Now().AddDate(0, -2, 0).UTC().Format(time.RFC3339))}
	case "Int":
		return []string{"1", "5"}
	case "Float":
		// Near the middle of England, wide enough to take in the country.
		switch name {
		case "latitude":
			return []string{"53.0"}
		case "longitude":
			return []string{"-1.8"}
		case "radiusKm":
			return []string{"500"}
		}
		return []string{"1"}
	case "String":
		var out []string
		for _, p := range probes {
			out = append(out, strconv.Quote(p))
		}
		return out
	}
	return nil
}

// ---------------------------------------------------------------------------
// Running the walk

type where struct {
	call   string
	path   string
	inData bool
}

func (w where) String() string { return w.call + " → " + w.path }

// leafInfo is where a value was received: first, how often, and by which
// field paths (without list indexes; a few of them).
type leafInfo struct {
	first  where
	count  int
	inData bool
	shapes map[string]bool
}

func keySet[V any](m map[string]V) map[string]bool {
	out := make(map[string]bool, len(m))
	for k := range m {
		out[k] = true
	}
	return out
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

type walkResult struct {
	requests, calls, paths int
	bytes                  int
	fieldCalls             map[string]int       // calls of each root field that returned
	codes                  map[string]int       // "rootField CODE" -> errors
	firstErr               map[string]string    // "rootField CODE" -> the first
	leaves                 map[string]*leafInfo // every distinct string received
}

type walker struct {
	url    string
	client *http.Client
	auth   string
	b      *selBuilder
	ids    *idSet
	mu     sync.Mutex
	res    walkResult
	fails  []string
}

func runWalk(t *testing.T, s *apiServer, who caller, b *selBuilder, ids *idSet, calls []rootCall) walkResult {
	t.Helper()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: walkWorkers}}
	defer client.CloseIdleConnections()
	w := &walker{url: s.URL, client: client, b: b, ids: ids, res: walkResult{codes: map[string]int{}, firstErr: map[string]string{},
		fieldCalls: map[string]int{},
		leaves:     map[string]*leafInfo{}}}
	if tok := s.token(who); tok != "" {
		w.auth = "Bearer " + tok
	}
	var batches [][]rootCall
	var paged []rootCall
	for _, c := range calls {
		if c.first > 0 {
			paged = append(paged, c)
			continue
		}
		if len(batches) == 0 || len(batches[len(batches)-1]) == walkBatch {
			batches = append(batches, nil)
		}
		batches[len(batches)-1] = append(batches[len(batches)-1], c)
	}
	work := make(chan func())
	var wg sync.WaitGroup
	for range walkWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range work {
				f()
			}
		}()
	}
	for _, batch := range batches {
		work <- func() { w.batch(batch) }
	}
	for _, c := range paged {
		work <- func() { w.pages(c) }
	}
	close(work)
	wg.Wait()
	for _, f := range w.fails {
		t.Error(f)
	}
	if t.Failed() {
		t.FailNow()
	}
	return w.res
}

func (w *walker) fail(format string, args ...any) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.fails = append(w.fails, fmt.Sprintf(format, args...))
}

// batch runs calls in one request. A failed non-null root field nulls the
// whole data, so when data is null the calls that did not fail themselves
// run again, in one request (or on their own when the errors do not say
// which failed), so that every call's data is seen.
func (w *walker) batch(calls []rootCall) {
	data, failed, ok := w.run(calls, nil)
	if !ok {
		return
	}
	if data == nil && len(calls) > 1 {
		var rest []rootCall
		for i, c := range calls {
			if !failed[i] {
				rest = append(rest, c)
			}
		}
		if len(failed) > 0 && len(rest) > 0 {
			w.batch(rest)
			return
		}
		for _, c := range rest {
			w.pages(c)
		}
		return
	}
	for i, c := range calls {
		if c.paginate {
			if cursor, more := nextPage(data, "r"+strconv.Itoa(i)); more {
				w.follow(c, cursor)
			}
		}
	}
}

// pages runs a call on its own, page by page if it is a connection.
func (w *walker) pages(c rootCall) {
	data, _, ok := w.run([]rootCall{c}, nil)
	if !ok || !c.paginate {
		return
	}
	if cursor, more := nextPage(data, "r0"); more {
		w.follow(c, cursor)
	}
}

func (w *walker) follow(c rootCall, cursor string) {
	for page := 1; ; page++ {
		if page > 1000 {
			w.fail("%s: more than 1000 pages", c)
			return
		}
		data, _, ok := w.run([]rootCall{c}, []string{cursor})
		if !ok {
			return
		}
		var more bool
		if cursor, more = nextPage(data, "r0"); !more {
			return
		}
	}
}

func nextPage(data map[string]any, alias string) (string, bool) {
	conn, _ := data[alias].(map[string]any)
	var pi map[string]any
	for k, v := range conn { // pageInfo, perhaps aliased
		if k == "pageInfo" || strings.HasSuffix(k, "_pageInfo") {
			pi, _ = v.(map[string]any)
		}
	}
	if more, _ := pi["hasNextPage"].(bool); !more {
		return "", false
	}
	cursor, _ := pi["endCursor"].(string)
	return cursor, cursor != ""
}

// run posts one request with the calls aliased r0, r1...; after, when given,
// is each call's cursor. It records everything that came back, and returns
// the data and which calls failed.
func (w *walker) run(calls []rootCall, after []string) (map[string]any, map[int]bool, bool) {
	var doc strings.Builder
	doc.WriteString("query Walk {\n")
	var used []string
	paths := 0
	names := make([]string, len(calls))
	for i, c := range calls {
		cur := ""
		if after != nil {
			cur = after[i]
		}
		doc.WriteString("  " + c.text("r"+strconv.Itoa(i), cur) + "\n")
		used = append(used, c.frags...)
		paths += c.paths
		names[i] = w.describe(c)
		if cur != "" {
			names[i] += " after " + cur
		}
	}
	doc.WriteString("}\n")
	w.b.fragmentsFor(used, map[string]bool{}, &doc)

	body, _ := json.Marshal(map[string]any{"query": doc.String()})
	req, err := http.NewRequest(http.MethodPost, w.url+"/graphql", bytes.NewReader(body))
	if err != nil {
		w.fail("%v", err)
		return nil, nil, false
	}
	req.Header.Set("Content-Type", "application/json")
	if w.auth != "" {
		req.Header.Set("Authorization", w.auth)
	}
	res, err := w.client.Do(req)
	if err != nil {
		w.fail("%s: %v", names[0], err)
		return nil, nil, false
	}
	raw, _ := io.ReadAll(res.Body)
	res.Body.Close()
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var r struct {
		Data   map[string]any `json:"data"`
		Errors []any          `json:"errors"`
	}
	if err := dec.Decode(&r); err != nil || res.StatusCode != http.StatusOK {
		w.fail("%s…: status %d, %.500s", names[0], res.StatusCode, raw)
		return nil, nil, false
	}

	w.mu.Lock()
	defer w.mu.Unlock()
	w.res.requests++
	w.res.bytes += len(raw)
	w.res.calls += len(calls)
	w.res.paths += paths
	for alias, v := range r.Data {
		i, _ := strconv.Atoi(strings.TrimPrefix(alias, "r"))
		w.collect(v, names[i], calls[i].field, calls[i].field, true)
	}
	failed := map[int]bool{}
	for i, e := range r.Errors {
		e, _ := e.(map[string]any)
		ext, _ := e["extensions"].(map[string]any)
		code, _ := ext["code"].(string)
		if code == "" {
			code = "(no code)"
		}
		call, field := "request", "request"
		path, _ := e["path"].([]any)
		if len(path) > 0 {
			if a, ok := path[0].(string); ok {
				n, err := strconv.Atoi(strings.TrimPrefix(a, "r"))
				if err == nil && n < len(names) {
					call, field = names[n], calls[n].field
					failed[n] = true
				}
			}
		} else if len(calls) == 1 {
			call, field = names[0], calls[0].field
		}
		key := field + " " + code
		w.res.codes[key]++
		if _, ok := w.res.firstErr[key]; !ok {
			w.res.firstErr[key] = fmt.Sprintf("%s: %v %v", call, e["message"], path)
		}
		w.collect(e, call, "errors["+strconv.Itoa(i)+"]", "errors", false)
	}
	if r.Data != nil || len(calls) == 1 {
		for _, c := range calls {
			w.res.fieldCalls[c.field]++
		}
	} else {
		for i := range failed { // the others run again
			w.res.fieldCalls[calls[i].field]++
		}
	}
	return r.Data, failed, true
}

// describe names a call for messages, with the names of the records its
// ID arguments name.
func (w *walker) describe(c rootCall) string {
	args := make([]string, len(c.args))
	for i, a := range c.args {
		args[i] = a
		if name, lit, ok := strings.Cut(a, ": "); ok {
			if rec, ok := w.ids.names[lit]; ok {
				args[i] = name + ": " + lit + " (" + rec + ")"
			}
		}
	}
	return c.field + argList(args)
}

// collect records every string and enum value under v; shape is path
// without list indexes.
func (w *walker) collect(v any, call, path, shape string, inData bool) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			w.collect(x, call, path+"."+k, shape+"."+k, inData)
		}
	case []any:
		for i, x := range v {
			w.collect(x, call, path+"["+strconv.Itoa(i)+"]", shape, inData)
		}
	case string:
		at := w.res.leaves[v]
		if at == nil {
			at = &leafInfo{shapes: map[string]bool{}}
			w.res.leaves[v] = at
		}
		if at.count == 0 || inData && !at.inData {
			at.first = where{call: call, path: path, inData: inData}
		}
		at.count++
		at.inData = at.inData || inData
		if len(at.shapes) < 8 {
			at.shapes[shape] = true
		}
	}
}

// ---------------------------------------------------------------------------
// What the caller must not see, and what they must

// viewerRule restates the visibility rule for the walk's SQL: PUBLIC to
// everyone; PROFESSIONAL to professionals, leads and admins; PARTNERSHIP to
// callers whose token names a partnership the record's institution
// currently belongs to, and admins. A contact point of a service is visible
// only when the service is too.
type viewerRule struct {
	professional, admin bool
	partnerships        []uuid.UUID
}

func (v viewerRule) args() pgx.NamedArgs {
	p := v.partnerships
	if p == nil {
		p = []uuid.UUID{}
	}
	return pgx.NamedArgs{"prof": v.professional, "admin": v.admin, "parts": p}
}

func visibleSQL(a string) string {
	return `(` + a + `.visibility = 'PUBLIC'
		OR (` + a + `.visibility = 'PROFESSIONAL' AND @prof::boolean)
		OR (` + a + `.visibility = 'PARTNERSHIP' AND EXISTS (SELECT 1 FROM partnership_members m
			WHERE m.institution_id = ` + a + `.institution_id AND m.retired_at IS NULL
			  AND m.partnership_id = ANY(@parts::uuid[])))
		OR @admin::boolean)`
}

var contactVisibleSQL = `(` + visibleSQL("c") + ` AND (c.service_id IS NULL OR EXISTS (
	SELECT 1 FROM services s WHERE s.id = c.service_id AND ` + visibleSQL("s") + `)))`

type secret struct {
	value  string
	what   string // the field and the record
	kind   string // the record's visibility
	record string // the record
	field  string
}

type secrets struct {
	secrets   []secret          // values of hidden records, found nowhere the caller may look
	dropped   []string          // values of hidden records that visible records also hold
	hiddenIDs map[string]string // global IDs of hidden records
	expected  []secret          // values of visible records that only they hold
	hiddenSvc []string          // names of hidden services
}

// probes is the text to search for with String filters: the names of
// hidden services, and a few words.
func (s *secrets) probes() []string {
	return append([]string{"mdt", "liaison", "mental health"}, s.hiddenSvc...)
}

// contactValuesSQL, serviceValuesSQL and stepValuesSQL list the details of
// contact points, services and pathway steps, one a row, for the condition
// appended.
const contactValuesSQL = `
	SELECT c.retired_at IS NOT NULL, c.id, c.name, c.visibility, v.col, v.val
	FROM contact_points c, LATERAL (VALUES ('name', c.name), ('jobTitle', c.job_title), ('email', c.email),
		('phone', c.phone), ('outOfHoursPhone', c.out_of_hours_phone), ('outOfHoursEmail', c.out_of_hours_email),
		('outOfHoursInstructions', c.out_of_hours_instructions), ('notes', c.notes)) v(col, val)
	WHERE v.val IS NOT NULL AND `

const serviceValuesSQL = `
	SELECT s.retired_at IS NOT NULL, s.id, s.name, s.visibility, v.col, v.val
	FROM services s, LATERAL (VALUES ('name', s.name), ('description', s.description), ('email', s.email),
		('phone', s.phone), ('textNumber', s.text_number), ('website', s.website), ('howToAccess', s.how_to_access),
		('whatToExpect', s.what_to_expect), ('eligibility', s.eligibility), ('outOfHours', s.out_of_hours)) v(col, val)
	WHERE v.val IS NOT NULL AND `

// A pathway step has no visibility of its own: it is seen when the
// services at both ends are (as the less visible of the two), and leaves
// the directory with its pathway or either service.
const stepValuesSQL = `
	SELECT st.retired_at IS NOT NULL OR pw.retired_at IS NOT NULL OR fs.retired_at IS NOT NULL OR ts.retired_at IS NOT NULL,
		st.id, fs.name || ' → ' || ts.name || ' (' || st.situation || ')',
		CASE WHEN 'PARTNERSHIP' IN (fs.visibility, ts.visibility) THEN 'PARTNERSHIP'
			WHEN 'PROFESSIONAL' IN (fs.visibility, ts.visibility) THEN 'PROFESSIONAL' ELSE 'PUBLIC' END,
		v.col, v.val
	FROM pathway_steps st JOIN pathways pw ON pw.id = st.pathway_id
		JOIN services fs ON fs.id = st.from_service_id JOIN services ts ON ts.id = st.to_service_id,
	LATERAL (VALUES ('eligibility', st.eligibility), ('protocol.notes', st.protocol_notes),
		('studentCanExpect.description', st.student_expectation)) v(col, val)
	WHERE v.val IS NOT NULL AND `

func loadSecrets(t *testing.T, s *apiServer, v viewerRule) *secrets {
	t.Helper()
	ctx := context.Background()
	type val struct {
		id               uuid.UUID
		name, vis, col   string
		value            string
		typ              string
		visible, retired bool
	}
	var vals []val
	for _, q := range []struct{ typ, sql, visible string }{
		{"ContactPoint", contactValuesSQL, contactVisibleSQL},
		{"Service", serviceValuesSQL, visibleSQL("s")},
		{"PathwayStep", stepValuesSQL, "(" + visibleSQL("fs") + " AND " + visibleSQL("ts") + ")"},
	} {
		for _, vis := range []bool{true, false} {
			cond := q.visible
			if !vis {
				cond = "NOT " + cond
			}
			rows, err := s.Pool.Query(ctx, q.sql+cond, v.args())
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				x := val{typ: q.typ, visible: vis}
				if err := rows.Scan(&x.retired, &x.id, &x.name, &x.vis, &x.col, &x.value); err != nil {
					t.Fatal(err)
				}
				vals = append(vals, x)
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
		}
	}

	// Everything the caller may legitimately receive: every text of every
	// current record that has no visibility of its own, and of every visible
	// contact point, service and pathway step.
	var open []string
	for _, table := range []string{"institutions", "sites", "partnerships", "governance_forums", "partnership_members",
		"responsibility_areas", "threshold_versions", "sharing_agreements", "pathways"} {
		cond := "t.retired_at IS NULL"
		if table == "threshold_versions" {
			cond = "true" // every version is in a threshold's history
		}
		rows, _ := s.Pool.Query(ctx, `SELECT row_to_json(t)::text FROM `+table+` t WHERE `+cond)
		js, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		for _, j := range js {
			var m any
			_ = json.Unmarshal([]byte(j), &m)
			open = appendStrings(open, m)
		}
	}
	for _, x := range vals {
		if x.visible && !x.retired {
			open = append(open, x.value)
		}
	}
	isOpen := func(s string) bool {
		for _, o := range open {
			if strings.Contains(o, s) {
				return true
			}
		}
		return false
	}

	out := &secrets{hiddenIDs: map[string]string{}}
	seen := map[string]bool{}
	for _, x := range vals {
		record := fmt.Sprintf("%s %s %q (%s)", x.vis, x.typ, x.name, graph.GlobalID(x.typ, x.id))
		what := x.col + " of " + record
		if x.visible {
			// A value of a visible, current record held by no hidden one
			// must come back; only the e-mails and phones of contact points
			// and services, and the protocol notes of steps, are checked,
			// and only from records the walk can reach (not retired).
			if !x.retired && (x.col == "email" || x.col == "phone" || x.col == "protocol.notes") {
				out.expected = append(out.expected, secret{x.value, what, x.vis, record, x.col})
			}
			continue
		}
		out.hiddenIDs[graph.GlobalID(x.typ, x.id)] = fmt.Sprintf("%s %s %q", x.vis, x.typ, x.name)
		if x.typ == "Service" && x.col == "name" {
			out.hiddenSvc = append(out.hiddenSvc, x.value)
		}
		if seen[x.value] {
			continue
		}
		seen[x.value] = true
		if len(x.value) < 4 || isOpen(x.value) {
			out.dropped = append(out.dropped, strconv.Quote(x.value))
			continue
		}
		out.secrets = append(out.secrets, secret{x.value, what, x.vis, record, x.col})
	}
	// A value a hidden record shares with a visible one is not expected.
	hidden := map[string]bool{}
	for _, x := range vals {
		if !x.visible {
			hidden[x.value] = true
		}
	}
	exp := out.expected[:0]
	for _, e := range out.expected {
		if !hidden[e.value] {
			exp = append(exp, e)
		}
	}
	out.expected = exp

	// Who signed a threshold is a member of staff: their name is for
	// signed-in callers only (ThresholdSignOff.signerName).
	rows, _ := s.Pool.Query(ctx, `SELECT DISTINCT o.signer_name, p.name || ': ' || a.name
		FROM threshold_signoffs o JOIN threshold_versions v ON v.id = o.threshold_version_id
		JOIN thresholds th ON th.id = v.threshold_id JOIN partnerships p ON p.id = th.partnership_id
		JOIN responsibility_areas a ON a.id = th.area_id WHERE o.signer_name IS NOT NULL ORDER BY 1, 2`)
	signers, err := pgx.CollectRows(rows, pgx.RowToStructByPos[struct{ Name, Threshold string }])
	if err != nil {
		t.Fatal(err)
	}
	if len(signers) == 0 {
		t.Fatal("no signed threshold in the seed; the walk needs signer names to look for")
	}
	signed := map[string]bool{}
	for _, sg := range signers {
		if signed[sg.Name] {
			continue
		}
		signed[sg.Name] = true
		record := fmt.Sprintf("sign-off of the threshold %q", sg.Threshold)
		sv := secret{sg.Name, "signerName of " + record, "SIGNER", record, "signerName"}
		switch {
		case v.professional:
			out.expected = append(out.expected, sv)
		case isOpen(sg.Name):
			out.dropped = append(out.dropped, strconv.Quote(sg.Name))
		default:
			out.secrets = append(out.secrets, sv)
		}
	}
	if len(out.secrets) < 10 {
		t.Fatalf("only %d hidden values in the seed for this caller; the walk needs hidden records to look for", len(out.secrets))
	}
	return out
}

func appendStrings(out []string, v any) []string {
	switch v := v.(type) {
	case map[string]any:
		for _, x := range v {
			out = appendStrings(out, x)
		}
	case []any:
		for _, x := range v {
			out = appendStrings(out, x)
		}
	case string:
		out = append(out, v)
	}
	return out
}
