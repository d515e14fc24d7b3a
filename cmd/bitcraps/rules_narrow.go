package main

import (
	"fmt"
	"io"
	"strings"
)

// narrowWidth is the terminal width `bitcraps rules` fits by default: wide
// enough for the longest bet id and a readable payout, narrow enough for a
// laptop's split terminal.
const narrowWidth = 100

// narrowColumns are the columns of the narrow table and their widths; the
// id column is never wrapped (it is what a person types), the others wrap
// at spaces. 17+24+30+21 plus three gaps of 2 is 98.
var narrowColumns = []struct {
	title string
	width int
}{{"ID", 17}, {"PLACEABLE", 24}, {"PAYOUT", 30}, {"HOUSE EDGE", 21}}

// writeRulesNarrow prints the rules table within narrowWidth columns: the
// name is left out (--wide has it) and long cells wrap onto the next lines.
func writeRulesNarrow(w io.Writer, rows []ruleRow) error {
	var b strings.Builder
	titles := make([]string, len(narrowColumns))
	for i, c := range narrowColumns {
		titles[i] = c.title
	}
	writeWrappedRow(&b, titles)
	for _, r := range rows {
		edge := fmt.Sprintf("%.3f%%", r.HouseEdgePercent)
		if r.Interval99 != nil {
			edge = fmt.Sprintf("%.3f%% estimated (99%%: %.2f..%.2f)", r.HouseEdgePercent, r.Interval99[0], r.Interval99[1])
		}
		writeWrappedRow(&b, []string{r.ID, r.Placeable, r.Payout, edge})
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("rules: write table: %w", err)
	}
	return nil
}

// writeWrappedRow writes one row, its cells wrapped to their columns.
func writeWrappedRow(b *strings.Builder, cells []string) {
	wrapped := make([][]string, len(cells))
	lines := 1
	for i, cell := range cells {
		wrapped[i] = wrapWords(cell, narrowColumns[i].width)
		lines = max(lines, len(wrapped[i]))
	}
	for l := range lines {
		var line strings.Builder
		for i := range cells {
			part := ""
			if l < len(wrapped[i]) {
				part = wrapped[i][l]
			}
			if i < len(cells)-1 {
				part = fmt.Sprintf("%-*s  ", narrowColumns[i].width, part)
			}
			line.WriteString(part)
		}
		b.WriteString(strings.TrimRight(line.String(), " ") + "\n")
	}
}

// wrapWords breaks s at spaces into lines of at most width characters; a
// word longer than width gets a line of its own.
func wrapWords(s string, width int) []string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(s) {
		switch {
		case line == "":
			line = word
		case len(line)+1+len(word) <= width:
			line += " " + word
		default:
			lines = append(lines, line)
			line = word
		}
	}
	return append(lines, line)
}
