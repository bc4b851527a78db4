// SPDX-License-Identifier: MIT

//go:build vmtest

package integration

import (
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/brcmlink/brcmlink"
)

var ynlDir = flag.String("ynl", "", "the kernel's ynl and netlink schemas (integration/ynl/prepare)")

// ynlPort is a port as ynl prints it from kernel/brcm.yaml.
type ynlPort struct {
	Ifindex      int    `json:"ifindex"`
	Ifname       string `json:"ifname"`
	LowerIfindex int    `json:"lower-ifindex"`
	LowerIfname  string `json:"lower-ifname"`
	Port         uint16 `json:"port"`
	Queue        uint8  `json:"queue"`
	TagEnforce   uint8  `json:"tag-enforce"`
	AdminUp      uint8  `json:"admin-up"`
	Operstate    uint8  `json:"operstate"`
	MTU          uint32 `json:"mtu"`
	Flags        uint32 `json:"flags"`
	Address      string `json:"address"`
	Stats        struct {
		RxPackets   uint64 `json:"rx-packets"`
		RxBytes     uint64 `json:"rx-bytes"`
		RxMulticast uint64 `json:"rx-multicast"`
		RxDropped   uint64 `json:"rx-dropped"`
		RxErrors    uint64 `json:"rx-errors"`
		TxPackets   uint64 `json:"tx-packets"`
		TxBytes     uint64 `json:"tx-bytes"`
		TxDropped   uint64 `json:"tx-dropped"`
	} `json:"stats"`
}

// port is what the Go client would say of the same port; a bad address
// stays nil and so differs.
func (y ynlPort) port() brcmlink.Port {
	addr, _ := net.ParseMAC(y.Address)
	s := y.Stats
	return brcmlink.Port{
		Index: y.Ifindex, Name: y.Ifname, LowerIndex: y.LowerIfindex, Lower: y.LowerIfname,
		Port: y.Port, Queue: y.Queue, TagEnforce: y.TagEnforce, Up: y.AdminUp == 1,
		OperState: brcmlink.OperState(y.Operstate), MTU: y.MTU, Flags: y.Flags, Address: addr,
		Stats: &brcmlink.Stats{RxPackets: s.RxPackets, RxBytes: s.RxBytes, RxMulticast: s.RxMulticast,
			RxDropped: s.RxDropped, RxErrors: s.RxErrors, TxPackets: s.TxPackets, TxBytes: s.TxBytes, TxDropped: s.TxDropped},
	}
}

// ynl runs the kernel's ynl on kernel/brcm.yaml with args and returns its
// JSON output, or fails the test.
func ynl(t *testing.T, args ...string) []byte {
	t.Helper()
	out, err := ynlCmd(args...).Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("ynl %s: %v\n%s%s", strings.Join(args, " "), err, out, stderr)
	}
	return out
}

// ynlJSON runs ynl and decodes what it printed into v, or fails the
// test.
func ynlJSON(t *testing.T, v any, args ...string) {
	t.Helper()
	out := ynl(t, args...)
	if err := json.Unmarshal(out, v); err != nil {
		t.Fatalf("ynl %s printed %q: %v", strings.Join(args, " "), out, err)
	}
}

func ynlCmd(args ...string) *exec.Cmd {
	base := []string{filepath.Join(*ynlDir, "tools/net/ynl/cli.py"), "--spec", specPath, "--output-json"}
	// ynl validates the spec against the kernel's schema first; once in a
	// run is enough (make lint does too), and it costs seconds under TCG.
	if validated {
		base = append(base, "--no-schema")
	} else {
		base = append(base, "--schema", filepath.Join(*ynlDir, "Documentation/netlink/genetlink-legacy.yaml"))
		validated = true
	}
	return exec.Command("python3", append(base, args...)...)
}

var validated bool

var specPath string

// TestYNL speaks the brcm family with the kernel's own ynl, from the spec
// kernel/brcm.yaml alone, and requires the answers the Go client gets:
// every command, do and dump. (Its monitor events are not here yet: 6.12's
// ynl fails on a notification that comes during its own request.)
func TestYNL(t *testing.T) {
	if *ynlDir == "" {
		t.Fatal("-ynl is required: integration/ynl/prepare prints it")
	}
	specPath = filepath.Join(kernelArg(t, "brcm.repo"), "kernel/brcm.yaml")
	lower, peer := name("yl"), name("yp")
	veth(t, lower, peer)
	g := genlClient(t)

	var created ynlPort
	ynlJSON(t, &created, "--do", "port-new", "--json",
		fmt.Sprintf(`{"lower-ifname": %q, "port": 5, "queue": 1, "admin-up": 1}`, lower))
	dev := created.Ifname
	t.Cleanup(func() { command("ip", "link", "del", dev) })
	// Both clients must read the port the link watch has settled.
	eventually(t, dev+" up", func() bool { return sysfs(t, dev, "operstate") == "up" })
	want, err := g.Get(brcmlink.ByName(dev))
	if err != nil {
		t.Fatal(err)
	}
	if dev != lower+".p5" || created.Port != 5 || created.Queue != 1 || created.AdminUp != 1 {
		t.Errorf("port-new replied %+v", created)
	}

	check := func(what string, got ynlPort) {
		t.Helper()
		w, err := g.Get(brcmlink.ByName(got.Ifname))
		if err != nil {
			t.Fatal(err)
		}
		if p := got.port(); !reflect.DeepEqual(p, *w) {
			t.Errorf("%s: ynl says\n%+v\nthe Go client\n%+v", what, p, *w)
		}
	}
	var got ynlPort
	ynlJSON(t, &got, "--do", "port-get", "--json", fmt.Sprintf(`{"ifname": %q}`, dev))
	check("port-get by name", got)
	ynlJSON(t, &got, "--do", "port-get", "--json", fmt.Sprintf(`{"lower-ifindex": %d, "port": 5}`, want.LowerIndex))
	check("port-get by lower and port", got)

	ynlJSON(t, &got, "--do", "port-set", "--json", fmt.Sprintf(`{"ifname": %q, "queue": 3, "tag-enforce": 2}`, dev))
	if got.Queue != 3 || got.TagEnforce != 2 {
		t.Errorf("port-set replied %+v", got)
	}
	check("port-set", got)
	if _, err := g.Add(brcmlink.AddRequest{Lower: lower, Port: 7}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { command("ip", "link", "del", lower+".p7") })

	var dump []ynlPort
	ynlJSON(t, &dump, "--dump", "port-get", "--json", fmt.Sprintf(`{"lower-ifname": %q}`, lower))
	goPorts, err := g.ListLower(lower)
	if err != nil {
		t.Fatal(err)
	}
	if len(dump) != 2 || len(goPorts) != 2 {
		t.Fatalf("port-get dump of %s: ynl %d ports, Go %d", lower, len(dump), len(goPorts))
	}
	for _, p := range dump {
		check("port-get dump", p)
	}
	if ynlJSON(t, &dump, "--dump", "port-get"); len(dump) < 2 {
		t.Errorf("port-get dump of all: %d ports", len(dump))
	}

	type ynlLower struct {
		LowerIfindex int    `json:"lower-ifindex"`
		LowerIfname  string `json:"lower-ifname"`
		NrPorts      uint32 `json:"nr-ports"`
		LowerStats   struct {
			RxTagged uint64 `json:"rx-tagged"`
		} `json:"lower-stats"`
	}
	var l ynlLower
	ynlJSON(t, &l, "--do", "link-get", "--json", fmt.Sprintf(`{"lower-ifname": %q}`, lower))
	gl, err := g.Lower(lower)
	if err != nil {
		t.Fatal(err)
	}
	if l.LowerIfindex != gl.Index || l.LowerIfname != gl.Name || int(l.NrPorts) != gl.Ports || l.LowerStats.RxTagged != gl.Stats.RxTagged {
		t.Errorf("link-get: ynl %+v, Go %+v", l, *gl)
	}
	var ls []ynlLower
	ynlJSON(t, &ls, "--dump", "link-get")
	found := false
	for _, x := range ls {
		found = found || x.LowerIfname == lower && x.NrPorts == 2
	}
	if !found {
		t.Errorf("link-get dump: %+v lacks %s with 2 ports", ls, lower)
	}

	// Deletion: one by name, then every port of the lower.
	ynl(t, "--do", "port-del", "--json", fmt.Sprintf(`{"ifname": %q}`, dev))
	var n struct {
		NrPorts uint32 `json:"nr-ports"`
	}
	ynlJSON(t, &n, "--do", "port-del", "--json", fmt.Sprintf(`{"lower-ifname": %q, "all": true}`, lower))
	if n.NrPorts != 1 || linkExists(dev) || linkExists(lower+".p7") {
		t.Errorf("port-del all: nr-ports %d, ports left: %v %v", n.NrPorts, linkExists(dev), linkExists(lower+".p7"))
	}

	// An error comes back as the kernel's extended ack.
	out, err := ynlCmd("--do", "port-get", "--json", `{"ifname": "no-such-port"}`).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "no-such-port") {
		t.Errorf("port-get of a missing port: %v, %s", err, out)
	}

}
