package seed

import (
	"context"
	"slices"
	"strings"
	"testing"
)

// clone copies the seed deeply enough for a test to change one row.
func clone() dataset {
	d := all()
	d.Institutions = slices.Clone(d.Institutions)
	d.Partnerships = slices.Clone(d.Partnerships)
	d.Services = slices.Clone(d.Services)
	d.ContactPoints = slices.Clone(d.ContactPoints)
	d.SharingAgreements = slices.Clone(d.SharingAgreements)
	d.Pathways = slices.Clone(d.Pathways)
	for i := range d.Pathways {
		d.Pathways[i].Steps = slices.Clone(d.Pathways[i].Steps)
	}
	return d
}

// step is the step of the seed with the given key, to change in a test.
func step(t *testing.T, d dataset, key string) *PathwayStep {
	t.Helper()
	for i := range d.Pathways {
		for j := range d.Pathways[i].Steps {
			if d.Pathways[i].Steps[j].Key == key {
				return &d.Pathways[i].Steps[j]
			}
		}
	}
	t.Fatalf("no pathway step %q", key)
	return nil
}

func serviceIndex(t *testing.T, d dataset, key string) int {
	t.Helper()
	i := slices.IndexFunc(d.Services, func(s Service) bool { return s.Key == key })
	if i < 0 {
		t.Fatalf("no service %q", key)
	}
	return i
}

func contactIndex(t *testing.T, d dataset, key string) int {
	t.Helper()
	i := slices.IndexFunc(d.ContactPoints, func(c ContactPoint) bool { return c.Key == key })
	if i < 0 {
		t.Fatalf("no contact point %q", key)
	}
	return i
}

func TestSeedIsValid(t *testing.T) {
	if err := all().validate(); err != nil {
		t.Fatal(err)
	}
}

func TestValidateReportsBadReferences(t *testing.T) {
	tests := []struct {
		name   string
		break_ func(t *testing.T, d *dataset)
		want   []string // every fragment must appear in the error
	}{
		{
			name: "service institution",
			break_: func(t *testing.T, d *dataset) {
				d.Services[serviceIndex(t, *d, "ucope")].Institution = "no-such-trust"
			},
			want: []string{`service "ucope"`, `"no-such-trust"`},
		},
		{
			name: "site of another institution",
			break_: func(t *testing.T, d *dataset) {
				d.Services[serviceIndex(t, *d, "mhas")].Site = "ljmu-student-life"
			},
			want: []string{`service "mhas"`, `"ljmu-student-life"`},
		},
		{
			name: "out-of-hours service",
			break_: func(t *testing.T, d *dataset) {
				d.Services[serviceIndex(t, *d, "mhas")].OutOfHoursService = "nowhere"
			},
			want: []string{`service "mhas"`, `"nowhere"`},
		},
		{
			name: "member",
			break_: func(t *testing.T, d *dataset) {
				p := d.Partnerships[0]
				p.Members = append(slices.Clone(p.Members), Member{Institution: "ghost", Role: "x"})
				d.Partnerships[0] = p
			},
			want: []string{`"ghost"`},
		},
		{
			name: "contact service at another institution",
			break_: func(t *testing.T, d *dataset) {
				d.ContactPoints[contactIndex(t, *d, "ljmu-urgent-care")].Service = "mhas"
			},
			want: []string{`contact point "ljmu-urgent-care"`, `"mhas"`},
		},
		{
			name: "deputy at another institution",
			break_: func(t *testing.T, d *dataset) {
				d.ContactPoints[contactIndex(t, *d, "ljmu-urgent-care")].Deputy = "uol-mhas-manager"
			},
			want: []string{`contact point "ljmu-urgent-care"`, `deputy "uol-mhas-manager"`},
		},
		{
			name: "missing successor",
			break_: func(t *testing.T, d *dataset) {
				d.ContactPoints[contactIndex(t, *d, "ljmu-urgent-care-previous")].Successor = "nobody"
			},
			want: []string{`successor "nobody"`},
		},
		{
			name: "successor without end",
			break_: func(t *testing.T, d *dataset) {
				d.ContactPoints[contactIndex(t, *d, "ljmu-urgent-care-previous")].ValidToDaysFromNow = nil
			},
			want: []string{`contact point "ljmu-urgent-care-previous"`, "no end of validity"},
		},
		{
			name: "deputy cycle",
			break_: func(t *testing.T, d *dataset) {
				d.ContactPoints[contactIndex(t, *d, "ljmu-wellbeing-duty")].Deputy = "ljmu-urgent-care"
			},
			want: []string{"cycle", "ljmu-urgent-care", "ljmu-wellbeing-duty"},
		},
		{
			name: "step to an unknown service",
			break_: func(t *testing.T, d *dataset) {
				step(t, *d, "liverpool-after/ae-to-ljmu").To = "no-such-service"
			},
			want: []string{`pathway "liverpool-after"`, `step "liverpool-after/ae-to-ljmu"`, `to-service "no-such-service"`},
		},
		{
			name: "step from an unknown service",
			break_: func(t *testing.T, d *dataset) {
				step(t, *d, "gm-he-pathway/rncm-to-hems").From = "rncm-nowhere"
			},
			want: []string{`step "gm-he-pathway/rncm-to-hems"`, `from-service "rncm-nowhere"`},
		},
		{
			name: "step under an unknown agreement",
			break_: func(t *testing.T, d *dataset) {
				step(t, *d, "liverpool-after/ae-to-liaison").Agreement = "no-such-isa"
			},
			want: []string{`step "liverpool-after/ae-to-liaison"`, `agreement "no-such-isa"`},
		},
		{
			name: "step with an unknown situation",
			break_: func(t *testing.T, d *dataset) {
				step(t, *d, "liverpool-after/ae-to-liaison").Situation = "AT_THE_PUB"
			},
			want: []string{`step "liverpool-after/ae-to-liaison"`, `"AT_THE_PUB"`},
		},
		{
			name: "agreement party",
			break_: func(t *testing.T, d *dataset) {
				a := d.SharingAgreements[0]
				a.Parties = append(slices.Clone(a.Parties), "ghost-trust")
				d.SharingAgreements[0] = a
			},
			want: []string{`sharing agreement "liverpool-consent-isa"`, `party "ghost-trust"`},
		},
		{
			name: "pathway partnership",
			break_: func(t *testing.T, d *dataset) {
				d.Pathways[0].Partnership = "atlantis"
			},
			want: []string{`pathway "liverpool-before"`, `partnership "atlantis"`},
		},
		{
			name: "overlapping hours",
			break_: func(t *testing.T, d *dataset) {
				i := serviceIndex(t, *d, "mhas")
				d.Services[i].Hours = []Hours{{Days: []int{1}, Opens: "09:00", Closes: "12:00"}, {Days: []int{1}, Opens: "11:00", Closes: "13:00"}}
			},
			want: []string{`service "mhas"`, "overlap"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := clone()
			tt.break_(t, &d)
			err := d.validate()
			if err == nil {
				t.Fatal("validate accepted broken data")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %s", err, w)
				}
			}
			// Load checks before it touches the database: a nil connection is
			// never used.
			if _, err := load(context.Background(), nil, d, false); err == nil {
				t.Error("load accepted broken data")
			}
		})
	}
}

func TestKeyChangesWithData(t *testing.T) {
	d := clone()
	before := keyOf(d)
	d.Services[serviceIndex(t, d, "ucope")].ExpectedWaitDays = ptr(99)
	if keyOf(d) == before {
		t.Error("Key did not change when the data changed")
	}
	if keyOf(all()) != Key() {
		t.Error("Key is not the key of the seed")
	}
}

func TestOrderPutsReferencesFirst(t *testing.T) {
	contacts, err := orderContacts(ContactPoints)
	if err != nil {
		t.Fatal(err)
	}
	pos := map[string]int{}
	for i, c := range contacts {
		pos[c.Key] = i
	}
	for _, c := range contacts {
		for _, ref := range []string{c.Deputy, c.Successor} {
			if ref != "" && pos[ref] > pos[c.Key] {
				t.Errorf("%q comes before %q, which it refers to", c.Key, ref)
			}
		}
	}
	services, err := orderServices(Services)
	if err != nil {
		t.Fatal(err)
	}
	spos := map[string]int{}
	for i, s := range services {
		spos[s.Key] = i
	}
	for _, s := range services {
		if s.OutOfHoursService != "" && spos[s.OutOfHoursService] > spos[s.Key] {
			t.Errorf("%q comes before its out-of-hours service %q", s.Key, s.OutOfHoursService)
		}
	}
}
