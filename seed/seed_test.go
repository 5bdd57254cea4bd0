package seed_test

import (
	"context"
	"regexp"
	"slices"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/waymark/waymark/seed"
	"github.com/waymark/waymark/store/storetest"
)

// seededTables are every table the seed writes.
var seededTables = []string{
	"institutions", "sites", "partnerships", "partnership_members", "governance_forums",
	"services", "service_partners", "service_eligible_institutions", "service_opening_hours",
	"contact_points", "responsibility_areas", "thresholds", "threshold_versions",
	"threshold_version_services", "threshold_signoffs",
	"sharing_agreements", "sharing_agreement_parties", "pathways", "pathway_steps",
}

// connect opens a connection to a fresh, migrated, empty database.
func connect(t *testing.T, opts ...storetest.Option) *pgx.Conn {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, storetest.URL(t, opts...))
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// loaded is a fresh database with the seed loaded.
func loaded(t *testing.T) *pgx.Conn {
	t.Helper()
	conn := connect(t)
	if err := seed.Load(context.Background(), conn); err != nil {
		t.Fatalf("Load: %v", err)
	}
	return conn
}

func queryInt(t *testing.T, conn *pgx.Conn, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := conn.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

func queryStrings(t *testing.T, conn *pgx.Conn, sql string, args ...any) []string {
	t.Helper()
	rows, err := conn.Query(context.Background(), sql, args...)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return out
}

// snapshot is, for every seeded table, its row count and a fingerprint of its
// full contents (every column, including version and updated_at).
func snapshot(t *testing.T, conn *pgx.Conn) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, table := range seededTables {
		var summary string
		// table comes from the fixed list above, never from input.
		err := conn.QueryRow(context.Background(), `
			SELECT count(*) || ' rows, md5 ' || coalesce(md5(string_agg(t::text, ',' ORDER BY t::text)), '-')
			FROM `+table+` t`).Scan(&summary)
		if err != nil {
			t.Fatalf("fingerprint %s: %v", table, err)
		}
		out[table] = summary
	}
	return out
}

func TestLoadEmptyDatabase(t *testing.T) {
	conn := loaded(t)

	// Every declared row is there.
	var sites, forums, hours int
	for _, in := range seed.Institutions {
		sites += len(in.Sites)
	}
	for _, p := range seed.Partnerships {
		forums += len(p.Forums)
	}
	for _, s := range seed.Services {
		for _, h := range s.Hours {
			hours += len(h.Days)
		}
	}
	for table, want := range map[string]int{
		"institutions":          len(seed.Institutions),
		"sites":                 sites,
		"partnerships":          len(seed.Partnerships),
		"governance_forums":     forums,
		"services":              len(seed.Services),
		"service_opening_hours": hours,
		"contact_points":        len(seed.ContactPoints),
	} {
		if got := queryInt(t, conn, `SELECT count(*) FROM `+table); got != want {
			t.Errorf("%s: %d rows, want %d", table, got, want)
		}
	}

	// Every partnership of the documents exists with (at least) these members.
	wantMembers := map[string][]string{
		"liverpool":          {"uol", "ljmu", "mersey-care", "liverpool-guild", "brownlow-health"},
		"bristol":            {"uwe", "bristol", "uwe-su", "bristol-su", "bristol-city-council"},
		"greater-manchester": {"manchester", "mmu", "salford", "bolton", "rncm", "gmmh"},
		"north-london":       {"ucl", "imperial", "candi"},
		"sheffield":          {"sheffield", "shu", "shsc"},
		"birmingham":         {"birmingham", "bwc", "childrens-society"},
	}
	for p, members := range wantMembers {
		var name string
		err := conn.QueryRow(context.Background(), `SELECT name FROM partnerships WHERE id = $1`,
			seed.ID("partnerships", p)).Scan(&name)
		if err != nil {
			t.Errorf("partnership %q: %v", p, err)
			continue
		}
		got := queryStrings(t, conn,
			`SELECT institution_id::text FROM partnership_members WHERE partnership_id = $1`,
			seed.ID("partnerships", p))
		for _, m := range members {
			if !slices.Contains(got, seed.ID("institutions", m).String()) {
				t.Errorf("partnership %q (%s): %q is not a member", p, name, m)
			}
		}
	}
}

func TestLiverpoolModel(t *testing.T) {
	conn := loaded(t)
	ctx := context.Background()

	wantServices := map[string]struct {
		institution, category string
		open247               bool
		need                  string
	}{
		"mhas":                    {"uol", "ADVICE", false, "SELF_HARM"},
		"student-liaison":         {"mersey-care", "LIAISON", false, "SELF_HARM"},
		"ucope":                   {"mersey-care", "PSYCHOLOGICAL_THERAPY", false, "SELF_HARM"},
		"liverpool-mdt":           {"mersey-care", "MULTIDISCIPLINARY_TEAM", false, ""},
		"ljmu-wellbeing":          {"ljmu", "ADVICE", false, ""},
		"rluh-ae-liaison":         {"mersey-care", "URGENT_CARE", true, "SELF_HARM"},
		"brownlow-gp":             {"brownlow-health", "GP", false, "REGISTERING_WITH_GP"},
		"uol-residence-life":      {"uol", "RESIDENTIAL_SUPPORT", false, ""},
		"mersey-care-crisis-line": {"mersey-care", "CRISIS_TEAM", true, "SUICIDAL_THOUGHTS"},
	}
	for key, want := range wantServices {
		var institution uuid.UUID
		var category string
		var open247 bool
		var needs []string
		err := conn.QueryRow(ctx,
			`SELECT institution_id, category, open_24_7, needs FROM services WHERE id = $1`,
			seed.ID("services", key)).Scan(&institution, &category, &open247, &needs)
		if err != nil {
			t.Errorf("service %q: %v", key, err)
			continue
		}
		if institution != seed.ID("institutions", want.institution) || category != want.category || open247 != want.open247 {
			t.Errorf("service %q: category %s, 24/7 %v; want %s at %s, 24/7 %v",
				key, category, open247, want.category, want.institution, want.open247)
		}
		if want.need != "" && !slices.Contains(needs, want.need) {
			t.Errorf("service %q: needs %v, want %s among them", key, needs, want.need)
		}
	}

	// The MDT is also a governance forum, meeting weekly.
	var cadence string
	err := conn.QueryRow(ctx, `SELECT cadence FROM governance_forums WHERE id = $1 AND partnership_id = $2`,
		seed.ID("governance_forums", "liverpool-weekly-mdt"), seed.ID("partnerships", "liverpool")).Scan(&cadence)
	if err != nil || cadence != "WEEKLY" {
		t.Errorf("weekly MDT forum: cadence %q, err %v", cadence, err)
	}

	// Scenario 1: LJMU's urgent care contact has left post; the successor is
	// current and has a deputy.
	var validTo *string
	var successor *uuid.UUID
	var kind string
	err = conn.QueryRow(ctx, `
		SELECT kind, valid_to::text, successor_id FROM contact_points
		WHERE id = $1 AND institution_id = $2 AND purpose = 'URGENT_CARE_NOTIFICATION' AND valid_to < current_date`,
		seed.ID("contact_points", "ljmu-urgent-care-previous"), seed.ID("institutions", "ljmu")).
		Scan(&kind, &validTo, &successor)
	if err != nil {
		t.Fatalf("LJMU left-post urgent care contact: %v", err)
	}
	if kind != "PERSON" || successor == nil || *successor != seed.ID("contact_points", "ljmu-urgent-care") {
		t.Errorf("LJMU left-post contact: kind %s, successor %v", kind, successor)
	}
	n := queryInt(t, conn, `
		SELECT count(*) FROM contact_points s JOIN contact_points d ON d.id = s.deputy_id
		WHERE s.id = $1 AND s.valid_from <= current_date AND (s.valid_to IS NULL OR s.valid_to >= current_date)
		  AND s.purpose = 'URGENT_CARE_NOTIFICATION' AND d.institution_id = s.institution_id`,
		seed.ID("contact_points", "ljmu-urgent-care"))
	if n != 1 {
		t.Errorf("LJMU successor is not current with a deputy")
	}
}

func TestLoadTwiceChangesNothing(t *testing.T) {
	conn := loaded(t)
	before := snapshot(t, conn)
	if err := seed.Load(context.Background(), conn); err != nil {
		t.Fatalf("second Load: %v", err)
	}
	after := snapshot(t, conn)
	for _, table := range seededTables {
		if before[table] != after[table] {
			t.Errorf("%s changed on the second load: %s, then %s", table, before[table], after[table])
		}
	}
}

func TestLoadKeepsEdits(t *testing.T) {
	conn := loaded(t)
	ctx := context.Background()
	mhas := seed.ID("services", "mhas")
	if _, err := conn.Exec(ctx, `UPDATE services SET name = 'Renamed by a lead', version = version + 1 WHERE id = $1`, mhas); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `DELETE FROM service_eligible_institutions WHERE service_id = $1`, mhas); err != nil {
		t.Fatal(err)
	}
	if err := seed.Load(ctx, conn); err != nil {
		t.Fatalf("Load: %v", err)
	}
	var name string
	var version int
	if err := conn.QueryRow(ctx, `SELECT name, version FROM services WHERE id = $1`, mhas).Scan(&name, &version); err != nil {
		t.Fatal(err)
	}
	if name != "Renamed by a lead" || version != 2 {
		t.Errorf("edit was undone: name %q, version %d", name, version)
	}
	if n := queryInt(t, conn, `SELECT count(*) FROM service_eligible_institutions WHERE service_id = $1`, mhas); n != 0 {
		t.Errorf("removed eligibility came back: %d rows", n)
	}
}

func TestLoadIfEmpty(t *testing.T) {
	ctx := context.Background()
	conn := connect(t)

	loadedNow, err := seed.LoadIfEmpty(ctx, conn)
	if err != nil || !loadedNow {
		t.Fatalf("LoadIfEmpty on an empty database = %v, %v; want true, nil", loadedNow, err)
	}
	if n := queryInt(t, conn, `SELECT count(*) FROM institutions`); n != len(seed.Institutions) {
		t.Errorf("%d institutions after LoadIfEmpty, want %d", n, len(seed.Institutions))
	}
	before := snapshot(t, conn)
	loadedNow, err = seed.LoadIfEmpty(ctx, conn)
	if err != nil || loadedNow {
		t.Fatalf("LoadIfEmpty on a seeded database = %v, %v; want false, nil", loadedNow, err)
	}
	after := snapshot(t, conn)
	for _, table := range seededTables {
		if before[table] != after[table] {
			t.Errorf("%s changed: %s, then %s", table, before[table], after[table])
		}
	}
}

func TestLoadIfEmptyKeepsOtherData(t *testing.T) {
	ctx := context.Background()
	conn := connect(t)
	if _, err := conn.Exec(ctx, `INSERT INTO institutions (name, kind) VALUES ('Somewhere else', 'CHARITY')`); err != nil {
		t.Fatal(err)
	}
	loadedNow, err := seed.LoadIfEmpty(ctx, conn)
	if err != nil || loadedNow {
		t.Fatalf("LoadIfEmpty with an institution present = %v, %v; want false, nil", loadedNow, err)
	}
	if n := queryInt(t, conn, `SELECT count(*) FROM institutions`); n != 1 {
		t.Errorf("%d institutions, want 1", n)
	}
}

func TestSeededTemplate(t *testing.T) {
	conn := connect(t, storetest.WithData(seed.Key(), seed.Load))
	if n := queryInt(t, conn, `SELECT count(*) FROM contact_points`); n != len(seed.ContactPoints) {
		t.Errorf("template has %d contact points, want %d", n, len(seed.ContactPoints))
	}
	loadedNow, err := seed.LoadIfEmpty(context.Background(), conn)
	if err != nil || loadedNow {
		t.Errorf("LoadIfEmpty on the seeded template = %v, %v; want false, nil", loadedNow, err)
	}
}

func TestKey(t *testing.T) {
	k := seed.Key()
	if !regexp.MustCompile(`^[0-9a-f]{16}$`).MatchString(k) {
		t.Errorf("Key() = %q, want 16 hex digits", k)
	}
	if seed.Key() != k {
		t.Error("Key() is not stable")
	}
}

// The seed must never hold a real person's contact details: e-mails only at
// the reserved .example domain, phones only in Ofcom's drama range, except
// the national crisis services' own public numbers.
func TestSeedPrivacy(t *testing.T) {
	conn := loaded(t)

	for _, q := range []string{
		`SELECT email FROM contact_points WHERE email IS NOT NULL`,
		`SELECT out_of_hours_email FROM contact_points WHERE out_of_hours_email IS NOT NULL`,
		`SELECT email FROM services WHERE email IS NOT NULL`,
	} {
		for _, e := range queryStrings(t, conn, q) {
			if !regexp.MustCompile(`^[^@\s]+@[^@\s]+\.example$`).MatchString(e) {
				t.Errorf("%s: %q is not at a .example domain", q, e)
			}
		}
	}

	drama := regexp.MustCompile(`^01632 960[0-9]{3}$`)
	for _, q := range []string{
		`SELECT phone FROM contact_points WHERE phone IS NOT NULL`,
		`SELECT out_of_hours_phone FROM contact_points WHERE out_of_hours_phone IS NOT NULL`,
	} {
		for _, p := range queryStrings(t, conn, q) {
			if !drama.MatchString(p) {
				t.Errorf("%s: %q is not an Ofcom drama number", q, p)
			}
		}
	}
	national := []string{"999", "111", "116 123", "85258"}
	for _, q := range []string{
		`SELECT phone FROM services WHERE phone IS NOT NULL`,
		`SELECT text_number FROM services WHERE text_number IS NOT NULL`,
	} {
		for _, p := range queryStrings(t, conn, q) {
			if !drama.MatchString(p) && !slices.Contains(national, p) {
				t.Errorf("%s: %q is neither a drama number nor a national crisis number", q, p)
			}
		}
	}

	// The national crisis options, with their exact numbers, open 24/7.
	for key, want := range map[string]struct{ phone, text string }{
		"emergency-999":         {phone: "999"},
		"nhs-111-mental-health": {phone: "111"},
		"samaritans":            {phone: "116 123"},
		"shout":                 {text: "85258"},
	} {
		var phone, text *string
		var open247 bool
		err := conn.QueryRow(context.Background(),
			`SELECT phone, text_number, open_24_7 FROM services WHERE id = $1`, seed.ID("services", key)).
			Scan(&phone, &text, &open247)
		if err != nil {
			t.Errorf("%s: %v", key, err)
			continue
		}
		if deref(phone) != want.phone || deref(text) != want.text || !open247 {
			t.Errorf("%s: phone %q, text %q, 24/7 %v; want phone %q, text %q, 24/7", key,
				deref(phone), deref(text), open247, want.phone, want.text)
		}
	}

	// Real people named in the source documents never appear in contacts.
	for _, person := range []struct{ name, surname string }{
		{"paula harrison", "harrison"},
		{"edward peck", "peck"},
		{"jennifer sumner", "sumner"},
		{"laura brown", "laura.brown"},
		{"wharton", "wharton"},
	} {
		if n := queryInt(t, conn, `
			SELECT count(*) FROM contact_points
			WHERE lower(name) LIKE '%' || $1 || '%' OR lower(coalesce(email, '')) LIKE '%' || $2 || '%'`,
			person.name, person.surname); n > 0 {
			t.Errorf("%d contact points name %q, a real person named in the documents", n, person.name)
		}
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// The directory needs a realistic mix of contacts to exercise every feature.
func TestContactPointMix(t *testing.T) {
	conn := loaded(t)

	if n := queryInt(t, conn, `SELECT count(*) FROM contact_points`); n < 40 {
		t.Errorf("%d contact points, want at least 40", n)
	}
	for _, v := range []string{"PUBLIC", "PROFESSIONAL", "PARTNERSHIP"} {
		if n := queryInt(t, conn, `SELECT count(*) FROM contact_points WHERE visibility = $1`, v); n == 0 {
			t.Errorf("no %s contact points", v)
		}
	}
	for _, kind := range []string{"TEAM", "PERSON"} {
		if n := queryInt(t, conn, `SELECT count(*) FROM contact_points WHERE kind = $1`, kind); n == 0 {
			t.Errorf("no %s contact points", kind)
		}
	}
	checks := map[string]string{
		"with a deputy": `SELECT count(*) FROM contact_points WHERE deputy_id IS NOT NULL`,
		"left post with a current successor": `
			SELECT count(*) FROM contact_points c JOIN contact_points s ON s.id = c.successor_id
			WHERE c.valid_to < current_date
			  AND s.valid_from <= current_date AND (s.valid_to IS NULL OR s.valid_to >= current_date)`,
		"verified over a year ago": `SELECT count(*) FROM contact_points WHERE last_verified_at < now() - interval '1 year'`,
		"never verified":           `SELECT count(*) FROM contact_points WHERE last_verified_at IS NULL`,
		"with out-of-hours phone":  `SELECT count(*) FROM contact_points WHERE out_of_hours_phone IS NOT NULL`,
	}
	for what, q := range checks {
		if n := queryInt(t, conn, q); n == 0 {
			t.Errorf("no contact points %s", what)
		}
	}
	for _, purpose := range []string{
		"URGENT_CARE_NOTIFICATION", "DISCHARGE_NOTIFICATION", "MDT_REFERRAL", "SAFEGUARDING",
		"STUDENT_LIAISON", "DISABILITY_SUPPORT", "FITNESS_TO_STUDY", "INTERNATIONAL_STUDENT_ADVICE",
		"PARTNERSHIP_LEAD", "GENERAL_ENQUIRIES",
	} {
		if n := queryInt(t, conn, `SELECT count(*) FROM contact_points WHERE purpose = $1`, purpose); n == 0 {
			t.Errorf("no %s contact point", purpose)
		}
	}

	// Every partnership has a current lead at one of its members.
	for _, p := range seed.Partnerships {
		n := queryInt(t, conn, `
			SELECT count(*) FROM contact_points c
			JOIN partnership_members m ON m.institution_id = c.institution_id AND m.partnership_id = $1
			WHERE c.purpose = 'PARTNERSHIP_LEAD'
			  AND c.valid_from <= current_date AND (c.valid_to IS NULL OR c.valid_to >= current_date)`,
			seed.ID("partnerships", p.Key))
		if n == 0 {
			t.Errorf("partnership %q has no current PARTNERSHIP_LEAD contact at a member institution", p.Key)
		}
	}

	// Contacts of a service work at the service's institution.
	if n := queryInt(t, conn, `
		SELECT count(*) FROM contact_points c JOIN services s ON s.id = c.service_id
		WHERE s.institution_id <> c.institution_id`); n > 0 {
		t.Errorf("%d contact points belong to a service of another institution", n)
	}
}

// Services have what a student needs to decide: sites on the map, opening
// hours, and a mix of capacity and care levels.
func TestServiceMix(t *testing.T) {
	conn := loaded(t)
	for what, q := range map[string]string{
		"on a waiting list":                `SELECT count(*) FROM services WHERE capacity_status = 'WAITING_LIST'`,
		"closed to referrals":              `SELECT count(*) FROM services WHERE capacity_status = 'CLOSED_TO_REFERRALS'`,
		"with opening hours":               `SELECT count(DISTINCT service_id) FROM service_opening_hours`,
		"with an out-of-hours alternative": `SELECT count(*) FROM services WHERE out_of_hours_service_id IS NOT NULL`,
	} {
		if n := queryInt(t, conn, q); n == 0 {
			t.Errorf("no services %s", what)
		}
	}
	levels := queryStrings(t, conn, `SELECT DISTINCT care_level::text FROM services ORDER BY 1`)
	if !slices.Equal(levels, []string{"1", "2", "3", "4", "5"}) {
		t.Errorf("care levels used: %v, want 1 to 5", levels)
	}
	// Services that are not national have a site.
	if n := queryInt(t, conn, `
		SELECT count(*) FROM services s JOIN institutions i ON i.id = s.institution_id
		WHERE s.site_id IS NULL AND i.region IS NOT NULL`); n > 0 {
		t.Errorf("%d regional services have no site", n)
	}
	// A 24/7 service has no opening hours and a daytime service has some.
	if n := queryInt(t, conn, `
		SELECT count(*) FROM services s
		WHERE s.open_24_7 = EXISTS (SELECT 1 FROM service_opening_hours h WHERE h.service_id = s.id)`); n > 0 {
		t.Errorf("%d services are 24/7 with opening hours, or neither", n)
	}
}

// The catalogue holds every row of the North-East table in its column, and
// Liverpool's thresholds show each stage of the lifecycle: agreed, proposed
// and awaiting the NHS side, still unclear, and a draft.
func TestThresholdSeed(t *testing.T) {
	conn := loaded(t)
	ctx := context.Background()
	rows, _ := conn.Query(ctx, `SELECT reference_placement, count(*) FROM responsibility_areas GROUP BY 1`)
	placements := map[string]int{}
	for rows.Next() {
		var p string
		var n int
		if err := rows.Scan(&p, &n); err != nil {
			t.Fatal(err)
		}
		placements[p] = n
	}
	if placements["NHS"] != 8 || placements["UNCLEAR"] != 9 || placements["HEP"] != 8 || placements["STUDENT"] != 6 {
		t.Errorf("North-East placements = %v, want NHS 8, UNCLEAR 9, HEP 8, STUDENT 6", placements)
	}
	var crisisName string
	if err := conn.QueryRow(ctx, `SELECT name FROM responsibility_areas WHERE id = $1`,
		seed.ID("responsibility_areas", "crisis-and-post-crisis-care")).Scan(&crisisName); err != nil || crisisName != "Crisis and post-crisis care" {
		t.Errorf("crisis area: %q %v", crisisName, err)
	}
	var agreed, unclearAgreed, drafts int
	err := conn.QueryRow(ctx, `SELECT count(*) FILTER (WHERE v.status = 'AGREED'),
			count(*) FILTER (WHERE v.status = 'AGREED' AND v.responsible_party = 'UNCLEAR'),
			count(*) FILTER (WHERE v.status = 'DRAFT')
		FROM threshold_versions v JOIN thresholds t ON t.id = v.threshold_id WHERE t.partnership_id = $1`,
		seed.ID("partnerships", "liverpool")).Scan(&agreed, &unclearAgreed, &drafts)
	if err != nil {
		t.Fatal(err)
	}
	if agreed < 3 || unclearAgreed < 2 || drafts < 1 {
		t.Errorf("Liverpool: %d agreed (%d unclear), %d drafts; want a few agreed, several unclear and a draft", agreed, unclearAgreed, drafts)
	}
	var status string
	var sides []string
	err = conn.QueryRow(ctx, `SELECT v.status, array(SELECT side FROM threshold_signoffs o WHERE o.threshold_version_id = v.id AND voided_at IS NULL)
		FROM threshold_versions v WHERE v.threshold_id = $1`, seed.ID("thresholds", "liverpool-holding")).Scan(&status, &sides)
	if err != nil || status != "PROPOSED" || !slices.Equal(sides, []string{"HEP"}) {
		t.Errorf("holding the student: %s signed by %v (%v); want PROPOSED, signed by the education side only", status, sides, err)
	}
}

// Every partnership with a documented route has its pathway; Liverpool keeps
// the "before" journey with its dead end beside the current one; the A&E
// hand-over reaches each university; and sharing without consent rests on a
// safeguarding agreement.
func TestPathwaySeed(t *testing.T) {
	conn := loaded(t)
	ctx := context.Background()

	var parties, steps int
	for _, a := range seed.SharingAgreements {
		parties += len(a.Parties)
	}
	for _, p := range seed.Pathways {
		steps += len(p.Steps)
	}
	for table, want := range map[string]int{
		"sharing_agreements":        len(seed.SharingAgreements),
		"sharing_agreement_parties": parties,
		"pathways":                  len(seed.Pathways),
		"pathway_steps":             steps,
	} {
		if got := queryInt(t, conn, `SELECT count(*) FROM `+table); got != want {
			t.Errorf("%s: %d rows, want %d", table, got, want)
		}
	}

	// The named pathways, each in its partnership and with steps.
	for pathway, partnership := range map[string]string{
		"liverpool-before":        "liverpool",
		"liverpool-after":         "liverpool",
		"gm-he-pathway":           "greater-manchester",
		"bristol-cross-referral":  "bristol",
		"north-london-peer-link":  "north-london",
		"birmingham-pause-to-ftb": "birmingham",
	} {
		n := queryInt(t, conn, `SELECT count(*) FROM pathways p JOIN pathway_steps st ON st.pathway_id = p.id
			WHERE p.id = $1 AND p.partnership_id = $2 AND p.retired_at IS NULL`,
			seed.ID("pathways", pathway), seed.ID("partnerships", partnership))
		if n == 0 {
			t.Errorf("pathway %q of %q is missing or has no steps", pathway, partnership)
		}
	}

	ae := seed.ID("services", "rluh-ae-liaison")
	consentISA := seed.ID("sharing_agreements", "liverpool-consent-isa")
	safeguardingISA := seed.ID("sharing_agreements", "liverpool-safeguarding-isa")

	// Before: someone is discharged "to university" and no one is informed.
	if n := queryInt(t, conn, `SELECT count(*) FROM pathway_steps
		WHERE pathway_id = $1 AND from_service_id = $2 AND situation = 'PRESENTS_AT_URGENT_CARE' AND receiving_purpose IS NULL`,
		seed.ID("pathways", "liverpool-before"), ae); n == 0 {
		t.Error("the Liverpool 'before' pathway has no dead end after A&E")
	}

	// After: with consent, A&E shares with the Student Liaison Service under
	// the consent agreement.
	if n := queryInt(t, conn, `SELECT count(*) FROM pathway_steps st JOIN sharing_agreements a ON a.id = st.agreement_id
		WHERE st.pathway_id = $1 AND st.from_service_id = $2 AND st.to_service_id = $3
		  AND st.situation = 'PRESENTS_AT_URGENT_CARE' AND 'GIVEN' = ANY(st.consents) AND st.requires_student_status
		  AND st.receiving_purpose = 'URGENT_CARE_NOTIFICATION' AND st.agreement_id = $4
		  AND a.lawful_basis = 'EXPLICIT_CONSENT' AND st.time_limit_hours IS NOT NULL
		  AND 'SAFETY_PLAN' = ANY(st.what_to_send) AND st.channel = 'SECURE_EMAIL'`,
		seed.ID("pathways", "liverpool-after"), ae, seed.ID("services", "student-liaison"), consentISA); n != 1 {
		t.Errorf("%d consented A&E to Student Liaison steps, want 1", n)
	}

	// Scenario 1: from A&E to a service of LJMU, for a consenting student,
	// to a purpose LJMU has a current contact for.
	ljmu := seed.ID("institutions", "ljmu")
	if n := queryInt(t, conn, `SELECT count(*) FROM pathway_steps st JOIN services ts ON ts.id = st.to_service_id
		WHERE st.from_service_id = $1 AND ts.institution_id = $2 AND st.retired_at IS NULL
		  AND st.situation = 'PRESENTS_AT_URGENT_CARE' AND 'GIVEN' = ANY(st.consents)
		  AND EXISTS (SELECT 1 FROM contact_points c WHERE c.institution_id = ts.institution_id
		      AND c.purpose = st.receiving_purpose AND c.retired_at IS NULL
		      AND c.valid_from <= current_date AND (c.valid_to IS NULL OR c.valid_to >= current_date))`,
		ae, ljmu); n == 0 {
		t.Error("no consented A&E step reaches a current contact at LJMU")
	}

	// Scenario 2: when the student refuses, nobody is informed, the student
	// gets signposting, and the step names the safeguarding agreement.
	if n := queryInt(t, conn, `SELECT count(*) FROM pathway_steps st JOIN services ts ON ts.id = st.to_service_id
		WHERE st.from_service_id = $1 AND ts.institution_id = $2 AND st.situation = 'PRESENTS_AT_URGENT_CARE'
		  AND st.consents = '{REFUSED}' AND st.receiving_purpose IS NULL AND st.agreement_id = $3
		  AND st.student_expectation <> ''`, ae, ljmu, safeguardingISA); n != 1 {
		t.Errorf("%d A&E steps for an LJMU student who refuses, want 1", n)
	}

	// The safeguarding agreement: DPA 2018 Schedule 1 Part 2 paragraph 18,
	// signed about 200 days ago and due for review in about 165.
	var basis, detail, status string
	var without bool
	var signedAgo, reviewIn int
	err := conn.QueryRow(ctx, `SELECT lawful_basis, lawful_basis_detail, permits_sharing_without_consent, status,
			current_date - signed_on, review_on - current_date
		FROM sharing_agreements WHERE id = $1 AND partnership_id = $2`,
		safeguardingISA, seed.ID("partnerships", "liverpool")).Scan(&basis, &detail, &without, &status, &signedAgo, &reviewIn)
	if err != nil {
		t.Fatalf("safeguarding agreement: %v", err)
	}
	if basis != "SAFEGUARDING_OF_INDIVIDUALS_AT_RISK" || !without || status != "ACTIVE" ||
		!regexp.MustCompile(`Schedule 1, Part 2, paragraph 18`).MatchString(detail) {
		t.Errorf("safeguarding agreement: %s, without consent %v, %s, %q", basis, without, status, detail)
	}
	if signedAgo != 200 || reviewIn != 165 {
		t.Errorf("safeguarding agreement signed %d days ago, review in %d; want 200 and 165", signedAgo, reviewIn)
	}
	got := queryStrings(t, conn, `SELECT institution_id::text FROM sharing_agreement_parties WHERE agreement_id = $1`, safeguardingISA)
	for _, k := range []string{"uol", "ljmu", "mersey-care"} {
		if !slices.Contains(got, seed.ID("institutions", k).String()) {
			t.Errorf("safeguarding agreement: %q is not a party", k)
		}
	}
	if n := queryInt(t, conn, `SELECT count(*) FROM sharing_agreements
		WHERE permits_sharing_without_consent AND lawful_basis = 'EXPLICIT_CONSENT'`); n != 0 {
		t.Errorf("%d consent agreements permit sharing without consent", n)
	}

	// Every step joins two live services.
	if n := queryInt(t, conn, `SELECT count(*) FROM pathway_steps st
		JOIN services f ON f.id = st.from_service_id AND f.retired_at IS NULL
		JOIN services s ON s.id = st.to_service_id AND s.retired_at IS NULL`); n != steps {
		t.Errorf("%d of %d steps join two live services", n, steps)
	}
}
