// SPDX-License-Identifier: MIT

package swmodel

import (
	"errors"
	"fmt"
	"maps"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"github.com/brcmlink/brcmlink"
	"golang.org/x/sys/unix"
)

// DefaultIMPMTU lets the IMP link carry a full 1514-byte frame with an
// 802.1Q header inside the Broadcom tag: 1500 + 4 + 6.
const DefaultIMPMTU = 1500 + vlanHdrLen + brcmlink.HeaderLen

// MaxPrefixLen keeps every interface name Build makes within IFNAMSIZ.
const MaxPrefixLen = 12

// Config describes a topology for Build.
type Config struct {
	// Prefix starts the name of everything Build creates; make it
	// unique per run so parallel runs do not collide. Letters, digits
	// and '-', at most MaxPrefixLen characters.
	Prefix string
	// Ports are the switch ports to create, 1 to brcmlink.PortMax.
	Ports []uint16
	// HostAddr gives the IPv4 address and prefix of the host on each
	// port, like 10.77.<port>.2/24. nil, or an invalid prefix, leaves
	// the host without an address.
	HostAddr func(port uint16) netip.Prefix
	// IMPMTU is the MTU of the IMP pair; 0 means DefaultIMPMTU.
	IMPMTU int
}

// Topology is what Build created:
//
//	IMP <-veth-> SwitchIMP      [switch model]      SwitchLink <-veth-> Link
//	(current netns)              (current netns)                  (netns Netns)
//
// One SwitchLink/Link pair and netns exists per port.
type Topology struct {
	IMP       string           // near end of the IMP pair: the brcm lower, or a test playing the host
	SwitchIMP string           // far end of the IMP pair, for the switch model
	Hosts     map[uint16]*Host // by port

	links []string // created in the current netns, for Destroy
	netns []string
}

// Host is the machine plugged into one switch port.
type Host struct {
	Port       uint16
	Netns      string           // named network namespace (ip netns) it lives in
	Link       string           // its interface, inside Netns
	Addr       netip.Prefix     // its address on Link, if any
	MAC        net.HardwareAddr // Link's MAC address
	SwitchLink string           // the switch's end of the wire, in the current netns
}

// SwitchPorts returns the port interfaces for New.
func (t *Topology) SwitchPorts() map[uint16]string {
	m := make(map[uint16]string, len(t.Hosts))
	for p, h := range t.Hosts {
		m[p] = h.SwitchLink
	}
	return m
}

// Build creates the IMP veth pair and, per port, a veth pair whose host
// end sits in a new network namespace "<prefix>h<port>". Interfaces are
// named <prefix>imp and <prefix>sw for the IMP pair, <prefix>s<port> for
// the switch end of a port and <prefix>h<port> for the host end. On all of
// them IPv6 is disabled (no stray router or neighbour solicitations) and
// TSO, GSO, GRO and SCTP checksum offload are off (no frames larger than
// the MTU, no CRC32c the model would have to finish); IP checksum offload
// stays on. Build runs ip(8) and ethtool(8) and needs root. On failure it
// removes what it created.
func Build(cfg Config) (*Topology, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	mtu := cfg.IMPMTU
	if mtu == 0 {
		mtu = DefaultIMPMTU
	}
	t := &Topology{IMP: cfg.Prefix + "imp", SwitchIMP: cfg.Prefix + "sw", Hosts: make(map[uint16]*Host)}
	if err := t.build(cfg, mtu); err != nil {
		t.Destroy()
		return nil, err
	}
	return t, nil
}

func (t *Topology) build(cfg Config, mtu int) error {
	if err := t.addIMP(mtu); err != nil {
		return err
	}
	for _, p := range cfg.Ports {
		var addr netip.Prefix
		if cfg.HostAddr != nil {
			addr = cfg.HostAddr(p)
		}
		if err := t.addHost(cfg.Prefix, p, addr); err != nil {
			return err
		}
	}
	return nil
}

func (c Config) check() error {
	if c.Prefix == "" || len(c.Prefix) > MaxPrefixLen ||
		strings.ContainsFunc(c.Prefix, func(r rune) bool {
			return !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '-')
		}) {
		return fmt.Errorf("swmodel: prefix %q is not 1-%d letters, digits or '-'", c.Prefix, MaxPrefixLen)
	}
	seen := make(map[uint16]bool)
	for _, p := range c.Ports {
		if p < 1 || p > brcmlink.PortMax || seen[p] {
			return fmt.Errorf("swmodel: port %d is outside 1-%d or repeated", p, brcmlink.PortMax)
		}
		seen[p] = true
	}
	return nil
}

func (t *Topology) addIMP(mtu int) error {
	m := strconv.Itoa(mtu)
	if err := run("ip", "link", "add", t.IMP, "mtu", m, "type", "veth", "peer", "name", t.SwitchIMP, "mtu", m); err != nil {
		return err
	}
	t.links = append(t.links, t.IMP)
	for _, name := range []string{t.IMP, t.SwitchIMP} {
		if err := quieten(name, nil); err != nil {
			return err
		}
		if err := run("ip", "link", "set", name, "up"); err != nil {
			return err
		}
	}
	return nil
}

func (t *Topology) addHost(prefix string, port uint16, addr netip.Prefix) error {
	p := strconv.Itoa(int(port))
	h := &Host{Port: port, Netns: prefix + "h" + p, Link: prefix + "h" + p, Addr: addr, SwitchLink: prefix + "s" + p}
	if err := run("ip", "netns", "add", h.Netns); err != nil {
		return err
	}
	t.netns = append(t.netns, h.Netns)
	// New interfaces in the netns start with IPv6 off, before the
	// link even exists.
	if err := h.Do(func() error { return disableIPv6("default") }); err != nil {
		return err
	}
	if err := run("ip", "link", "add", h.SwitchLink, "type", "veth", "peer", "name", h.Link, "netns", h.Netns); err != nil {
		return err
	}
	t.links = append(t.links, h.SwitchLink)
	if err := quieten(h.SwitchLink, nil); err != nil {
		return err
	}
	if err := quieten(h.Link, h); err != nil {
		return err
	}
	if err := h.setUp(); err != nil {
		return err
	}
	if err := run("ip", "link", "set", h.SwitchLink, "up"); err != nil {
		return err
	}
	t.Hosts[port] = h
	return nil
}

// setUp addresses the host's link, brings it and lo up and reads its MAC.
func (h *Host) setUp() error {
	ipn := []string{"ip", "-n", h.Netns}
	if h.Addr.IsValid() {
		if err := run(append(ipn, "addr", "add", h.Addr.String(), "dev", h.Link)...); err != nil {
			return err
		}
	}
	for _, dev := range []string{"lo", h.Link} {
		if err := run(append(ipn, "link", "set", dev, "up")...); err != nil {
			return err
		}
	}
	return h.Do(func() error {
		ifi, err := net.InterfaceByName(h.Link)
		if err == nil {
			h.MAC = ifi.HardwareAddr
		}
		return err
	})
}

// quieten disables IPv6 and the offloads the model does not handle on
// interface name, inside h's netns if h is not nil.
func quieten(name string, h *Host) error {
	ethtool := []string{"ethtool", "-K", name, "tso", "off", "gso", "off", "gro", "off", "tx-checksum-sctp", "off"}
	if h == nil {
		if err := disableIPv6(name); err != nil {
			return err
		}
		return run(ethtool...)
	}
	if err := h.Do(func() error { return disableIPv6(name) }); err != nil {
		return err
	}
	return run(append([]string{"ip", "netns", "exec", h.Netns}, ethtool...)...)
}

// disableIPv6 sets net.ipv6.conf.<name>.disable_ipv6 in the calling
// thread's netns; /proc/sys/net shows the netns of whoever opens it.
func disableIPv6(name string) error {
	if _, err := os.Stat("/proc/sys/net/ipv6"); errors.Is(err, os.ErrNotExist) {
		return nil // a kernel without IPv6 sends no IPv6
	}
	return os.WriteFile("/proc/sys/net/ipv6/conf/"+name+"/disable_ipv6", []byte("1\n"), 0)
}

// Do runs fn on a thread inside the host's network namespace and waits
// for it. Sockets fn opens stay in that namespace and may be used from
// anywhere afterwards; goroutines fn starts run outside it.
func (h *Host) Do(fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		// The thread is never unlocked, so the runtime discards it
		// when the goroutine ends instead of reusing it in the wrong
		// netns.
		runtime.LockOSThread()
		errc <- inNetns(h.Netns, fn)
	}()
	return <-errc
}

func inNetns(name string, fn func() error) error {
	f, err := os.Open("/var/run/netns/" + name)
	if err != nil {
		return fmt.Errorf("swmodel: netns %s: %w", name, err)
	}
	err = unix.Setns(int(f.Fd()), unix.CLONE_NEWNET)
	f.Close()
	if err != nil {
		return fmt.Errorf("swmodel: entering netns %s: %w", name, err)
	}
	return fn()
}

// Destroy removes everything Build created and is safe to call more than
// once. Sockets still open in a host's netns keep that netns alive, but
// not its interfaces: deleting a veth end deletes its peer.
func (t *Topology) Destroy() error {
	var errs []error
	for _, name := range slices.Backward(t.links) {
		if _, err := net.InterfaceByName(name); err == nil {
			errs = append(errs, run("ip", "link", "del", name))
		}
	}
	for _, ns := range t.netns {
		if _, err := os.Stat("/var/run/netns/" + ns); err == nil {
			errs = append(errs, run("ip", "netns", "del", ns))
		}
	}
	t.links, t.netns = nil, nil
	return errors.Join(errs...)
}

// Ports returns the topology's port numbers in ascending order.
func (t *Topology) Ports() []uint16 {
	return slices.Sorted(maps.Keys(t.Hosts))
}

func run(args ...string) error {
	out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("swmodel: %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}
