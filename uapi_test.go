// SPDX-License-Identifier: MIT

package brcmlink

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

const header = "kernel/include/uapi/linux/brcm.h"

// mirrors maps each constant of uapi.go to the header name it mirrors
// and its value, so the compiler checks the Go names.
var mirrors = map[string]struct {
	c string
	v int64
}{
	"EthPBrcm":              {"ETH_P_BRCM", EthPBrcm},
	"TagLen":                {"BRCM_TAG_LEN", TagLen},
	"HeaderLen":             {"BRCM_HLEN", HeaderLen},
	"MinFrameLen":           {"BRCM_MIN_FRAME_LEN", MinFrameLen},
	"PortMax":               {"BRCM_PORT_MAX", PortMax},
	"QueueMax":              {"BRCM_QUEUE_MAX", QueueMax},
	"TagEnforceMax":         {"BRCM_TAG_ENFORCE_MAX", TagEnforceMax},
	"PortIDOffset":          {"BRCM_PORT_ID_OFFSET", PortIDOffset},
	"OpNormal":              {"BRCM_OP_NORMAL", OpNormal},
	"OpEgressDirect":        {"BRCM_OP_EGRESS_DIRECTED", OpEgressDirect},
	"OpEgressFE":            {"BRCM_OP_EGRESS_FE", OpEgressFE},
	"OpEgressGE":            {"BRCM_OP_EGRESS_GE", OpEgressGE},
	"GEPortFirst":           {"BRCM_GE_PORT_FIRST", GEPortFirst},
	"VLANMax":               {"BRCM_VLAN_MAX", VLANMax},
	"FormatBCM53242":        {"BRCM_FORMAT_BCM53242", int64(FormatBCM53242)},
	"FormatOriginal":        {"BRCM_FORMAT_ORIGINAL", int64(FormatOriginal)},
	"FormatMax":             {"BRCM_FORMAT_MAX", int64(FormatMax)},
	"opcodeShift":           {"BRCM_OPCODE_SHIFT", opcodeShift},
	"opcodeMask":            {"BRCM_OPCODE_MASK", opcodeMask},
	"txQueueShift":          {"BRCM_TX_QUEUE_SHIFT", txQueueShift},
	"txQueueMask":           {"BRCM_TX_QUEUE_MASK", txQueueMask},
	"txTEShift":             {"BRCM_TX_TE_SHIFT", txTEShift},
	"txTEMask":              {"BRCM_TX_TE_MASK", txTEMask},
	"txDstShift":            {"BRCM_TX_DST_SHIFT", txDstShift},
	"txDstMask":             {"BRCM_TX_DST_MASK", txDstMask},
	"rxLenShift":            {"BRCM_RX_LEN_SHIFT", rxLenShift},
	"rxLenMask":             {"BRCM_RX_LEN_MASK", rxLenMask},
	"rxCoSShift":            {"BRCM_RX_COS_SHIFT", rxCoSShift},
	"rxCoSMask":             {"BRCM_RX_COS_MASK", rxCoSMask},
	"rxReasonShift":         {"BRCM_RX_REASON_SHIFT", rxReasonShift},
	"rxReasonMask":          {"BRCM_RX_REASON_MASK", rxReasonMask},
	"rxMirrorShift":         {"BRCM_RX_MIRROR_SHIFT", rxMirrorShift},
	"rxMirrorMask":          {"BRCM_RX_MIRROR_MASK", rxMirrorMask},
	"rxSrcShift":            {"BRCM_RX_SRC_SHIFT", rxSrcShift},
	"rxSrcMask":             {"BRCM_RX_SRC_MASK", rxSrcMask},
	"IFLABrcmUnspec":        {"IFLA_BRCM_UNSPEC", IFLABrcmUnspec},
	"IFLABrcmPort":          {"IFLA_BRCM_PORT", IFLABrcmPort},
	"IFLABrcmQueue":         {"IFLA_BRCM_QUEUE", IFLABrcmQueue},
	"IFLABrcmTagEnforce":    {"IFLA_BRCM_TAG_ENFORCE", IFLABrcmTagEnforce},
	"IFLABrcmFormat":        {"IFLA_BRCM_FORMAT", IFLABrcmFormat},
	"IFLABrcmQueueFromPrio": {"IFLA_BRCM_QUEUE_FROM_PRIO", IFLABrcmQueueFromPrio},
	"IFLABrcmVLAN":          {"IFLA_BRCM_VLAN", IFLABrcmVLAN},
	"IFLABrcmMax":           {"IFLA_BRCM_MAX", IFLABrcmMax},

	"GenlVersion": {"BRCM_GENL_VERSION", GenlVersion},

	"CmdUnspec":  {"BRCM_CMD_UNSPEC", CmdUnspec},
	"CmdPortNew": {"BRCM_CMD_PORT_NEW", CmdPortNew},
	"CmdPortDel": {"BRCM_CMD_PORT_DEL", CmdPortDel},
	"CmdPortSet": {"BRCM_CMD_PORT_SET", CmdPortSet},
	"CmdPortGet": {"BRCM_CMD_PORT_GET", CmdPortGet},
	"CmdLinkGet": {"BRCM_CMD_LINK_GET", CmdLinkGet},
	"CmdLinkSet": {"BRCM_CMD_LINK_SET", CmdLinkSet},
	"CmdMax":     {"BRCM_CMD_MAX", CmdMax},

	"AttrUnspec":        {"BRCM_A_UNSPEC", AttrUnspec},
	"AttrPad":           {"BRCM_A_PAD", AttrPad},
	"AttrIfindex":       {"BRCM_A_IFINDEX", AttrIfindex},
	"AttrIfname":        {"BRCM_A_IFNAME", AttrIfname},
	"AttrLowerIfindex":  {"BRCM_A_LOWER_IFINDEX", AttrLowerIfindex},
	"AttrLowerIfname":   {"BRCM_A_LOWER_IFNAME", AttrLowerIfname},
	"AttrLinkNetnsid":   {"BRCM_A_LINK_NETNSID", AttrLinkNetnsid},
	"AttrPort":          {"BRCM_A_PORT", AttrPort},
	"AttrQueue":         {"BRCM_A_QUEUE", AttrQueue},
	"AttrTagEnforce":    {"BRCM_A_TAG_ENFORCE", AttrTagEnforce},
	"AttrAdminUp":       {"BRCM_A_ADMIN_UP", AttrAdminUp},
	"AttrOperState":     {"BRCM_A_OPERSTATE", AttrOperState},
	"AttrMTU":           {"BRCM_A_MTU", AttrMTU},
	"AttrStats":         {"BRCM_A_STATS", AttrStats},
	"AttrNrPorts":       {"BRCM_A_NR_PORTS", AttrNrPorts},
	"AttrLowerStats":    {"BRCM_A_LOWER_STATS", AttrLowerStats},
	"AttrAll":           {"BRCM_A_ALL", AttrAll},
	"AttrIfindexList":   {"BRCM_A_IFINDEX_LIST", AttrIfindexList},
	"AttrFlags":         {"BRCM_A_FLAGS", AttrFlags},
	"AttrAddress":       {"BRCM_A_ADDRESS", AttrAddress},
	"AttrFormat":        {"BRCM_A_FORMAT", AttrFormat},
	"AttrQueueFromPrio": {"BRCM_A_QUEUE_FROM_PRIO", AttrQueueFromPrio},
	"AttrVLAN":          {"BRCM_A_VLAN", AttrVLAN},
	"AttrMax":           {"BRCM_A_MAX", AttrMax},

	"StatsAttrUnspec":      {"BRCM_STATS_A_UNSPEC", StatsAttrUnspec},
	"StatsAttrPad":         {"BRCM_STATS_A_PAD", StatsAttrPad},
	"StatsAttrRxPackets":   {"BRCM_STATS_A_RX_PACKETS", StatsAttrRxPackets},
	"StatsAttrRxBytes":     {"BRCM_STATS_A_RX_BYTES", StatsAttrRxBytes},
	"StatsAttrRxMulticast": {"BRCM_STATS_A_RX_MULTICAST", StatsAttrRxMulticast},
	"StatsAttrRxDropped":   {"BRCM_STATS_A_RX_DROPPED", StatsAttrRxDropped},
	"StatsAttrRxErrors":    {"BRCM_STATS_A_RX_ERRORS", StatsAttrRxErrors},
	"StatsAttrTxPackets":   {"BRCM_STATS_A_TX_PACKETS", StatsAttrTxPackets},
	"StatsAttrTxBytes":     {"BRCM_STATS_A_TX_BYTES", StatsAttrTxBytes},
	"StatsAttrTxDropped":   {"BRCM_STATS_A_TX_DROPPED", StatsAttrTxDropped},
	"StatsAttrMax":         {"BRCM_STATS_A_MAX", StatsAttrMax},

	"LowerStatsAttrUnspec":        {"BRCM_LOWER_STATS_A_UNSPEC", LowerStatsAttrUnspec},
	"LowerStatsAttrPad":           {"BRCM_LOWER_STATS_A_PAD", LowerStatsAttrPad},
	"LowerStatsAttrRxTagged":      {"BRCM_LOWER_STATS_A_RX_TAGGED", LowerStatsAttrRxTagged},
	"LowerStatsAttrRxBadLen":      {"BRCM_LOWER_STATS_A_RX_BAD_LEN", LowerStatsAttrRxBadLen},
	"LowerStatsAttrRxBadOpcode":   {"BRCM_LOWER_STATS_A_RX_BAD_OPCODE", LowerStatsAttrRxBadOpcode},
	"LowerStatsAttrRxBadPortID":   {"BRCM_LOWER_STATS_A_RX_BAD_PORT_ID", LowerStatsAttrRxBadPortID},
	"LowerStatsAttrRxUnknownPort": {"BRCM_LOWER_STATS_A_RX_UNKNOWN_PORT", LowerStatsAttrRxUnknownPort},
	"LowerStatsAttrMax":           {"BRCM_LOWER_STATS_A_MAX", LowerStatsAttrMax},
}

// stringMirrors are the string constants of uapi.go, like mirrors.
var stringMirrors = map[string]struct{ c, v string }{
	"GenlName":         {"BRCM_GENL_NAME", GenlName},
	"GenlMcgrpMonitor": {"BRCM_GENL_MCGRP_MONITOR", GenlMcgrpMonitor},
}

// goOnly are the constants of uapi.go that the header has no counterpart for.
var goOnly = map[string]bool{"Kind": true}

func TestUAPIMatchesHeader(t *testing.T) {
	defs := parseHeader(t, header)

	mirrored := make(map[string]bool)
	for name, comment := range uapiConsts(t, "uapi.go") {
		if goOnly[name] {
			continue
		}
		var c string
		var want any // int64 or string, as parseHeader returns them
		if m, ok := mirrors[name]; ok {
			c, want = m.c, m.v
		} else if m, ok := stringMirrors[name]; ok {
			c, want = m.c, m.v
		} else {
			t.Errorf("uapi.go: %s is missing from mirrors in this test", name)
			continue
		}
		mirrored[c] = true
		// A comment naming a C constant must name the mirrored one.
		if cc := cName.FindString(comment); cc != "" && cc != c {
			t.Errorf("uapi.go: %s is commented %s but mirrors %s", name, cc, c)
		}
		v, ok := defs[c]
		switch {
		case !ok:
			t.Errorf("%s: no %s, which %s mirrors", header, c, name)
		case v != want:
			t.Errorf("%s = %s, but %s is %s", name, show(want), c, show(v))
		}
	}
	for c := range defs {
		// __-names are the kernel's own, like the __IFLA_BRCM_MAX count.
		if !mirrored[c] && !strings.HasPrefix(c, "__") {
			t.Errorf("%s defines %s, which uapi.go does not mirror", header, c)
		}
	}
}

var (
	cName   = regexp.MustCompile(`^[A-Z][A-Z0-9]*_[A-Z0-9_]+`)
	define  = regexp.MustCompile(`^#define\s+(\w+)(?:\s+(.+))?$`)
	comment = regexp.MustCompile(`(?s)/\*.*?\*/`)
)

// uapiConsts returns the constants declared in the Go file path, with
// their line comments.
func uapiConsts(t *testing.T, path string) map[string]string {
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	consts := make(map[string]string)
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, s := range gd.Specs {
			vs := s.(*ast.ValueSpec)
			for _, n := range vs.Names {
				consts[n.Name] = vs.Comment.Text()
			}
		}
	}
	return consts
}

// show formats a value of parseHeader: integers in hex, strings quoted.
func show(v any) string {
	if _, ok := v.(string); ok {
		return fmt.Sprintf("%q", v)
	}
	return fmt.Sprintf("%#x", v)
}

// parseHeader returns the values of the #defines and enum entries of the
// C header path: a string for a string literal, else an int64. It
// evaluates only what brcm.h uses: string and integer literals, earlier
// names, + and -; anything else fails the test.
func parseHeader(t *testing.T, path string) map[string]any {
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defs := make(map[string]any)
	var inEnum bool
	var next int64
	for _, line := range strings.Split(string(comment.ReplaceAll(src, nil)), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "enum") && strings.HasSuffix(line, "{"):
			inEnum, next = true, 0
		case inEnum && strings.HasPrefix(line, "}"):
			inEnum = false
		case inEnum && line != "":
			name, val, explicit := strings.Cut(strings.TrimSuffix(line, ","), "=")
			if explicit {
				next = eval(t, val, defs)
			}
			defs[strings.TrimSpace(name)] = next
			next++
		default:
			// A #define without a value, like the include guard, is no constant.
			m := define.FindStringSubmatch(line)
			if m == nil || m[2] == "" {
				break
			}
			if !strings.HasPrefix(m[2], `"`) {
				defs[m[1]] = eval(t, m[2], defs)
				break
			}
			str, err := strconv.Unquote(m[2])
			if err != nil {
				t.Fatalf("%s: %s: %v", header, line, err)
			}
			defs[m[1]] = str
		}
	}
	return defs
}

func eval(t *testing.T, expr string, defs map[string]any) int64 {
	var sum int64
	sign := int64(1)
	for _, tok := range strings.Fields(strings.NewReplacer("(", " ", ")", " ").Replace(expr)) {
		switch tok {
		case "+":
			sign = 1
			continue
		case "-":
			sign = -1
			continue
		}
		v, err := strconv.ParseInt(tok, 0, 64)
		if err != nil {
			var ok bool
			if v, ok = defs[tok].(int64); !ok {
				t.Fatalf("%s: cannot evaluate %q in %q", header, tok, expr)
			}
		}
		sum += sign * v
	}
	return sum
}
