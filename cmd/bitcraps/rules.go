package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"text/tabwriter"

	"github.com/bitcraps/bitcraps/internal/craps"
	"github.com/spf13/cobra"
)

// ruleRow is one bet in `bitcraps rules --json`.
type ruleRow struct {
	ID               string  `json:"id"`
	Wire             uint16  `json:"wire"`
	Name             string  `json:"name"`
	Placeable        string  `json:"placeable"`
	TakeDown         string  `json:"take_down"`
	ComeOut          string  `json:"come_out"`
	Payout           string  `json:"payout"`
	HouseEdgePercent float64 `json:"house_edge_percent"`
	Method           string  `json:"method"`
	// HouseEdgeExact is the exact edge as a fraction ("7/495"), exact rows only.
	HouseEdgeExact string `json:"house_edge_exact,omitempty"`
	// Interval99 is the 99% interval in percent, estimated rows only.
	Interval99 []float64 `json:"interval_99_percent,omitempty"`
	Trials     int       `json:"trials,omitempty"`
}

func init() {
	var asJSON, working, wide bool
	var fieldTwelve uint8
	cmd := &cobra.Command{
		Use:   "rules",
		Short: "Print every bet: wire id, name, when placeable, payout and house edge",
		Long: `Print every bet the craps engine knows, with its wire id, name, when it may be
placed, its payout and its house edge. Edges are computed from the rules in
exact rational arithmetic (method "exact"), or by a seeded Monte Carlo
simulation with a 99% interval where the exact chain is too large (method
"estimated"). Percentages are rounded to three decimals, as casinos publish them.
The table fits 100 columns, long cells wrapped; --wide prints one line a bet,
with each bet's full name.`,
		Example: `  bitcraps rules
  bitcraps rules --wide
  bitcraps rules --json
  bitcraps rules --field-twelve-pays 2 --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			rules := craps.DefaultRules()
			rules.FieldTwelvePays = fieldTwelve
			rules.WorkingOnComeOut = working
			rows, err := ruleRows(rules, craps.DefaultTrials)
			if err != nil {
				return err
			}
			if asJSON {
				return writeRulesJSON(cmd.OutOrStdout(), rows)
			}
			if wide {
				return writeRulesTable(cmd.OutOrStdout(), rows)
			}
			return writeRulesNarrow(cmd.OutOrStdout(), rows)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON array of objects (id, name, payout, house_edge_percent, method, ...)")
	cmd.Flags().BoolVar(&wide, "wide", false, "one line a bet, with its name (about 200 columns)")
	cmd.Flags().Uint8Var(&fieldTwelve, "field-twelve-pays", craps.DefaultRules().FieldTwelvePays, "Field payout on 12, to 1 (2 or 3)")
	cmd.Flags().BoolVar(&working, "working-on-come-out", false, "place, buy, hardway bets and come odds work on come-out rolls")
	rootCmd.AddCommand(cmd)
}

// ruleRows builds the rows of `bitcraps rules` for the given table rules,
// estimating the edges that need it from trials simulated bets.
func ruleRows(rules craps.Rules, trials int) ([]ruleRow, error) {
	infos, err := craps.HouseEdgesWith(rules, trials)
	if err != nil {
		return nil, fmt.Errorf("rules: %w", err)
	}
	rows := make([]ruleRow, 0, len(infos))
	for _, in := range infos {
		row := ruleRow{
			ID: in.ID, Wire: in.Wire, Name: in.Name, Placeable: in.Placeable, TakeDown: in.TakeDown,
			ComeOut: in.ComeOut, Payout: in.Payout, HouseEdgePercent: round3(in.Edge.Percent),
			Method: string(in.Edge.Method),
		}
		if in.Edge.Rat != nil {
			row.HouseEdgeExact = in.Edge.Rat.RatString()
		} else {
			row.Interval99 = []float64{round3(in.Edge.Low), round3(in.Edge.High)}
			row.Trials = in.Edge.Trials
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// round3 rounds a percentage to three decimals, half away from zero.
func round3(p float64) float64 {
	r := math.Round(p*1000) / 1000
	if r == 0 {
		return 0 // no "-0"
	}
	return r
}

func writeRulesJSON(w io.Writer, rows []ruleRow) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(rows); err != nil {
		return fmt.Errorf("rules: write json: %w", err)
	}
	return nil
}

func writeRulesTable(w io.Writer, rows []ruleRow) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tPLACEABLE\tPAYOUT\tHOUSE EDGE\tMETHOD")
	for _, r := range rows {
		edge := fmt.Sprintf("%.3f%%", r.HouseEdgePercent)
		if r.Interval99 != nil {
			edge = fmt.Sprintf("%.3f%% (99%%: %.2f..%.2f)", r.HouseEdgePercent, r.Interval99[0], r.Interval99[1])
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Name, r.Placeable, r.Payout, edge, r.Method)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("rules: write table: %w", err)
	}
	return nil
}
