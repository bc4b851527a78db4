// SPDX-License-Identifier: MIT

package format

import (
	"strings"
	"testing"

	"github.com/brcmlink/brcmlink"
)

func TestSortPorts(t *testing.T) {
	ps := []brcmlink.Port{
		{Name: "x", LowerIndex: 2, LowerNetNSID: new(int32(1)), Port: 1}, // lower in another namespace
		{Name: "b10", Lower: "b", LowerIndex: 3, Port: 10},
		{Name: "a2", Lower: "a", LowerIndex: 4, Port: 2},
		{Name: "b9", Lower: "b", LowerIndex: 3, Port: 9},
		{Name: "w", LowerIndex: 9, LowerNetNSID: new(int32(0)), Port: 5},
		{Name: "v", LowerIndex: 9, LowerNetNSID: new(int32(0)), Port: 4},
	}
	SortPorts(ps)
	var got []string
	for _, p := range ps {
		got = append(got, Title(p))
	}
	// By namespace before ifindex: ifindexes of two namespaces do not compare.
	if want := "a2@a b9@b b10@b v@if9 w@if9 x@if2"; strings.Join(got, " ") != want {
		t.Errorf("sorted %v, want %s", got, want)
	}
}

// TestTable checks the column sizing of counters: as wide as the heading
// or the widest number, numbers under the end of their heading.
func TestTable(t *testing.T) {
	var b strings.Builder
	table(&b,
		row{"RX:", []string{"bytes", "packets"}, []uint64{12345678901, 2}},
		row{"TX:", []string{"bytes", "packets"}, []uint64{0, 123456789}},
	)
	want := "" +
		"    RX:   bytes   packets\n" +
		"    12345678901         2\n" +
		"    TX:   bytes   packets\n" +
		"              0 123456789\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
	for _, l := range strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n") {
		if strings.HasSuffix(l, " ") {
			t.Errorf("trailing blank: %q", l)
		}
	}
}
