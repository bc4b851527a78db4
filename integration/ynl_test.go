// SPDX-License-Identifier: MIT

//go:build vmtest

package integration

import (
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/brcmlink/brcmlink"
	"github.com/mdlayher/genetlink"
	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

var ynlDir = flag.String("ynl", "", "the kernel's ynl and netlink schemas (ynl/prepare)")

// monitorGroup returns the id the kernel gave the brcm family's monitor
// group: any number, past 32 too, depending on the families registered.
func monitorGroup(t *testing.T) uint32 {
	t.Helper()
	c, err := genetlink.Dial(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	f, err := c.GetFamily(brcmlink.GenlName)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range f.Groups {
		if g.Name == brcmlink.GenlMcgrpMonitor {
			return g.ID
		}
	}
	t.Fatalf("family %s has no group %s: %+v", f.Name, brcmlink.GenlMcgrpMonitor, f.Groups)
	return 0
}

// inGroup reports whether a generic netlink socket has joined group: in
// the test VM, where tests run one at a time, only ynl's. It asks
// sock_diag (netlink_diag), which gives each socket's whole group bitmap;
// /proc/net/netlink shows only the first 32 groups.
func inGroup(t *testing.T, group uint32) bool {
	t.Helper()
	c, err := netlink.Dial(unix.NETLINK_SOCK_DIAG, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// struct netlink_diag_req: family, protocol, pad, ino, show, cookie.
	req := make([]byte, 20)
	req[0], req[1] = unix.AF_NETLINK, unix.NETLINK_GENERIC
	binary.NativeEndian.PutUint32(req[8:], 2) // NDIAG_SHOW_GROUPS
	msgs, err := c.Execute(netlink.Message{
		Header: netlink.Header{Type: 20, Flags: netlink.Request | netlink.Dump}, // SOCK_DIAG_BY_FAMILY
		Data:   req,
	})
	if err != nil {
		t.Fatalf("sock_diag of generic netlink sockets: %v", err)
	}
	const hdr = 28 // struct netlink_diag_msg
	for _, m := range msgs {
		if len(m.Data) < hdr {
			continue
		}
		ad, err := netlink.NewAttributeDecoder(m.Data[hdr:])
		if err != nil {
			t.Fatal(err)
		}
		for ad.Next() {
			// NETLINK_DIAG_GROUPS: a bitmap of longs, bit group-1.
			if b := ad.Bytes(); ad.Type() == 1 && int(group-1)/8 < len(b) && b[(group-1)/8]&(1<<((group-1)%8)) != 0 {
				return true
			}
		}
	}
	return false
}

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
// every command, do and dump, and the monitor group's events.
func TestYNL(t *testing.T) {
	onlyOn(t, kindStock, "make test runs it on every stock kernel: the debug kernel's checkers gain nothing from it")
	if *ynlDir == "" {
		t.Fatal("-ynl is required: ynl/prepare prints it")
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

	// Events: ynl subscribed to monitor (alone: 6.12's ynl fails on a
	// notification that comes during a request of its own) while the Go
	// client makes, changes and deletes a port.
	group := monitorGroup(t)
	command("modprobe", "netlink_diag") // a module on the stock kernels
	if inGroup(t, group) {
		t.Fatalf("a socket is in the monitor group (%d) before ynl", group)
	}
	sub := ynlCmd("--subscribe", "monitor", "--sleep", "8")
	var subOut, subErr strings.Builder
	sub.Stdout, sub.Stderr = &subOut, &subErr
	if err := sub.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sub.Process.Kill(); sub.Wait() })
	// Python starts slowly under TCG: give it a minute.
	for deadline := time.Now().Add(time.Minute); !inGroup(t, group); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("ynl --subscribe monitor: not in group %d after a minute", group)
		}
	}
	ev := lower + ".p9"
	made, err := g.Add(brcmlink.AddRequest{Lower: lower, Port: 9})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.Set(brcmlink.ByName(ev), brcmlink.SetRequest{Queue: u8(2)}); err != nil {
		t.Fatal(err)
	}
	if err := g.Delete(brcmlink.ByName(ev)); err != nil {
		t.Fatal(err)
	}
	if err := sub.Wait(); err != nil {
		t.Fatalf("ynl --subscribe monitor: %v: %s", err, subErr.String())
	}
	var events []struct {
		Name string  `json:"name"`
		Msg  ynlPort `json:"msg"`
	}
	if err := json.Unmarshal([]byte(subOut.String()), &events); err != nil {
		t.Fatalf("ynl --subscribe monitor printed %q: %v", subOut.String(), err)
	}
	var seen []string
	for _, e := range events {
		if e.Msg.Ifname != ev {
			continue
		}
		seen = append(seen, fmt.Sprintf("%s queue %d", e.Name, e.Msg.Queue))
		if e.Msg.Ifindex != made.Index || e.Msg.LowerIfname != lower || e.Msg.Port != 9 {
			t.Errorf("%s: ynl says %+v; the port was %+v", e.Name, e.Msg, *made)
		}
	}
	if want := []string{"port-new-ntf queue 0", "port-set-ntf queue 2", "port-del-ntf queue 2"}; !slices.Equal(seen, want) {
		t.Errorf("ynl --subscribe monitor: %q, want %q", seen, want)
	}
}
