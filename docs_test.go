// SPDX-License-Identifier: MIT

package brcmlink

import (
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// TestNetlinkDocCoversHeader fails when docs/netlink.md does not mention
// a command, attribute or constant of the netlink API that the UAPI
// header defines, so the page cannot fall behind the header.
func TestNetlinkDocCoversHeader(t *testing.T) {
	doc, err := os.ReadFile("docs/netlink.md")
	if err != nil {
		t.Fatal(err)
	}
	api := regexp.MustCompile(`^(IFLA_BRCM_|BRCM_GENL_|BRCM_CMD_|BRCM_A_|BRCM_STATS_A_|BRCM_LOWER_STATS_A_)`)
	var missing []string
	for name := range parseHeader(t, "kernel/include/uapi/linux/brcm.h") {
		if api.MatchString(name) && !strings.Contains(string(doc), "`"+name+"`") {
			missing = append(missing, name)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("docs/netlink.md does not mention %s", strings.Join(missing, ", "))
	}
}
