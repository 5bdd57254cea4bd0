package store_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/google/uuid"

	"github.com/waymark/waymark/store"
)

// TestInstitutionByCode checks the lookup by ODS code, UKPRN and charity
// number: normalised codes find the same record as InstitutionsByIDs,
// malformed codes are input errors about "code", and codes nobody holds (or
// whose holder has retired) are ErrNotFound.
func TestInstitutionByCode(t *testing.T) {
	t.Parallel()
	pool, st := newDB(t, tuesday)
	ctx := context.Background()
	insert := func(name, kind, column, code string) uuid.UUID {
		return insertID(t, pool, `INSERT INTO institutions (name, kind, `+column+`) VALUES ($1, $2, $3) RETURNING id`,
			name, kind, code)
	}
	mersey := insert("Mersey Care NHS Foundation Trust", "NHS_TRUST", "ods_code", "RW4")
	ljmu := insert("Liverpool John Moores University", "HIGHER_EDUCATION_PROVIDER", "ukprn", "10003957")
	samaritans := insert("Samaritans", "CHARITY", "charity_number", "219432")
	scottish := insert("A Scottish charity", "CHARITY", "charity_number", "SC012345")
	northernIrish := insert("A Northern Irish charity", "CHARITY", "charity_number", "NIC100123")
	retired := insert("A merged trust", "NHS_TRUST", "ods_code", "RQ6")
	retire(t, pool, "institutions", retired)

	for _, tc := range []struct {
		scheme, code string
		want         uuid.UUID
	}{
		{"ODS", "RW4", mersey},
		{"ODS", " rw4 ", mersey},
		{"ODS", "R-W\t4", mersey},
		{"UKPRN", "10003957", ljmu},
		{"UKPRN", "1000 3957", ljmu},
		{"UKPRN", "1000\u00a03957\n", ljmu}, // a no-break space, as pasted from a web page
		{"CHARITY", "219432", samaritans},
		{"CHARITY", "sc 012345", scottish},
		{"CHARITY", "SC–012345", scottish}, // an en dash
		{"CHARITY", "nic100123", northernIrish},
	} {
		got, err := st.InstitutionByCode(ctx, tc.scheme, tc.code)
		if err != nil {
			t.Errorf("%s %q: %v", tc.scheme, tc.code, err)
			continue
		}
		want, err := st.InstitutionsByIDs(ctx, []uuid.UUID{tc.want})
		if err != nil || len(want) != 1 {
			t.Fatalf("InstitutionsByIDs(%v) = %v, %v", tc.want, want, err)
		}
		if !reflect.DeepEqual(*got, want[0]) {
			t.Errorf("%s %q = %+v, want the record InstitutionsByIDs returns, %+v", tc.scheme, tc.code, *got, want[0])
		}
	}

	for _, tc := range []struct{ scheme, code string }{
		{"ODS", ""},
		{"ODS", "   "},
		{"ODS", "RW"},      // too short
		{"ODS", "RW4ABCD"}, // too long
		{"ODS", "RW4!"},
		{"ODS", "RW4;DROP"},
		{"ODS", "ＲＷ4"}, // full-width letters are not capitals A to Z
		{"UKPRN", "20003957"},
		{"UKPRN", "1000395"},
		{"UKPRN", "100039570"},
		{"UKPRN", "1000395O"}, // a letter O
		{"CHARITY", "12345"},
		{"CHARITY", "SC12345"},
		{"CHARITY", "NI123456"},
		{"CHARITY", "ſc012345"}, // a long s, which Unicode would capitalise to S
		{"CHARITY", "RW4"},
	} {
		_, err := st.InstitutionByCode(ctx, tc.scheme, tc.code)
		t.Run(tc.scheme+" "+tc.code, func(t *testing.T) { wantInputError(t, err, "code") })
	}
	_, err := st.InstitutionByCode(ctx, "URN", "100000")
	wantInputError(t, err, "scheme")

	for _, tc := range []struct{ what, scheme, code string }{
		{"a code nobody holds", "ODS", "ZZZ"},
		{"a retired institution's code", "ODS", "RQ6"},
		{"a well-formed UKPRN nobody holds", "UKPRN", "10000000"},
		{"another scheme's code", "ODS", "219432"},
	} {
		if got, err := st.InstitutionByCode(ctx, tc.scheme, tc.code); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s (%s %q) = %+v, %v; want ErrNotFound", tc.what, tc.scheme, tc.code, got, err)
		}
	}
}
