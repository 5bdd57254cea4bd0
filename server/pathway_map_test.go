package main

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// arrowLine is one arrow of a pathwayMap flowchart: from, dashed, label, to.
var arrowLine = regexp.MustCompile(`^  (s\d+) (--|-\.) "([^"]*)" (-->|\.->) (s\d+)$`)

// TestPathwayMapDrawsEachEdgeOnce: the Liverpool map (two pathways, and
// steps that differ only by consent) draws one arrow per from, to and label;
// a step that informs no one is marked as a step (a red dashed arrow), never
// by marking the service it leads to, which other steps reach properly.
func TestPathwayMapDrawsEachEdgeOnce(t *testing.T) {
	s := newAPIServer(t)
	m := s.pathwayMap(aeNurse, pwPartnership("liverpool"))
	ids := map[string]string{}
	for i, n := range m.Nodes {
		ids[n.ID] = fmt.Sprintf("s%d", i+1)
	}
	ae, mhas, halls := ids[pwService("rluh-ae-liaison")], ids[pwService("mhas")], ids[pwService("uol-residence-life")]

	var arrows []string
	var dashed []int
	seen := map[string]bool{}
	var linkStyle string
	for _, line := range strings.Split(strings.TrimSuffix(m.Flowchart, "\n"), "\n") {
		if strings.HasPrefix(line, "  linkStyle ") {
			linkStyle = line
			continue
		}
		a := arrowLine.FindStringSubmatch(line)
		if a == nil {
			continue
		}
		if seen[line] {
			t.Errorf("arrow drawn twice: %q", line)
		}
		seen[line] = true
		if a[2] == "-." {
			dashed = append(dashed, len(arrows))
		}
		arrows = append(arrows, line)
	}
	// A&E → MHAS: "after" with consent (the urgent care notification) and
	// with consent refused (signposting only) are one arrow; the "before"
	// step that informed no one is a separate, dashed arrow.
	solid := fmt.Sprintf(`  %s -- "presents at urgent care" --> %s`, ae, mhas)
	dead := fmt.Sprintf(`  %s -. "presents at urgent care (consent not asked): no one informed" .-> %s`, ae, mhas)
	for _, want := range []string{solid, dead} {
		if !seen[want] {
			t.Errorf("flowchart lacks %q:\n%s", want, m.Flowchart)
		}
	}
	// Halls → MHAS is in both pathways (consent not asked before, given
	// after): one arrow.
	if n := countArrows(arrows, halls, mhas); n != 1 {
		t.Errorf("%d arrows from halls to MHAS, want 1:\n%s", n, m.Flowchart)
	}
	if n := countArrows(arrows, ae, mhas); n != 2 {
		t.Errorf("%d arrows from A&E to MHAS, want 2 (with consent; no one informed):\n%s", n, m.Flowchart)
	}
	// Every step is still an edge, and both dead ends are listed as steps.
	for _, k := range []string{"liverpool-after/ae-to-uol", "liverpool-after/ae-refused-uol", "liverpool-before/ae-discharged-to-university"} {
		if !slices.ContainsFunc(m.Edges, func(e struct{ ID string }) bool { return e.ID == pwStep(k) }) {
			t.Errorf("edges lack the step %s", k)
		}
	}
	if len(m.DeadEnds) != 2 || len(dashed) != 2 {
		t.Errorf("%d dead-end steps, %d dashed arrows; want 2 and 2", len(m.DeadEnds), len(dashed))
	}
	// The dead-end arrows, and only they, are styled (linkStyle counts
	// arrows from 0); no service is marked.
	var want []string
	for _, i := range dashed {
		want = append(want, strconv.Itoa(i))
	}
	if wantStyle := "  linkStyle " + strings.Join(want, ",") + " stroke:#c00,stroke-width:3px"; linkStyle != wantStyle {
		t.Errorf("linkStyle %q, want %q", linkStyle, wantStyle)
	}
	if strings.Contains(m.Flowchart, "class ") || strings.Contains(m.Flowchart, "classDef") {
		t.Errorf("a service is marked:\n%s", m.Flowchart)
	}

	// A step that applies only when consent is refused says so; one that
	// duplicates an arrow (same ends, situation and consent-given) adds none.
	s.createStep(pwLiverpoolLead, map[string]any{"fromServiceId": pwService("brownlow-gp"), "toServiceId": pwService("guild-advice"),
		"situation": "CONCERN_RAISED_AT_UNIVERSITY", "consents": []string{"REFUSED"}, "agreementId": nil})
	s.createStep(pwLiverpoolLead, map[string]any{"fromServiceId": pwService("uol-residence-life"), "toServiceId": pwService("mhas"),
		"situation": "CONCERN_RAISED_AT_UNIVERSITY", "receivingPurpose": "GENERAL_ENQUIRIES"})
	m = s.pathwayMap(aeNurse, pwPartnership("liverpool"))
	ids = map[string]string{}
	for i, n := range m.Nodes {
		ids[n.ID] = fmt.Sprintf("s%d", i+1)
	}
	refused := fmt.Sprintf(`  %s -- "concern raised at university (consent refused)" --> %s`, ids[pwService("brownlow-gp")], ids[pwService("guild-advice")])
	if !strings.Contains(m.Flowchart, refused+"\n") {
		t.Errorf("flowchart lacks %q:\n%s", refused, m.Flowchart)
	}
	if n := strings.Count(m.Flowchart, fmt.Sprintf(`%s -- "concern raised at university" --> %s`, ids[pwService("uol-residence-life")], ids[pwService("mhas")])); n != 1 {
		t.Errorf("halls → MHAS drawn %d times after a third such step", n)
	}
}

func countArrows(arrows []string, from, to string) int {
	n := 0
	for _, a := range arrows {
		m := arrowLine.FindStringSubmatch(a)
		if m[1] == from && m[5] == to {
			n++
		}
	}
	return n
}
