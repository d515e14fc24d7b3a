package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/bitcraps/bitcraps/internal/craps"
)

func TestRulesJSONRows(t *testing.T) {
	rows, err := ruleRows(craps.DefaultRules(), 20_000)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := writeRulesJSON(&buf, rows); err != nil {
		t.Fatal(err)
	}
	var decoded []map[string]any
	if err := json.Unmarshal(buf.Bytes(), &decoded); err != nil {
		t.Fatalf("not a JSON array: %v", err)
	}
	if len(decoded) != len(craps.AllBets()) {
		t.Fatalf("%d rows for %d bets", len(decoded), len(craps.AllBets()))
	}
	byID := map[string]map[string]any{}
	for _, row := range decoded {
		for _, key := range []string{"id", "name", "payout", "house_edge_percent", "method"} {
			if _, ok := row[key]; !ok {
				t.Fatalf("row %v lacks %q", row, key)
			}
		}
		byID[row["id"].(string)] = row
	}
	for id, want := range map[string]float64{"pass": 1.414, "dont_pass": 1.364, "place_6": 1.515, "field": 2.778,
		"hard_4": 11.111, "any_7": 16.667, "buy_4": 1.667, "lay_4": 1.667, "big_6": 9.091, "pass_odds": 0} {
		row := byID[id]
		if row == nil || row["house_edge_percent"].(float64) != want || row["method"] != "exact" {
			t.Errorf("%s: %v, want %.3f exact", id, row, want)
		}
	}
	hot := byID["hot_roller"]
	if hot["method"] != "estimated" || hot["interval_99_percent"] == nil {
		t.Errorf("hot_roller row %v, want an estimate with its interval", hot)
	}
	buf.Reset()
	if err := writeRulesTable(&buf, rows); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(buf.String(), "\n"); lines != len(rows)+1 {
		t.Fatalf("table has %d lines for %d rows", lines, len(rows))
	}
	if !strings.Contains(buf.String(), "1.414%") || !strings.Contains(buf.String(), "estimated") {
		t.Fatalf("table:\n%s", buf.String())
	}
}

// The default table fits 100 columns and still shows every bet, its
// payout and its edge; --wide keeps one line a bet.
func TestRulesTableFitsOneHundredColumns(t *testing.T) {
	rows, err := ruleRows(craps.DefaultRules(), 20_000)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := writeRulesNarrow(&buf, rows); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for i, line := range strings.Split(out, "\n") {
		if len([]rune(line)) > narrowWidth {
			t.Errorf("line %d is %d columns: %q", i+1, len([]rune(line)), line)
		}
	}
	for _, r := range rows {
		if !strings.Contains(out, "\n"+r.ID+" ") {
			t.Errorf("bet %s does not start a line", r.ID)
		}
	}
	for _, want := range []string{"3 wins 1:1, 4 2:1,", "1.414%", "estimated", "(99%:"} {
		if !strings.Contains(out, want) {
			t.Errorf("narrow table lacks %q:\n%s", want, out)
		}
	}
	if got := wrapWords("any roll, behind your Don't Come Bar 12 on 10", 24); strings.Join(got, "|") != "any roll, behind your|Don't Come Bar 12 on 10" {
		t.Errorf("wrapWords: %q", got)
	}
}
