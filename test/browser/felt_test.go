package browser

import (
	"fmt"
	"slices"
	"testing"

	"github.com/bitcraps/bitcraps/internal/craps"
)

// Every clickable area on the felt names a bet the rules engine knows (the
// page sends exactly that type and number), and the areas issue 7 and
// issue 11 (item 7: the whole game) ask for are all there.
func TestFeltAreasAreEngineBets(t *testing.T) {
	p := verifierPage(t)
	areas := eval[[]string](p, "read the felt layout",
		`import("/assets/felt.js").then((m) => m.areas().map((a) => m.areaKey(a.type, a.number)))`)
	known := map[string]bool{}
	for _, b := range craps.AllBets() {
		known[b.ID()] = true
	}
	for _, a := range areas {
		if !known[a] {
			t.Errorf("felt area %q is not a bet of the rules engine (see bitcraps rules)", a)
		}
	}
	required := []string{"pass", "dont_pass", "come", "dont_come", "field",
		"place_4", "place_5", "place_6", "place_8", "place_9", "place_10",
		"hard_4", "hard_6", "hard_8", "hard_10", "any_7", "any_craps", "yo", "boxcars",
		"pass_odds", "dont_pass_odds", "big_6", "big_8", "horn", "c_and_e"}
	for _, n := range []int{4, 5, 6, 8, 9, 10} {
		for _, kind := range []string{"place_to_lose", "buy", "lay", "come_odds", "dont_come_odds"} {
			required = append(required, fmt.Sprintf("%s_%d", kind, n))
		}
	}
	for a := 1; a <= 6; a++ {
		for b := a; b <= 6; b++ {
			required = append(required, fmt.Sprintf("hop_%d_%d", a, b))
		}
	}
	for _, r := range required {
		if !slices.Contains(areas, r) {
			t.Errorf("the felt has no %q area", r)
		}
	}
}

// Bets are drawn where a player looks for them (issue 11, item 7): a come
// or don't come bet that travelled on its number's spot, which shows only
// then, with its odds; a line bet with its point, and its odds, on the
// line; every hop on its own square and summed on the HOP area; yours
// that wait for the roll dimmed apart from the ones in play.
func TestFeltPutsEachBetOnItsArea(t *testing.T) {
	p := verifierPage(t)
	got := eval[map[string]string](p, "paint a table on a felt", `import("/assets/felt.js").then((m) => {
  const root = document.createElement("div");
  document.body.append(root);
  const map = m.buildFelt(root, () => {});
  const me = "a".repeat(64), other = "b".repeat(64);
  m.paintFelt(map, { phase: "point", point: 6, players: [
    { peer_id: me, bets: [
      { type: "pass", number: 6, amount: 5 }, { type: "pass_odds", number: 6, amount: 10 },
      { type: "come", number: 8, amount: 4 }, { type: "come_odds", number: 8, amount: 8 },
      { type: "dont_come", number: 5, amount: 3 }, { type: "hop", number: 25, amount: 1 },
      { type: "lay", number: 4, amount: 6, pending: true }, { type: "place", number: 6, take_down: true, pending: true },
    ] },
    { peer_id: other, bets: [{ type: "hop", number: 33, amount: 2 }, { type: "come", number: 8, amount: 7 }] },
  ] }, me, String);
  const out = {};
  for (const [key, el] of map) {
    const chips = [...el.querySelectorAll(".chip")].map((c) => c.className.replace("chip ", "") + "=" + c.dataset.micros);
    if (chips.length || !el.hidden && el.dataset.bet.includes("come_odds")) out[key] = (el.hidden ? "hidden " : "") + chips.join(" ");
  }
  out.puck = document.getElementById("puck").parentElement.dataset.testid + " " + document.getElementById("puck").textContent;
  root.remove();
  return out;
})`)
	want := map[string]string{
		"pass":             "chip-mine=5",
		"pass_odds":        "chip-mine=10",
		"come_odds_8":      "chip-mine=12 chip-others=7",
		"dont_come_odds_5": "chip-mine=3",
		"hop_2_5":          "chip-mine=1",
		"hop_3_3":          "chip-others=2",
		"hop":              "chip-mine=1 chip-others=2",
		"lay_4":            "chip-mine chip-pending=6",
		"puck":             "bet-place_6 ON",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("the felt shows\n  %v\nwant\n  %v", got, want)
	}
}
