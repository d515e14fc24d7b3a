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
