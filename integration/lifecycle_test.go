// SPDX-License-Identifier: MIT

//go:build vmtest

package integration

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/brcmlink/brcmlink"
	"golang.org/x/sys/unix"
)

// TestLowerFollows checks that ports follow their lower as VLAN devices
// do: admin state, carrier, MTU, and address.
func TestLowerFollows(t *testing.T) {
	lw, peer := name("fl"), name("fp")
	veth(t, lw, peer)
	c := client(t)
	a, b := name("fa"), name("fb")
	addPort(t, c, lw, 1, a)
	addPort(t, c, lw, 2, b)

	// MTU: the lower is raised to carry 1500 bytes and the tag.
	if got := sysfsInt(t, lw, "mtu"); got != 1510 {
		t.Errorf("%s MTU %d, want 1510", lw, got)
	}
	for _, d := range []string{a, b} {
		if got := sysfsInt(t, d, "mtu"); got != 1500 {
			t.Errorf("%s MTU %d, want 1500", d, got)
		}
		eventually(t, d+" up", func() bool { return sysfs(t, d, "operstate") == "up" })
	}

	sh(t, "ip", "link", "set", lw, "down")
	for _, d := range []string{a, b} {
		eventually(t, d+" down with its lower", func() bool {
			return sysfsInt(t, d, "flags")&1 == 0 && sysfs(t, d, "operstate") == "down"
		})
	}
	sh(t, "ip", "link", "set", lw, "up")
	for _, d := range []string{a, b} {
		eventually(t, d+" up with its lower", func() bool {
			return sysfsInt(t, d, "flags")&1 == 1 && sysfs(t, d, "operstate") == "up"
		})
	}

	// Carrier: the veth loses it when its peer goes down.
	sh(t, "ip", "link", "set", peer, "down")
	eventually(t, a+" lowerlayerdown", func() bool {
		return sysfs(t, a, "operstate") == "lowerlayerdown" && sysfs(t, a, "carrier") == "0"
	})
	sh(t, "ip", "link", "set", peer, "up")
	eventually(t, a+" up again", func() bool { return sysfs(t, a, "operstate") == "up" })

	// A port cannot be brought up while its lower is down.
	sh(t, "ip", "link", "set", lw, "down")
	if out, err := command("ip", "link", "set", a, "up"); err == nil {
		t.Errorf("ip link set %s up with %s down succeeded: %s", a, lw, out)
	}
	sh(t, "ip", "link", "set", lw, "up")

	// The lower's MTU shrinks: ports clamp to what it carries.
	sh(t, "ip", "link", "set", lw, "mtu", "1400")
	for _, d := range []string{a, b} {
		if got := sysfsInt(t, d, "mtu"); got != 1394 {
			t.Errorf("%s MTU %d after %s went to 1400, want 1394", d, got, lw)
		}
	}
	if out, err := command("ip", "link", "set", a, "mtu", "1395"); err == nil {
		t.Errorf("MTU 1395 on %s over a 1400 lower was accepted: %s", a, out)
	}
	sh(t, "ip", "link", "set", a, "mtu", "1300")

	// Address: a port that never had its own follows the lower's.
	sh(t, "ip", "link", "set", b, "address", "02:00:00:00:00:bb")
	sh(t, "ip", "link", "set", lw, "address", "02:00:00:00:00:01")
	if got := sysfs(t, a, "address"); got != "02:00:00:00:00:01" {
		t.Errorf("%s address %s, want the lower's new 02:00:00:00:00:01", a, got)
	}
	if got := sysfs(t, b, "address"); got != "02:00:00:00:00:bb" {
		t.Errorf("%s address %s, want its own 02:00:00:00:00:bb kept", b, got)
	}

	// The lower goes away: so do its ports.
	sh(t, "ip", "link", "del", lw)
	for _, d := range []string{a, b} {
		if linkExists(d) {
			t.Errorf("%s survived the deletion of its lower", d)
		}
	}
}

// TestTinyLowerMTU shrinks the lower below what a 68-byte payload and the
// tag need (74 bytes): the port must still fit inside it, following it
// down as a VLAN device follows its own lower on the same kernel.
func TestTinyLowerMTU(t *testing.T) {
	lw, peer := name("tl"), name("tp")
	veth(t, lw, peer)
	p := name("tb")
	addPort(t, client(t), lw, 3, p)
	vl, vp := name("tv"), name("tw")
	veth(t, vl, vp)
	v := name("tq")
	sh(t, "ip", "link", "add", "link", vl, "name", v, "type", "vlan", "id", "3")
	t.Cleanup(func() { command("ip", "link", "del", v) })

	for _, mtu := range []uint64{80, 74, 73, 70, 68} {
		sh(t, "ip", "link", "set", lw, "mtu", fmt.Sprint(mtu))
		sh(t, "ip", "link", "set", vl, "mtu", fmt.Sprint(mtu))
		if got := sysfsInt(t, v, "mtu"); got != mtu {
			t.Errorf("the VLAN device's MTU is %d over a %d-byte lower, want %d", got, mtu, mtu)
		}
		if got := sysfsInt(t, p, "mtu"); got != mtu-6 {
			t.Errorf("%s MTU %d over a %d-byte lower, want %d", p, got, mtu, mtu-6)
		}
	}
	// Back up: the port keeps its MTU, as the VLAN device does, and may
	// be raised again.
	sh(t, "ip", "link", "set", lw, "mtu", "1506")
	if got := sysfsInt(t, p, "mtu"); got != 62 {
		t.Errorf("%s MTU %d after its lower grew again, want 62 kept", p, got)
	}
	sh(t, "ip", "link", "set", p, "mtu", "1500")
}

// TestNetnsTeardown moves a port to another netns and destroys that
// netns: the port goes with it, and the lower gets its MTU back.
func TestNetnsTeardown(t *testing.T) {
	lw, peer := name("nl"), name("np")
	veth(t, lw, peer)
	c := client(t)
	dev, ns := name("nb"), name("ns")
	addPort(t, c, lw, 4, dev)
	netns(t, ns)
	sh(t, "ip", "link", "set", dev, "netns", ns)
	if linkExists(dev) {
		t.Fatalf("%s still in the initial netns after the move", dev)
	}
	out := sh(t, "ip", "-n", ns, "-d", "link", "show", dev)
	if !containsAll(out, "brcm", "link-netns") {
		t.Errorf("ip -n %s -d link show %s does not show a brcm device linked to another netns:\n%s", ns, dev, out)
	}
	// The lower is not in the port's netns: its index is meaningful only
	// with the link netns id.
	sh(t, "ip", "netns", "del", ns)
	eventually(t, "the lower's MTU restored after the netns went", func() bool {
		return sysfsInt(t, lw, "mtu") == 1500
	})
	if got := sh(t, "ip", "-d", "link", "show", "type", "brcm"); got != "" {
		t.Errorf("brcm devices left after the netns went:\n%s", got)
	}
}

// TestLowerMoves moves a lower with a port to another netns: the port
// stays where it is, bound to it, and goes when the lower is deleted
// there.
func TestLowerMoves(t *testing.T) {
	lw, peer := name("ml"), name("mp")
	veth(t, lw, peer)
	g := genlClient(t)
	p, err := g.Add(brcmlink.AddRequest{Lower: lw, Port: 6})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { command("ip", "link", "del", p.Name) })
	ns := name("ms")
	netns(t, ns)
	sh(t, "ip", "link", "set", lw, "netns", ns)
	got, err := g.Get(brcmlink.ByName(p.Name))
	if err != nil {
		t.Fatalf("%s after its lower moved to %s: %v", p.Name, ns, err)
	}
	if got.Port != 6 || got.Lower != "" || got.LowerNetNSID == nil {
		t.Errorf("%s after its lower moved: %+v, want port 6 on a lower in another netns", p.Name, *got)
	}
	sh(t, "ip", "-n", ns, "link", "del", lw)
	eventually(t, p.Name+" gone with its lower", func() bool { return !linkExists(p.Name) })
}

// TestRmmod unloads the module with ports on two lowers, in two netns,
// and loads it again.
func TestRmmod(t *testing.T) {
	c := client(t)
	var lowers []string
	for i := 0; i < 2; i++ {
		lw, peer := name("ml"), name("mp")
		veth(t, lw, peer)
		lowers = append(lowers, lw)
		for port := uint16(1); port <= 3; port++ {
			addPort(t, c, lw, port, fmt.Sprintf("%s.p%d", lw, port))
		}
	}
	ns := name("ms")
	netns(t, ns)
	sh(t, "ip", "link", "set", lowers[1]+".p3", "netns", ns)

	sh(t, "rmmod", "brcm")
	t.Cleanup(func() {
		if err := loadModule(); err != nil {
			t.Fatal(err)
		}
	})
	for _, lw := range lowers {
		if got := sysfsInt(t, lw, "mtu"); got != 1500 {
			t.Errorf("%s MTU %d after rmmod, want 1500", lw, got)
		}
		for port := 1; port <= 3; port++ {
			if d := fmt.Sprintf("%s.p%d", lw, port); linkExists(d) {
				t.Errorf("%s survived rmmod", d)
			}
		}
	}
	if out := sh(t, "ip", "-n", ns, "-br", "link"); containsAll(out, ".p3") {
		t.Errorf("the port moved to %s survived rmmod:\n%s", ns, out)
	}
	if err := loadModule(); err != nil {
		t.Fatal(err)
	}
	addPort(t, c, lowers[0], 1, lowers[0]+".p1")
}

// TestCreateIntoNetns creates a port straight into another namespace, as
// `ip link add link eth0 name p5 netns blue type brcm port 5` does, with
// the lower in the caller's namespace or, by IFLA_LINK_NETNSID, in a
// third one. Kernels before 6.15 create the device where its lower is and
// then move it, later ones create it in its namespace: either way the
// outcome must be a VLAN device's on the same kernel, and the port must
// be bound to the lower asked for.
func TestCreateIntoNetns(t *testing.T) {
	lw, peer := name("cl"), name("cp")
	veth(t, lw, peer)
	blue, third := name("cb"), name("ct")
	netns(t, blue)
	netns(t, third)
	// A lower in the third namespace, named by the id the target
	// namespace has for it: rtnetlink reads IFLA_LINK_NETNSID there.
	const thirdID = 42
	sh(t, "ip", "-n", blue, "netns", "set", third, fmt.Sprint(thirdID))
	lw3, peer3 := name("cl"), name("cp")
	veth(t, lw3, peer3)
	sh(t, "ip", "link", "set", lw3, "netns", third)
	sh(t, "ip", "-n", third, "link", "set", lw3, "up")
	lw3Index, err := strconv.Atoi(strings.TrimSpace(sh(t, "ip", "netns", "exec", third,
		"cat", "/sys/class/net/"+lw3+"/ifindex")))
	if err != nil {
		t.Fatal(err)
	}
	blueFD, err := unix.Open("/run/netns/"+blue, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(blueFD)

	id := int32(thirdID)
	for _, tc := range []struct {
		what     string
		lower    int
		linkNSID *int32
		lowerNS  string // where the lower is: "" for the caller's namespace
		lowerDev string
	}{
		{"lower in the caller's namespace", ifindex(t, lw), nil, "", lw},
		{"lower in a third namespace", lw3Index, &id, third, lw3},
	} {
		for _, kind := range []string{"vlan", "brcm"} {
			dev := name("cn")
			r := rawLink{name: dev, lower: tc.lower, kind: kind, netnsFD: blueFD, linkNSID: tc.linkNSID}
			if kind == "brcm" {
				r.port = u16(5)
			} else {
				r.extra = []extraAttr{{unix.IFLA_VLAN_ID, []byte{5, 0}}}
			}
			if err := r.send(); err != nil {
				t.Errorf("%s, %s: create %s in %s: %v", tc.what, kind, dev, blue, err)
				continue
			}
			if linkExists(dev) {
				t.Errorf("%s, %s: %s is in the caller's namespace, want it in %s", tc.what, kind, dev, blue)
			}
			out := sh(t, "ip", "-n", blue, "-d", "link", "show", dev)
			if !containsAll(out, kind, "link-netns") {
				t.Errorf("%s, %s: ip -n %s -d link show %s does not show a %s device on a lower in another namespace:\n%s",
					tc.what, kind, blue, dev, kind, out)
			}
			if kind == "brcm" {
				// The first port on a lower raises its MTU: this one, no other.
				ipLower := []string{"link", "show", tc.lowerDev}
				if tc.lowerNS != "" {
					ipLower = append([]string{"-n", tc.lowerNS}, ipLower...)
				}
				if out := sh(t, "ip", ipLower...); !strings.Contains(out, "mtu 1510") {
					t.Errorf("%s: the lower %s after a port was added on it:\n%s, want mtu 1510", tc.what, tc.lowerDev, out)
				}
			}
			sh(t, "ip", "-n", blue, "link", "del", dev)
		}
	}
	if out := sh(t, "ip", "link", "show", lw); !strings.Contains(out, "mtu 1500") {
		t.Errorf("%s after its port was deleted:\n%s, want mtu 1500", lw, out)
	}
}

// lowerRxFlags reads the lower's promiscuity and allmulticast counts, as
// ip -d shows them (its flags show only what was set on it directly).
func lowerRxFlags(t *testing.T, dev string) (promiscuity, allmulti int) {
	t.Helper()
	var links []struct {
		Promiscuity *int `json:"promiscuity"`
		Allmulti    *int `json:"allmulti"`
	}
	if err := json.Unmarshal([]byte(sh(t, "ip", "-d", "-j", "link", "show", dev)), &links); err != nil ||
		len(links) != 1 || links[0].Promiscuity == nil || links[0].Allmulti == nil {
		t.Fatalf("ip -d -j link show %s: %v, %+v: no promiscuity and allmulti counts", dev, err, links)
	}
	return *links[0].Promiscuity, *links[0].Allmulti
}

// TestPromiscAllmulti puts ports through sequences of promisc, allmulti,
// up, down and delete. After every step the lower must be promiscuous
// (or allmulticast) exactly while the port is up and asks for it, and
// back at its baseline when the port is gone. A VLAN device on a lower of
// its own goes through the same steps for comparison: 8021q passes the
// flags on while down too and never takes them back, so its lower is only
// logged.
func TestPromiscAllmulti(t *testing.T) {
	for i, seq := range [][]string{
		{"up", "promisc on", "del"},
		{"up", "allmulticast on", "del"},
		{"promisc on", "allmulticast on", "up", "down", "up", "del"},
		{"up", "promisc on", "down", "promisc off", "up", "allmulticast on", "down", "del"},
		{"promisc on", "del"},
	} {
		c := client(t)
		bl, bp := name("xl"), name("xp")
		veth(t, bl, bp)
		vl, vp := name("xl"), name("xp")
		veth(t, vl, vp)
		b, v := name("xb"), name("xv")
		if _, err := c.Add(brcmlink.AddRequest{Lower: bl, Port: 3, Name: b}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { command("ip", "link", "del", b) })
		sh(t, "ip", "link", "add", "link", vl, "name", v, "type", "vlan", "id", "3")
		t.Cleanup(func() { command("ip", "link", "del", v) })
		baseP, baseA := lowerRxFlags(t, bl)
		up, promisc, allmulti, gone := false, false, false, false
		for _, step := range seq {
			for _, dev := range []string{v, b} {
				if step == "del" {
					sh(t, "ip", "link", "del", dev)
				} else {
					sh(t, "ip", append([]string{"link", "set", dev}, strings.Fields(step)...)...)
				}
			}
			switch step {
			case "up", "down":
				up = step == "up"
			case "promisc on", "promisc off":
				promisc = step == "promisc on"
			case "allmulticast on", "allmulticast off":
				allmulti = step == "allmulticast on"
			case "del":
				gone = true
			}
			wantP, wantA := baseP, baseA
			if !gone && up && promisc {
				wantP++
			}
			if !gone && up && allmulti {
				wantA++
			}
			bP, bA := lowerRxFlags(t, bl)
			vP, vA := lowerRxFlags(t, vl)
			if bP != wantP || bA != wantA {
				t.Errorf("sequence %d %q, after %q: %s has promiscuity %d allmulti %d, want %d %d",
					i, seq, step, bl, bP, bA, wantP, wantA)
			}
			t.Logf("sequence %d, after %q: a port's lower promiscuity %d allmulti %d, a VLAN's %d %d",
				i, step, bP, bA, vP, vA)
		}
	}
}
