package graph_test

import (
	"context"
	"encoding/json"
	"testing"
)

// institutionFields are compared between institutionByCode and institution(id:).
const institutionFields = `{ id name shortName kind ukprn odsCode charityNumber region version
	sites { id } services { id } partnerships { partnership { id } } }`

func TestInstitutionByCode(t *testing.T) {
	a := newAPI(t)
	if _, err := a.pool.Exec(context.Background(), `INSERT INTO institutions (id, name, kind, charity_number)
		VALUES ($1, 'A Scottish charity', 'CHARITY', 'SC012345')`, seedID("institutions", "scottish-charity")); err != nil {
		t.Fatal(err)
	}
	query := `query($scheme: InstitutionCodeScheme!, $code: String!, $id: ID!) {
		byCode: institutionByCode(scheme: $scheme, code: $code) ` + institutionFields + `
		byID: institution(id: $id) ` + institutionFields + `
	}`
	for _, tc := range []struct{ scheme, code, key string }{
		{"ODS", "RW4", "mersey-care"},
		{"ODS", " rw4 ", "mersey-care"},
		{"UKPRN", "1000 3957", "ljmu"},
		{"UKPRN", "10006842", "uol"},
		{"CHARITY", "219432", "samaritans"},
		{"CHARITY", "sc 012345", "scottish-charity"},
	} {
		var data struct{ ByCode, ByID json.RawMessage }
		a.query(query, map[string]any{"scheme": tc.scheme, "code": tc.code, "id": institutionID(tc.key)}, &data)
		if string(data.ByCode) != string(data.ByID) {
			t.Errorf("%s %q found %s, want what institution(id:) gives for %s: %s", tc.scheme, tc.code, data.ByCode, tc.key, data.ByID)
		}
	}

	lookup := `query($scheme: InstitutionCodeScheme!, $code: String!) { institutionByCode(scheme: $scheme, code: $code) { id } }`
	for _, tc := range []struct {
		scheme, code string
		want         string // extensions.code
		message      string
	}{
		{"ODS", "RW", "BAD_USER_INPUT", "code: is not an ODS code: 3 to 6 letters and digits, e.g. RW4"},
		{"UKPRN", "20003957", "BAD_USER_INPUT", "code: is not a UKPRN: 8 digits starting with 1, e.g. 10003957"},
		{"CHARITY", "SC12345", "BAD_USER_INPUT", "code: is not a charity number: 6 or 7 digits, or SC or NIC and 6 digits"},
		{"ODS", "ZZZ", "NOT_FOUND", "No institution with that ODS code."},
		{"UKPRN", "10000000", "NOT_FOUND", "No institution with that UKPRN."},
		{"CHARITY", "NIC100000", "NOT_FOUND", "No institution with that charity number."},
	} {
		r := a.post(lookup, map[string]any{"scheme": tc.scheme, "code": tc.code})
		if got := r.code(t); got != tc.want || r.Errors[0].Message != tc.message {
			t.Errorf("%s %q: %s %q, want %s %q", tc.scheme, tc.code, got, r.Errors[0].Message, tc.want, tc.message)
		}
		if field := r.Errors[0].Extensions["field"]; tc.want == "BAD_USER_INPUT" && field != "code" {
			t.Errorf("%s %q: extensions.field = %v, want code", tc.scheme, tc.code, field)
		}
		if string(r.Data) != `{"institutionByCode":null}` {
			t.Errorf("%s %q: data = %s, want institutionByCode null", tc.scheme, tc.code, r.Data)
		}
	}
	if r := a.post(`{ institutionByCode(scheme: URN, code: "100000") { id } }`, nil); r.code(t) != "BAD_USER_INPUT" {
		t.Errorf("unknown scheme: %s", r.Raw)
	}
}
