package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

// withUsageOnArgErrors makes every command under c answer a wrong number of
// arguments with what is missing (or extra) and its usage line, instead of
// cobra's bare "accepts 3 arg(s), received 2": SilenceUsage is on so that
// other errors stay one line.
func withUsageOnArgErrors(c *cobra.Command) {
	for _, sub := range c.Commands() {
		withUsageOnArgErrors(sub)
	}
	check := c.Args
	if check == nil {
		return
	}
	c.Args = func(cmd *cobra.Command, args []string) error {
		if err := check(cmd, args); err != nil {
			return fmt.Errorf("%s\nusage: %s", argProblem(cmd, args, err), cmd.UseLine())
		}
		return nil
	}
}

// argHint is an argument error a command's own check worded for the
// person: shown as it is, above the usage line.
type argHint struct{ msg string }

func (h *argHint) Error() string { return h.msg }

// argProblem names the missing arguments from the command's Use line
// ("bet TABLE TYPE AMOUNT"), or the extra ones.
func argProblem(cmd *cobra.Command, args []string, err error) string {
	// main prefixes "bitcraps: ", so the path starts after the root.
	path := strings.TrimPrefix(cmd.CommandPath(), cmd.Root().Name()+" ")
	var hint *argHint
	if errors.As(err, &hint) {
		return fmt.Sprintf("%s: %s", path, hint.msg)
	}
	names := strings.Fields(cmd.Use)[1:]
	var want []string
	for _, n := range names {
		if n == strings.ToUpper(n) && !strings.HasPrefix(n, "[") {
			want = append(want, n)
		}
	}
	switch {
	case len(args) < len(want):
		return fmt.Sprintf("%s: missing %s", path, strings.Join(want[len(args):], " "))
	case len(want) == 0 && len(args) > 0:
		return fmt.Sprintf("%s takes no arguments, got %q", path, strings.Join(args, " "))
	case len(args) > len(want):
		return fmt.Sprintf("%s: too many arguments, %q after %s", path, strings.Join(args[len(want):], " "), strings.Join(want, " "))
	}
	return fmt.Sprintf("%s: %v", path, err)
}
