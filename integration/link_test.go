// SPDX-License-Identifier: MIT

//go:build vmtest

package integration

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/brcmlink/brcmlink"
	"github.com/mdlayher/netlink"
)

func ifindex(t testing.TB, dev string) int {
	t.Helper()
	return int(sysfsInt(t, dev, "ifindex"))
}

// links lists the devices of the initial netns.
func links(t testing.TB) []string {
	t.Helper()
	ents, err := os.ReadDir("/sys/class/net")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

// TestRejections sends every kind of bad request and checks the kernel's
// errno and message, and that nothing is left behind: no device, and the
// lower's MTU as it was.
func TestRejections(t *testing.T) {
	lw, peer := name("rl"), name("rp")
	veth(t, lw, peer)
	tun := name("rt")
	sh(t, "ip", "tuntap", "add", "dev", tun, "mode", "tun")
	t.Cleanup(func() { command("ip", "link", "del", tun) })

	c := client(t)
	taken := name("rtk")
	addPort(t, c, lw, 5, taken)
	// A second port: one port alone could change its lower's format.
	addPort(t, c, lw, 7, name("rtk"))
	lower := ifindex(t, lw)

	// A second lower with no port yet: a refused first port must not
	// leave its MTU raised.
	lw2, peer2 := name("rl"), name("rp")
	veth(t, lw2, peer2)
	lower2 := ifindex(t, lw2)

	before := links(t)
	for _, tc := range []struct {
		what  string
		req   rawLink
		errno syscall.Errno
		msg   string
	}{
		{"no lower", rawLink{port: u16(1)}, syscall.EINVAL, "lower device not given (IFLA_LINK)"},
		{"lower not found", rawLink{lower: 999999, port: u16(1)}, syscall.ENODEV, "lower device ifindex 999999 not found"},
		{"loopback lower", rawLink{lower: 1, port: u16(1)}, syscall.EINVAL, "lower device lo is not an Ethernet device (type 772)"},
		{"tun lower", rawLink{lower: ifindex(t, tun), port: u16(1)}, syscall.EINVAL,
			fmt.Sprintf("lower device %s is not an Ethernet device (type 65534)", tun)},
		{"brcm lower", rawLink{lower: ifindex(t, taken), port: u16(1)}, syscall.EINVAL,
			fmt.Sprintf("lower device %s is itself a brcm port", taken)},
		{"no port", rawLink{lower: lower}, syscall.EINVAL, "switch port not given (IFLA_BRCM_PORT)"},
		{"port 28", rawLink{lower: lower, port: u16(28)}, syscall.ERANGE, "port 28 out of range (0-27)"},
		{"port 65535", rawLink{lower: lower, port: u16(65535)}, syscall.ERANGE, "port 65535 out of range (0-27)"},
		{"queue 4", rawLink{lower: lower, port: u16(1), queue: u8(4)}, syscall.ERANGE, "queue 4 out of range (0-3)"},
		{"tag enforcement 9", rawLink{lower: lower, port: u16(1), te: u8(9)}, syscall.ERANGE, "tag enforcement 9 out of range (0-3)"},
		{"port taken", rawLink{lower: lower, port: u16(5)}, syscall.EEXIST,
			fmt.Sprintf("port 5 already exists on %s (%s)", lw, taken)},
		{"MTU above the lower's", rawLink{lower: lower2, port: u16(1), mtu: 1505}, syscall.ERANGE,
			fmt.Sprintf("MTU 1505 too large: %s carries 1504 with the tag", lw2)},
		{"name taken", rawLink{name: peer2, lower: lower2, port: u16(1)}, syscall.EEXIST, ""},
		{"change port", rawLink{index: ifindex(t, taken), port: u16(6)}, syscall.EOPNOTSUPP,
			fmt.Sprintf("cannot change %s from port 5 to 6", taken)},
		{"change queue out of range", rawLink{index: ifindex(t, taken), queue: u8(4)}, syscall.ERANGE, "queue 4 out of range (0-3)"},
		{"a bad port hidden by a good one", rawLink{lower: lower, port: u16(40), extra: []extraAttr{{brcmlink.IFLABrcmPort, []byte{1, 0}}}},
			syscall.ERANGE, "port 40 out of range (0-27)"},
		{"a port of 4 bytes", rawLink{lower: lower, extra: []extraAttr{{brcmlink.IFLABrcmPort, []byte{1, 0, 0, 0}}}},
			syscall.EINVAL, "attribute type 1 of the brcm link data is 4 bytes, not 2"},
		{"an unknown attribute", rawLink{lower: lower, port: u16(1), extra: []extraAttr{{9, []byte{1}}}},
			syscall.EINVAL, "unknown attribute type 9 in the brcm link data"},
		{"format 2", rawLink{lower: lower2, port: u16(1), extra: []extraAttr{{brcmlink.IFLABrcmFormat, []byte{2}}}},
			syscall.ERANGE, "tag format 2 unknown (0-1)"},
		{"another format than the lower's ports", rawLink{lower: lower, port: u16(1), extra: []extraAttr{{brcmlink.IFLABrcmFormat, []byte{1}}}},
			syscall.EINVAL, fmt.Sprintf("%s's ports speak format bcm53242, not original", lw)},
		{"change the format beside another port", rawLink{index: ifindex(t, taken), extra: []extraAttr{{brcmlink.IFLABrcmFormat, []byte{1}}}},
			syscall.EBUSY, fmt.Sprintf("%s has 1 other ports: set its format on the lower", lw)},
		{"queue from priority 2", rawLink{lower: lower2, port: u16(1), extra: []extraAttr{{brcmlink.IFLABrcmQueueFromPrio, []byte{2}}}},
			syscall.ERANGE, "queue from priority 2 is not 0 or 1"},
		{"VLAN 4095", rawLink{lower: lower2, port: u16(1), extra: []extraAttr{{brcmlink.IFLABrcmVLAN, []byte{0xff, 0x0f}}}},
			syscall.ERANGE, "vlan 4095 out of range (0-4094)"},
		{"a VLAN of 4 bytes", rawLink{lower: lower2, port: u16(1), extra: []extraAttr{{brcmlink.IFLABrcmVLAN, []byte{1, 0, 0, 0}}}},
			syscall.EINVAL, "attribute type 6 of the brcm link data is 4 bytes, not 2"},
	} {
		t.Run(tc.what, func(t *testing.T) {
			wantKernelErr(t, tc.req.send(), tc.errno, tc.msg)
			if got := links(t); fmt.Sprint(got) != fmt.Sprint(before) {
				t.Errorf("devices changed: before %v, after %v", before, got)
			}
			if mtu := sysfsInt(t, lw2, "mtu"); mtu != 1500 {
				t.Errorf("%s MTU is %d after a refused first port, want 1500", lw2, mtu)
			}
		})
	}

	// The refused changes left the port as it was.
	p, err := c.Get(brcmlink.ByName(taken))
	if err != nil {
		t.Fatal(err)
	}
	if p.Port != 5 || p.Queue != 0 || p.TagEnforce != 0 {
		t.Errorf("after refused changes: port %d queue %d tag enforcement %d, want 5 0 0", p.Port, p.Queue, p.TagEnforce)
	}
	// Repeating the same port is a change of nothing, not an error.
	if err := (rawLink{index: ifindex(t, taken), port: u16(5), queue: u8(2)}).send(); err != nil {
		t.Errorf("repeating port 5 with queue 2: %v", err)
	}
}

// TestLibraryErrors checks the Go library's errors for what a user meets
// most: a taken port, a missing device, a device of another kind.
func TestLibraryErrors(t *testing.T) {
	lw, peer := name("ll"), name("lp")
	veth(t, lw, peer)
	c := client(t)
	dev := name("lb")
	addPort(t, c, lw, 3, dev)

	_, err := c.Add(brcmlink.AddRequest{Lower: lw, Port: 3, Name: name("lb")})
	wantErr(t, err, os.ErrExist, fmt.Sprintf("port 3 already exists on %s (%s)", lw, dev))
	_, err = c.Add(brcmlink.AddRequest{Lower: name("nolower"), Port: 3})
	wantErr(t, err, os.ErrNotExist, "not found")
	_, err = c.Get(brcmlink.ByName(name("nodev")))
	wantErr(t, err, os.ErrNotExist, "")
	err = c.Delete(brcmlink.ByName(peer))
	wantErr(t, err, os.ErrNotExist, "is not a brcm device")
	if !linkExists(peer) {
		t.Fatalf("Delete(%s) of a veth removed it", peer)
	}
	_, err = c.Get(brcmlink.ByPort(lw, 4))
	wantErr(t, err, os.ErrNotExist, "")
}

// TestAddGetSetDelete walks a port through its life with the library and
// checks each step against what the kernel shows in sysfs and ip.
func TestAddGetSetDelete(t *testing.T) {
	lw, peer := name("al"), name("ap")
	veth(t, lw, peer)
	c := client(t)
	dev := name("ab")

	q, te := uint8(2), uint8(1)
	p, err := c.Add(brcmlink.AddRequest{Lower: lw, Port: 7, Name: dev, Queue: &q, TagEnforce: &te, Up: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { command("ip", "link", "del", dev) })
	want := brcmlink.Port{Index: ifindex(t, dev), Name: dev, LowerIndex: ifindex(t, lw), Lower: lw,
		Port: 7, Queue: 2, TagEnforce: 1, Up: true, MTU: 1500}
	if p.Index != want.Index || p.Name != want.Name || p.LowerIndex != want.LowerIndex || p.Lower != want.Lower ||
		p.Port != want.Port || p.Queue != want.Queue || p.TagEnforce != want.TagEnforce || p.Up != want.Up || p.MTU != want.MTU {
		t.Errorf("Add returned %+v, want %+v", *p, want)
	}
	if got := sysfs(t, dev, "iflink"); got != fmt.Sprint(ifindex(t, lw)) {
		t.Errorf("iflink %s, want %d", got, ifindex(t, lw))
	}
	if _, err := os.Stat("/sys/class/net/" + lw + "/upper_" + dev); err != nil {
		t.Errorf("no upper link from %s to %s: %v", lw, dev, err)
	}
	if out := sh(t, "ip", "-d", "link", "show", dev); !containsAll(out, "brcm", "@"+lw) {
		t.Errorf("ip -d link show %s does not show kind brcm on %s:\n%s", dev, lw, out)
	}

	if p, err = c.Set(brcmlink.ByName(dev), brcmlink.SetRequest{Queue: u8(3)}); err != nil || p.Queue != 3 || p.TagEnforce != 1 || !p.Up {
		t.Fatalf("Set(queue 3) = %+v, %v; want queue 3, tag enforcement 1, up", p, err)
	}
	if p, err = c.Get(brcmlink.ByName(dev)); err != nil {
		t.Fatal(err)
	}
	if p.Queue != 3 || p.TagEnforce != 1 {
		t.Errorf("after Set(queue 3): queue %d tag enforcement %d, want 3 1", p.Queue, p.TagEnforce)
	}
	byPort, err := c.Get(brcmlink.ByPort(lw, 7))
	if err != nil || byPort.Index != p.Index {
		t.Errorf("Get(ByPort(%s, 7)) = %+v, %v; want %s", lw, byPort, err, dev)
	}
	all, err := c.ListLower(lw)
	if err != nil || len(all) != 1 || all[0].Name != dev {
		t.Errorf("ListLower(%s) = %+v, %v; want just %s", lw, all, err, dev)
	}

	if err := c.Delete(brcmlink.ByPort(lw, 7)); err != nil {
		t.Fatal(err)
	}
	if linkExists(dev) {
		t.Errorf("%s still exists after Delete(ByPort)", dev)
	}
	if mtu := sysfsInt(t, lw, "mtu"); mtu != 1500 {
		t.Errorf("%s MTU %d after its last port went, want 1500 restored", lw, mtu)
	}
}

func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

// TestLongNameMessages provokes the refusals whose messages carry
// device names, with names of the longest length the kernel allows:
// each message must reach the caller whole (extack keeps 79 bytes) and
// none may reach the kernel log, where NL_SET_ERR_MSG_FMT puts the full
// text of one it had to cut.
func TestLongNameMessages(t *testing.T) {
	lw := fmt.Sprintf("%-15s", name("ll"))
	lw = strings.ReplaceAll(lw, " ", "x")
	peer := name("lp")
	veth(t, lw, peer)
	c := client(t)
	dev := strings.ReplaceAll(fmt.Sprintf("%-15s", name("ln")), " ", "y")
	addPort(t, c, lw, 5, dev)
	before := sh(t, "dmesg")

	for _, tc := range []struct {
		what string
		req  rawLink
		msg  string
	}{
		{"port taken", rawLink{lower: ifindex(t, lw), port: u16(5)},
			fmt.Sprintf("port 5 already exists on %s (%s)", lw, dev)},
		{"change port", rawLink{index: ifindex(t, dev), port: u16(27)},
			fmt.Sprintf("cannot change %s from port 5 to 27: delete it and add it again", dev)},
		{"MTU above the lower's", rawLink{lower: ifindex(t, lw), port: u16(6), mtu: 9000},
			fmt.Sprintf("MTU 9000 too large: %s carries 1504 with the tag", lw)},
	} {
		err := tc.req.send()
		var oe *netlink.OpError
		if !errors.As(err, &oe) {
			t.Errorf("%s: got %v, want a kernel error", tc.what, err)
			continue
		}
		if oe.Message != tc.msg {
			t.Errorf("%s: extack %q, want %q", tc.what, oe.Message, tc.msg)
		}
	}
	if after := sh(t, "dmesg"); strings.Contains(strings.TrimPrefix(after, before), "truncated extack") {
		t.Errorf("the kernel log got a cut message's full text:\n%s", strings.TrimPrefix(after, before))
	}
}

// TestEnslavedLower: a bridge, bond or team takes every frame of its
// ports before a packet_type sees it, so a port on such a lower would
// receive nothing. Creating one is refused, naming the master, and so is
// enslaving a lower that has ports; nothing is left changed either way.
// A VRF takes no frames: its slaves may be lowers.
func TestEnslavedLower(t *testing.T) {
	sh(t, "modprobe", "bonding")
	sh(t, "modprobe", "vrf")
	c := client(t)
	masters := map[string][]string{
		"bridge": {"type", "bridge"},
		"bond":   {"type", "bond", "mode", "active-backup"},
	}
	for _, kind := range []string{"bridge", "bond"} {
		t.Run(kind, func(t *testing.T) {
			m := name("em")
			sh(t, "ip", append([]string{"link", "add", m}, masters[kind]...)...)
			t.Cleanup(func() { command("ip", "link", "del", m) })

			// The lower enslaved first.
			lw, peer := name("el"), name("ep")
			veth(t, lw, peer)
			sh(t, "ip", "link", "set", lw, "down")
			sh(t, "ip", "link", "set", lw, "master", m)
			before := links(t)
			err := rawLink{name: name("eb"), lower: ifindex(t, lw), port: u16(5)}.send()
			wantKernelErr(t, err, syscall.EBUSY, fmt.Sprintf("%s is enslaved to %s, which takes its frames", lw, m))
			if after := links(t); strings.Join(after, " ") != strings.Join(before, " ") {
				t.Errorf("devices after the refusal: %v, before: %v", after, before)
			}
			if mtu := sysfsInt(t, lw, "mtu"); mtu != 1500 {
				t.Errorf("%s's MTU is %d after the refusal, want 1500", lw, mtu)
			}

			// The ports first.
			lw2, peer2 := name("el"), name("ep")
			veth(t, lw2, peer2)
			dev := name("eb")
			addPort(t, c, lw2, 5, dev)
			sh(t, "ip", "link", "set", lw2, "down")
			out, err := command("ip", "link", "set", lw2, "master", m)
			if want := fmt.Sprintf("%s has brcm ports; %s would take their frames", lw2, m); err == nil || !strings.Contains(out, want) {
				t.Errorf("ip link set %s master %s: %v %q, want a refusal saying %q", lw2, m, err, out, want)
			}
			if _, err := os.Stat("/sys/class/net/" + lw2 + "/master"); err == nil {
				t.Errorf("%s has a master after the refusal", lw2)
			}
			if !linkExists(dev) {
				t.Errorf("%s is gone after the refusal", dev)
			}
		})
	}
	t.Run("vrf", func(t *testing.T) {
		vrf := name("ev")
		sh(t, "ip", "link", "add", vrf, "type", "vrf", "table", "77")
		t.Cleanup(func() { command("ip", "link", "del", vrf) })
		lw, peer := name("el"), name("ep")
		veth(t, lw, peer)
		sh(t, "ip", "link", "set", lw, "master", vrf)
		dev := name("eb")
		addPort(t, c, lw, 5, dev)
		// A tagged frame for the port still reaches it.
		before := stat(t, dev, "rx_packets")
		f := frame(mac(t, lw), net.HardwareAddr{0x02, 0, 0, 0, 0, 0x55}, brcmlink.EthPBrcm,
			append(binary.BigEndian.AppendUint32(nil, brcmlink.RxTagFrom(5).Word()), append([]byte{0x88, 0xb5}, payload(1, 60)...)...))
		openRaw(t, nil, peer).send(t, f)
		waitStat(t, dev, "rx_packets", before+1)
	})
}
