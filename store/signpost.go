package store

import (
	"context"
	"slices"
	"sort"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// Signpost sections, in the order a student sees them.
const (
	SectionActNow      = "ACT_NOW"
	SectionInstitution = "AT_YOUR_INSTITUTION"
	SectionFurther     = "FURTHER_SUPPORT"
	SectionNational    = "NATIONAL"
	// SectionGeneral is the general route (the institution's wellbeing or
	// advice service, which can help with any need), when it is not already
	// listed because it names the need.
	SectionGeneral = "GENERAL_SUPPORT"
)

// Signpost is one option offered to a student.
type Signpost struct {
	Section string
	Service Service
	// Via is the pathway step that leads to a FURTHER_SUPPORT service from
	// one of the institution's own.
	Via *Step
	// Note is for the student, on the general route: that it can help with
	// any need and, when nothing in the answer is specific to the need,
	// that nothing specific is listed.
	Note *string
}

// crisisNeeds call for what to do right now whatever the urgency.
var crisisNeeds = []string{"SELF_HARM", "SUICIDAL_THOUGHTS", "PSYCHOSIS"}

// Signposts answers a student: for a need and an urgency, at an institution
// (or nationally when institutionID is nil), the options in the order they
// should see them. It reads only PUBLIC records, whoever asks, and costs a
// fixed number of queries.
func (s *Store) Signposts(ctx context.Context, institutionID *uuid.UUID, need, urgency string) ([]Signpost, error) {
	if err := checkEnums(enumValue{"need", "Need", need}, enumValue{"urgency", "Urgency", urgency}); err != nil {
		return nil, err
	}
	if institutionID != nil {
		ok, err := s.InstitutionExists(ctx, *institutionID)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, ErrNotFound
		}
	}
	return s.signposts(ctx, institutionID, need, urgency)
}

// signposts is Signposts without the existence check; need "" means any.
func (s *Store) signposts(ctx context.Context, institutionID *uuid.UUID, need, urgency string) ([]Signpost, error) {
	ctx = WithViewer(ctx, Viewer{}) // students: PUBLIC only
	// The steps that lead on from the institution's own services.
	var steps []Step
	if institutionID != nil {
		var err error
		steps, err = s.querySteps(ctx, `(fs.institution_id = @inst OR EXISTS (SELECT 1 FROM service_partners sp
			WHERE sp.service_id = fs.id AND sp.institution_id = @inst))`, pgx.NamedArgs{"inst": *institutionID})
		if err != nil {
			return nil, err
		}
	}
	reachable := map[uuid.UUID]*Step{}
	var reachIDs []uuid.UUID
	for i, st := range steps {
		if _, ok := reachable[st.ToServiceID]; !ok && slices.Contains(st.Consents, "GIVEN") {
			reachable[st.ToServiceID] = &steps[i]
			reachIDs = append(reachIDs, st.ToServiceID)
		}
	}
	// Every candidate in one query: national services, the institution's own
	// (alone or jointly), and those its pathways reach.
	var inst any
	if institutionID != nil {
		inst = *institutionID
	}
	// The institution's 24/7 options include those its own services send
	// students to when they are closed (a local crisis line).
	const ownOutOfHours = `s.id IN (SELECT o.out_of_hours_service_id FROM services o
		WHERE o.retired_at IS NULL AND o.visibility = 'PUBLIC' AND (o.institution_id = @inst
		   OR EXISTS (SELECT 1 FROM service_partners sp WHERE sp.service_id = o.id AND sp.institution_id = @inst)))`
	// National services belong to no NHS region and are not delivered at a
	// site (999, NHS 111, Samaritans, Shout). Only services the student's
	// institution is eligible for are offered (with no institution, only
	// those open to anyone).
	rows, _ := s.pool.Query(ctx, `SELECT `+serviceColumns+`, (i.region IS NULL AND s.site_id IS NULL) AS national,
			(s.institution_id = @inst::uuid OR EXISTS (SELECT 1 FROM service_partners sp WHERE sp.service_id = s.id AND sp.institution_id = @inst)) AS own,
			coalesce(`+ownOutOfHours+`, false) AS own_out_of_hours,
			(NOT EXISTS (SELECT 1 FROM service_eligible_institutions e WHERE e.service_id = s.id)
			 OR EXISTS (SELECT 1 FROM service_eligible_institutions e WHERE e.service_id = s.id AND e.institution_id = @inst)) AS eligible,
			(SELECT si.name FROM institutions si WHERE si.id = @inst::uuid) AS inst_name
		FROM services s JOIN institutions i ON i.id = s.institution_id AND i.retired_at IS NULL
		WHERE s.retired_at IS NULL AND `+visibleService+`
		  AND ((i.region IS NULL AND s.site_id IS NULL) OR s.institution_id = @inst OR s.id = ANY(@reach)
		       OR EXISTS (SELECT 1 FROM service_partners sp WHERE sp.service_id = s.id AND sp.institution_id = @inst)
		       OR `+ownOutOfHours+`
		       OR (@inst::uuid IS NULL AND 'ONLINE' = ANY(s.delivery_modes)))
		ORDER BY s.care_level DESC, lower(s.name), s.id`,
		withVisibility(ctx, pgx.NamedArgs{"inst": inst, "reach": nonNil(reachIDs)}))
	type candidate struct {
		Service
		National      bool  `db:"national"`
		Own           *bool `db:"own"`
		OwnOutOfHours bool  `db:"own_out_of_hours"`
		// Eligible is false for a service only the students of other
		// institutions may use (or, with no institution, of some only).
		Eligible bool `db:"eligible"`
		// InstName is the name of the student's institution.
		InstName *string `db:"inst_name"`
	}
	cands, err := pgx.CollectRows(rows, pgx.RowToStructByName[candidate])
	if err != nil {
		return nil, err
	}
	actNow := urgency == "URGENT" || urgency == "EMERGENCY" || slices.Contains(crisisNeeds, need)
	helps := func(svc Service) bool { return need == "" || slices.Contains(svc.Needs, need) }
	selfAccess := func(svc Service) bool {
		return slices.Contains(svc.AccessRoutes, "SELF_REFERRAL") || slices.Contains(svc.AccessRoutes, "WALK_IN")
	}
	listed := map[uuid.UUID]bool{}
	var out []Signpost
	add := func(section string, svc Service, via *Step) {
		listed[svc.ID] = true
		out = append(out, Signpost{Section: section, Service: svc, Via: via})
	}
	section := func(name string, keep func(c candidate) bool, via func(c candidate) *Step) {
		start := len(out)
		for start > 0 && out[start-1].Section == name {
			start-- // the section continues: sort it as a whole
		}
		for _, c := range cands {
			if !listed[c.ID] && c.Eligible && keep(c) {
				add(name, c.Service, via(c))
			}
		}
		// Services at capacity last, otherwise in the order read.
		part := out[start:]
		sort.SliceStable(part, func(i, j int) bool { return capacityRank(part[i].Service) < capacityRank(part[j].Service) })
	}
	noVia := func(candidate) *Step { return nil }
	own := func(c candidate) bool { return c.Own != nil && *c.Own }
	if actNow {
		// Emergency and 24/7 options: national ones first, then the institution's.
		section(SectionActNow, func(c candidate) bool {
			return c.Open24x7 && c.National && selfAccess(c.Service) || c.Open24x7 && c.National && slices.Contains(c.AccessRoutes, "URGENT_CARE")
		}, noVia)
		section(SectionActNow, func(c candidate) bool { return c.Open24x7 && (own(c) || c.OwnOutOfHours) && helps(c.Service) }, noVia)
	}
	if institutionID != nil {
		section(SectionInstitution, func(c candidate) bool { return own(c) && helps(c.Service) && selfAccess(c.Service) }, noVia)
		section(SectionFurther, func(c candidate) bool { return reachable[c.ID] != nil && helps(c.Service) },
			func(c candidate) *Step { return reachable[c.ID] })
	}
	section(SectionNational, func(c candidate) bool {
		return helps(c.Service) && (c.National || institutionID == nil && slices.Contains(c.DeliveryModes, "ONLINE"))
	}, noVia)
	if need == "" {
		return out, nil // everything that helps is listed already
	}
	// Never an empty answer: the general route, and a plain statement when
	// nothing listed is specific to the need.
	specific := slices.ContainsFunc(out, func(o Signpost) bool { return helps(o.Service) })
	var general []candidate
	where := "nationally"
	if institutionID != nil {
		// The institution's own wellbeing or advice service, which students
		// can contact themselves.
		for _, cat := range generalCategories {
			if i := slices.IndexFunc(cands, func(c candidate) bool {
				return c.Eligible && own(c) && selfAccess(c.Service) && c.Category == cat
			}); i >= 0 {
				general = append(general, cands[i])
				break
			}
		}
		where = "for your institution"
		if len(cands) > 0 && cands[0].InstName != nil {
			where = "for " + *cands[0].InstName
		}
	}
	if len(general) == 0 && (!specific || institutionID != nil) {
		// No institution, or one with no general service: the national
		// helplines anyone can contact about anything.
		for _, c := range cands {
			if c.Eligible && c.National && c.Category == "HELPLINE" && selfAccess(c.Service) {
				general = append(general, c)
			}
		}
	}
	for i, c := range general {
		if helps(c.Service) && listed[c.ID] {
			continue // listed for this need already
		}
		note := c.Name + " can help with any need, whatever it is, and can refer you on."
		if c.National {
			note = c.Name + " will listen to anyone about anything, and can tell you where else to turn."
		}
		if !specific && i == 0 {
			note = "Nothing specific to " + needLabel(need) + " is listed " + where + ". " + note
		}
		if j := slices.IndexFunc(out, func(o Signpost) bool { return o.Service.ID == c.ID }); j >= 0 {
			out[j].Note = &note // listed already (e.g. a helpline to act now): say it there
			continue
		}
		listed[c.ID] = true
		out = append(out, Signpost{Section: SectionGeneral, Service: c.Service, Note: &note})
	}
	return out, nil
}

// generalCategories are the kinds of an institution's own service that are
// its general route, the first found: a wellbeing or advice service, which
// can help with any need and refer on.
var generalCategories = []string{"ADVICE", "COUNSELLING", "DROP_IN"}

// needLabel is a need as a student would say it.
func needLabel(need string) string {
	switch need {
	case "REGISTERING_WITH_GP":
		return "registering with a GP"
	case "TRANSITION_FROM_CAMHS":
		return "moving on from children's mental health services (CAMHS)"
	case "INTERNATIONAL_STUDENT_ADVICE":
		return "advice for international students"
	case "NEURODIVERGENCE":
		return "neurodivergence (such as autism or ADHD)"
	case "FINANCIAL_STRESS":
		return "money worries"
	case "SUBSTANCE_USE":
		return "drug or alcohol use"
	case "EATING_DISORDER":
		return "eating disorders"
	case "SUICIDAL_THOUGHTS":
		return "suicidal thoughts"
	case "LOW_MOOD":
		return "low mood"
	}
	return strings.ToLower(strings.ReplaceAll(need, "_", " "))
}

func capacityRank(s Service) int {
	switch s.CapacityStatus {
	case "OPEN":
		return 0
	case "WAITING_LIST":
		return 1
	}
	return 2
}
