package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/bitcraps/bitcraps/messages"
)

// `table show` says when a table does not play here, and why.
func TestTableShowSaysWhyTheTablePauses(t *testing.T) {
	cases := []struct {
		view messages.TableView
		want string
	}{
		{messages.TableView{Lifecycle: "paused", PausedReason: "1 of 2 seats present: a table of 2 or 3 needs every player",
			Absent: []string{"2489efd20c8756fa465f"}}, "play    paused: 1 of 2 seats present: a table of 2 or 3 needs every player (absent: 2489efd2)"},
		{messages.TableView{Lifecycle: "catching_up", Behind: 40}, "play    catching up: 40 certified rounds to fetch before this node plays"},
		{messages.TableView{Lifecycle: "playing", Absent: []string{"ab"}}, "play    playing (absent: ab)"},
		{messages.TableView{Lifecycle: "dissolved"}, "play    dissolved"},
	}
	for _, c := range cases {
		var out bytes.Buffer
		if err := writeTable(&out, c.view); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), c.want) {
			t.Errorf("table show of %s:\n%s\nwant a line %q", c.view.Lifecycle, out.String(), c.want)
		}
	}
	var out bytes.Buffer
	if err := writeTable(&out, messages.TableView{Status: "waiting"}); err != nil || strings.Contains(out.String(), "play ") {
		t.Errorf("a table this node does not play shows a play line:\n%s", out.String())
	}
}
