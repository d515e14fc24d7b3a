package browser

import (
	"slices"
	"testing"

	"github.com/bitcraps/bitcraps/internal/craps"
)

// Every clickable area on the felt names a bet the rules engine knows (the
// page sends exactly that type and number), and the areas issue 7 asks for
// are all there.
func TestFeltAreasAreEngineBets(t *testing.T) {
	p := verifierPage(t)
	areas := eval[[]string](p, "read the felt layout",
		`import("/assets/felt.js").then((m) => [...m.layout.main, ...m.layout.props].map((a) => m.areaKey(a.type, a.number)))`)
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
		"hard_4", "hard_6", "hard_8", "hard_10", "any_7", "any_craps", "yo", "boxcars"}
	for _, r := range required {
		if !slices.Contains(areas, r) {
			t.Errorf("the felt has no %q area", r)
		}
	}
}
