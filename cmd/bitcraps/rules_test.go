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
