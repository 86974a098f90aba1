// Package nickname maps a given name to the groups of short forms and
// nicknames it belongs to (William, Will, Bill), so that records which
// write a child's formal name and records which write the name the child
// goes by agree at the nickname level of the given-name comparison.
//
// The groups are data (groups.txt, which names its source). A short form
// may stand for several names (Bert: Robert, Albert, Herbert) and is then
// in each of their groups; the names themselves stay apart. The package is
// not a spelling tolerance: Jon and John meet through sound codes, not
// here.
package nickname

import (
	_ "embed"
	"slices"
	"strings"
)

//go:embed groups.txt
var groupsFile string

// Version names the table; it is part of every rule set's identity, so a
// change to the table changes the rule-set ID.
const Version = "nickname-groups-v2"

var groups = parse(groupsFile)

// Groups returns the names of the groups that hold name (normalized: lower
// case ASCII), or nil when none does. The slice must not be modified.
func Groups(name string) []string {
	return groups[name]
}

// parse reads the groups file: one group per line, named by its first
// name, names separated by spaces, '#' to the end of a line a comment.
func parse(text string) map[string][]string {
	out := map[string][]string{}
	for line := range strings.SplitSeq(text, "\n") {
		line, _, _ = strings.Cut(line, "#")
		names := strings.Fields(line)
		for _, n := range names {
			if !slices.Contains(out[n], names[0]) {
				out[n] = append(out[n], names[0])
			}
		}
	}
	return out
}
