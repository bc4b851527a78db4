package brcmlink

import (
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
	"EthPBrcm":           {"ETH_P_BRCM", EthPBrcm},
	"TagLen":             {"BRCM_TAG_LEN", TagLen},
	"HeaderLen":          {"BRCM_HLEN", HeaderLen},
	"MinFrameLen":        {"BRCM_MIN_FRAME_LEN", MinFrameLen},
	"PortMax":            {"BRCM_PORT_MAX", PortMax},
	"QueueMax":           {"BRCM_QUEUE_MAX", QueueMax},
	"TagEnforceMax":      {"BRCM_TAG_ENFORCE_MAX", TagEnforceMax},
	"PortIDOffset":       {"BRCM_PORT_ID_OFFSET", PortIDOffset},
	"OpNormal":           {"BRCM_OP_NORMAL", OpNormal},
	"OpEgressDirect":     {"BRCM_OP_EGRESS_DIRECTED", OpEgressDirect},
	"opcodeShift":        {"BRCM_OPCODE_SHIFT", opcodeShift},
	"opcodeMask":         {"BRCM_OPCODE_MASK", opcodeMask},
	"txQueueShift":       {"BRCM_TX_QUEUE_SHIFT", txQueueShift},
	"txQueueMask":        {"BRCM_TX_QUEUE_MASK", txQueueMask},
	"txTEShift":          {"BRCM_TX_TE_SHIFT", txTEShift},
	"txTEMask":           {"BRCM_TX_TE_MASK", txTEMask},
	"txDstShift":         {"BRCM_TX_DST_SHIFT", txDstShift},
	"txDstMask":          {"BRCM_TX_DST_MASK", txDstMask},
	"rxLenShift":         {"BRCM_RX_LEN_SHIFT", rxLenShift},
	"rxLenMask":          {"BRCM_RX_LEN_MASK", rxLenMask},
	"rxCoSShift":         {"BRCM_RX_COS_SHIFT", rxCoSShift},
	"rxCoSMask":          {"BRCM_RX_COS_MASK", rxCoSMask},
	"rxReasonShift":      {"BRCM_RX_REASON_SHIFT", rxReasonShift},
	"rxReasonMask":       {"BRCM_RX_REASON_MASK", rxReasonMask},
	"rxMirrorShift":      {"BRCM_RX_MIRROR_SHIFT", rxMirrorShift},
	"rxMirrorMask":       {"BRCM_RX_MIRROR_MASK", rxMirrorMask},
	"rxSrcShift":         {"BRCM_RX_SRC_SHIFT", rxSrcShift},
	"rxSrcMask":          {"BRCM_RX_SRC_MASK", rxSrcMask},
	"IFLABrcmUnspec":     {"IFLA_BRCM_UNSPEC", IFLABrcmUnspec},
	"IFLABrcmPort":       {"IFLA_BRCM_PORT", IFLABrcmPort},
	"IFLABrcmQueue":      {"IFLA_BRCM_QUEUE", IFLABrcmQueue},
	"IFLABrcmTagEnforce": {"IFLA_BRCM_TAG_ENFORCE", IFLABrcmTagEnforce},
	"IFLABrcmMax":        {"IFLA_BRCM_MAX", IFLABrcmMax},
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
		m, ok := mirrors[name]
		if !ok {
			t.Errorf("uapi.go: %s is missing from mirrors in this test", name)
			continue
		}
		mirrored[m.c] = true
		// A comment naming a C constant must name the mirrored one.
		if c := cName.FindString(comment); c != "" && c != m.c {
			t.Errorf("uapi.go: %s is commented %s but mirrors %s", name, c, m.c)
		}
		v, ok := defs[m.c]
		switch {
		case !ok:
			t.Errorf("%s: no %s, which %s mirrors", header, m.c, name)
		case v != m.v:
			t.Errorf("%s = %#x, but %s is %#x", name, m.v, m.c, v)
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

// parseHeader returns the values of the #defines and enum entries of the
// C header path. It evaluates only what brcm.h uses: integer literals,
// earlier names, + and -; anything else fails the test.
func parseHeader(t *testing.T, path string) map[string]int64 {
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defs := make(map[string]int64)
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
			if m := define.FindStringSubmatch(line); m != nil && m[2] != "" {
				defs[m[1]] = eval(t, m[2], defs)
			}
		}
	}
	return defs
}

func eval(t *testing.T, expr string, defs map[string]int64) int64 {
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
			if v, ok = defs[tok]; !ok {
				t.Fatalf("%s: cannot evaluate %q in %q", header, tok, expr)
			}
		}
		sum += sign * v
	}
	return sum
}
