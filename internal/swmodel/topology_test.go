// SPDX-License-Identifier: MIT

package swmodel

import (
	"net"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

func TestBuild(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root for veth pairs and network namespaces")
	}
	prefix := uniquePrefix(t)
	topo, err := Build(Config{Prefix: prefix, Ports: []uint16{2, 27}, HostAddr: hostAddr, IMPMTU: 1600})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { topo.Destroy() })

	if !slices.Equal(topo.Ports(), []uint16{2, 27}) {
		t.Errorf("Ports() = %v", topo.Ports())
	}
	for _, name := range []string{topo.IMP, topo.SwitchIMP} {
		checkLink(t, name, 1600)
	}
	for p, h := range topo.Hosts {
		if h.Port != p || topo.SwitchPorts()[p] != h.SwitchLink || h.Netns != h.Link {
			t.Errorf("host %+v", h)
		}
		checkLink(t, h.SwitchLink, 1500)
		err := h.Do(func() error {
			ifi := checkLink(t, h.Link, 1500)
			if ifi != nil && ifi.HardwareAddr.String() != h.MAC.String() {
				t.Errorf("%s: MAC %v, Host says %v", h.Link, ifi.HardwareAddr, h.MAC)
			}
			if addrs, _ := ifi.Addrs(); len(addrs) != 1 || addrs[0].String() != hostAddr(p).String() {
				t.Errorf("%s: addresses %v", h.Link, addrs)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}

	// The same prefix again fails, and must not remove the first
	// topology's interfaces while cleaning up after itself.
	if again, err := Build(Config{Prefix: prefix, Ports: []uint16{2}}); err == nil {
		again.Destroy()
		t.Fatal("second Build with the same prefix succeeded")
	}
	if _, err := net.InterfaceByName(topo.IMP); err != nil {
		t.Fatalf("failed Build removed the first one's interface: %v", err)
	}

	if err := topo.Destroy(); err != nil {
		t.Fatal(err)
	}
	if err := topo.Destroy(); err != nil {
		t.Fatalf("second Destroy: %v", err)
	}
	for _, name := range []string{topo.IMP, topo.SwitchIMP, topo.Hosts[2].SwitchLink} {
		if _, err := net.InterfaceByName(name); err == nil {
			t.Errorf("%s survived Destroy", name)
		}
	}
	if _, err := os.Stat("/var/run/netns/" + topo.Hosts[2].Netns); err == nil {
		t.Errorf("netns %s survived Destroy", topo.Hosts[2].Netns)
	}
}

// checkLink checks, in the calling thread's netns, that interface name is
// up with the given MTU, IPv6 and the offloads the model cannot take off.
func checkLink(t *testing.T, name string, mtu int) *net.Interface {
	t.Helper()
	ifi, err := net.InterfaceByName(name)
	if err != nil {
		t.Error(err)
		return nil
	}
	if ifi.MTU != mtu || ifi.Flags&net.FlagUp == 0 {
		t.Errorf("%s: MTU %d, flags %v; want MTU %d and up", name, ifi.MTU, ifi.Flags, mtu)
	}
	if b, err := os.ReadFile("/proc/sys/net/ipv6/conf/" + name + "/disable_ipv6"); err != nil || string(b) != "1\n" {
		t.Errorf("%s: disable_ipv6 %q, %v", name, b, err)
	}
	// ethtool -k runs in the thread's netns: exec forks from it.
	out, err := exec.Command("ethtool", "-k", name).Output()
	if err != nil {
		t.Error(err)
		return ifi
	}
	for _, want := range []string{
		"tcp-segmentation-offload: off", "generic-segmentation-offload: off",
		"generic-receive-offload: off", "tx-checksum-sctp: off", "tx-checksum-ip-generic: on",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("%s: ethtool -k lacks %q", name, want)
		}
	}
	return ifi
}
