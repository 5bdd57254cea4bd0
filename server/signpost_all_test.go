package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/waymark/waymark/graph"
)

// signpostAllQuery asks for everything a student's app could show,
// contacts included, so that any staff personal data would be seen.
const signpostAllQuery = `query($i: ID, $need: Need!, $urgency: Urgency!) {
	signpost(institutionId: $i, need: $need, urgency: $urgency) {
		section note openNow howToAccess
		service { id name needs category visibility institution { id name }
			contactPoints { name kind email phone visibility } }
		via { from { name } to { name } }
	} }`

type signpostAllView struct {
	Section string
	Note    *string
	Service struct {
		ID, Name, Category, Visibility string
		Needs                          []string
		Institution                    struct{ ID, Name string }
	}
}

func (s *apiServer) signpostAll(institution *string, need, urgency string) ([]signpostAllView, string) {
	s.t.Helper()
	vars := map[string]any{"need": need, "urgency": urgency}
	if institution != nil {
		vars["i"] = *institution
	}
	var got struct{ Signpost []signpostAllView }
	r := s.do(anonymous, signpostAllQuery, vars)
	r.decode(s.t, &got)
	return got.Signpost, r.Raw
}

// TestSignpostNeverEmpty asks for signposting at every seeded education
// provider, and with no institution, for every need and every urgency,
// through the HTTP API. Every answer has something in it: the general route
// at the student's institution (its wellbeing or advice service), what fits
// the need, and, when nothing specific to the need is listed, a note saying
// so. URGENT and EMERGENCY answers start with what to do right now, and no
// answer names staff or gives their e-mail addresses.
//
// Before the general route, 99 of the 14 × 18 (institution, need) pairs had
// an empty answer at some urgency (SEXUAL_VIOLENCE at every one); now none
// has.
func TestSignpostNeverEmpty(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	type inst struct{ ID, Name string }
	var insts []inst
	rows, err := s.Pool.Query(t.Context(), `SELECT id::text, name FROM institutions
		WHERE kind IN ('HIGHER_EDUCATION_PROVIDER', 'FURTHER_EDUCATION_COLLEGE') AND retired_at IS NULL ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var i inst
		if err := rows.Scan(&i.ID, &i.Name); err != nil {
			t.Fatal(err)
		}
		i.ID = graph.GlobalID("Institution", uuid.MustParse(i.ID))
		insts = append(insts, i)
	}
	rows.Close()
	if len(insts) < 13 {
		t.Fatalf("only %d education providers in the seed", len(insts))
	}
	// Staff personal data: the names and e-mail addresses of named people.
	var staff []string
	rows, err = s.Pool.Query(t.Context(), `SELECT name, coalesce(email, '') FROM contact_points WHERE kind = 'PERSON'`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name, email string
		if err := rows.Scan(&name, &email); err != nil {
			t.Fatal(err)
		}
		staff = append(staff, name)
		if email != "" {
			staff = append(staff, email)
		}
	}
	rows.Close()
	if len(staff) < 10 {
		t.Fatalf("only %d staff details in the seed", len(staff))
	}
	var enums struct {
		Need, Urgency struct{ EnumValues []struct{ Name string } }
	}
	s.query(anonymous, `{ need: __type(name: "Need") { enumValues { name } } urgency: __type(name: "Urgency") { enumValues { name } } }`, nil, &enums)
	if len(enums.Need.EnumValues) < 18 || len(enums.Urgency.EnumValues) != 4 {
		t.Fatalf("needs and urgencies: %+v", enums)
	}
	check := func(in *inst, need, urgency string) bool {
		t.Helper()
		var iid *string
		where := "nationally"
		if in != nil {
			iid, where = &in.ID, in.Name
		}
		got, raw := s.signpostAll(iid, need, urgency)
		if len(got) == 0 {
			t.Errorf("%s × %s × %s: an empty answer", where, need, urgency)
			return false
		}
		if (urgency == "URGENT" || urgency == "EMERGENCY") && got[0].Section != "ACT_NOW" {
			t.Errorf("%s × %s × %s: starts with %s, not ACT_NOW", where, need, urgency, got[0].Section)
		}
		for _, p := range staff {
			if strings.Contains(raw, p) {
				t.Errorf("%s × %s × %s: names staff (%s)", where, need, urgency, p)
			}
		}
		specific := false
		for _, o := range got {
			if o.Service.Visibility != "PUBLIC" {
				t.Errorf("%s × %s × %s: offers %s, which is %s", where, need, urgency, o.Service.Name, o.Service.Visibility)
			}
			if slices.Contains(o.Service.Needs, need) {
				specific = true
			}
			if o.Section == "GENERAL_SUPPORT" && (o.Note == nil || *o.Note == "") {
				t.Errorf("%s × %s × %s: GENERAL_SUPPORT %s has no note", where, need, urgency, o.Service.Name)
			}
		}
		said := slices.ContainsFunc(got, func(o signpostAllView) bool {
			return o.Note != nil && strings.HasPrefix(*o.Note, "Nothing specific to ")
		})
		if specific == said {
			t.Errorf("%s × %s × %s: something specific %v, but says nothing specific is listed %v", where, need, urgency, specific, said)
		}
		if in != nil && !slices.ContainsFunc(got, func(o signpostAllView) bool {
			return (o.Section == "AT_YOUR_INSTITUTION" || o.Section == "GENERAL_SUPPORT") &&
				slices.Contains([]string{"ADVICE", "COUNSELLING", "DROP_IN"}, o.Service.Category)
		}) {
			t.Errorf("%s × %s × %s: no general route at the institution: %s", where, need, urgency, raw)
		}
		return true
	}
	empty := 0
	for _, in := range insts {
		for _, n := range enums.Need.EnumValues {
			ok := true
			for _, u := range enums.Urgency.EnumValues {
				ok = check(&in, n.Name, u.Name) && ok
			}
			if !ok {
				empty++
			}
		}
	}
	for _, n := range enums.Need.EnumValues {
		for _, u := range enums.Urgency.EnumValues {
			check(nil, n.Name, u.Name)
		}
	}
	t.Logf("%d education providers × %d needs: %d pairs with an empty answer", len(insts), len(enums.Need.EnumValues), empty)
}

// TestSignpostGeneralRoute: the cases of issue 10 item 2, with the answers
// a student should get.
func TestSignpostGeneralRoute(t *testing.T) {
	t.Parallel()
	s := newAPIServer(t)
	uol := id("Institution", "institutions", "uol")
	bristol := id("Institution", "institutions", "bristol")
	mhas := id("Service", "services", "mhas")

	// Nothing for sexual violence at Liverpool: the Mental Health Advisory
	// Service, which can help with any need, says so.
	got, _ := s.signpostAll(&uol, "SEXUAL_VIOLENCE", "ROUTINE")
	if len(got) != 1 || got[0].Section != "GENERAL_SUPPORT" || got[0].Service.ID != mhas || got[0].Note == nil ||
		*got[0].Note != "Nothing specific to sexual violence is listed for University of Liverpool. "+
			"Mental Health Advisory Service (MHAS) can help with any need, whatever it is, and can refer you on." {
		t.Errorf("University of Liverpool × SEXUAL_VIOLENCE × ROUTINE: %+v", got)
	}
	// Urgent: act now first, then the general route, saying so.
	got, _ = s.signpostAll(&uol, "SEXUAL_VIOLENCE", "EMERGENCY")
	if len(got) < 2 || got[0].Section != "ACT_NOW" || got[len(got)-1].Section != "GENERAL_SUPPORT" ||
		!strings.HasPrefix(*got[len(got)-1].Note, "Nothing specific to sexual violence") {
		t.Errorf("University of Liverpool × SEXUAL_VIOLENCE × EMERGENCY: %+v", got)
	}
	// Nothing for eating disorders at Bristol: its wellbeing service is the
	// route.
	got, _ = s.signpostAll(&bristol, "EATING_DISORDER", "ROUTINE")
	if len(got) == 0 || got[len(got)-1].Section != "GENERAL_SUPPORT" || got[len(got)-1].Service.Institution.ID != bristol ||
		!strings.HasPrefix(*got[len(got)-1].Note, "Nothing specific to eating disorders is listed for University of Bristol.") {
		t.Errorf("University of Bristol × EATING_DISORDER × ROUTINE: %+v", got)
	}
	// Something specific is listed (U-COPE through MHAS; MHAS itself helps
	// with self-harm): MHAS is at the institution, no general route is
	// added and nothing says otherwise.
	got, _ = s.signpostAll(&uol, "SELF_HARM", "URGENT")
	for _, o := range got {
		if o.Section == "GENERAL_SUPPORT" || o.Note != nil {
			t.Errorf("University of Liverpool × SELF_HARM × URGENT has a general route or note: %+v", o)
		}
	}
	// Something specific elsewhere, but not at the general service: it is
	// still offered, without "nothing specific".
	got, _ = s.signpostAll(&uol, "PSYCHOSIS", "ROUTINE")
	i := slices.IndexFunc(got, func(o signpostAllView) bool { return o.Section == "GENERAL_SUPPORT" })
	if i < 0 || got[i].Service.ID != mhas || got[i].Note == nil || strings.HasPrefix(*got[i].Note, "Nothing") {
		t.Errorf("University of Liverpool × PSYCHOSIS × ROUTINE: %+v", got)
	}
	// No institution, nothing specific: the national helplines, saying so.
	got, _ = s.signpostAll(nil, "SEXUAL_VIOLENCE", "ROUTINE")
	if len(got) == 0 || got[0].Section != "GENERAL_SUPPORT" || got[0].Note == nil ||
		!strings.HasPrefix(*got[0].Note, "Nothing specific to sexual violence is listed nationally.") {
		t.Errorf("nationally × SEXUAL_VIOLENCE × ROUTINE: %+v", got)
	}
}
