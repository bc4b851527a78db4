// SPDX-License-Identifier: MIT

// Package brcmtest is an in-memory brcm kernel for the tests of programs
// that use the genl package: a Kernel holds network devices and brcm
// ports, and its Client is a genl.Client that talks to it over fake
// netlink sockets, in the module's wire format. It follows the module's
// rules and answers as it does, with the same errno and extended-ack
// message for each refusal (a conformance test in the VM checks both
// against the real module): the ranges, a port taken, names taken or
// invalid, lowers that cannot carry ports, a port that cannot come up on
// a lower that is down, the one tag format of a lower's ports (which
// BRCM_CMD_LINK_SET, or a change of its only port, changes). Its watches get the module's events, and overrun
// as a real socket does.
//
// It models one network namespace, which holds "lo" (ifindex 1) from the
// start, and of the others only what its ports see of a lower that moved
// to one (MoveLower). What it leaves out: ports in other namespaces, MTU
// changes, the policies' refusals of attributes a genl.Client never sends,
// and the timing of operational states (the kernel's linkwatch sets them
// a moment after a change; the Kernel at once).
package brcmtest

import (
	"errors"
	"fmt"
	"net"
	"slices"
	"sync"
	"syscall"

	"github.com/brcmlink/brcmlink"
	"github.com/brcmlink/brcmlink/genl"
	"github.com/brcmlink/brcmlink/internal/nl"
	"golang.org/x/sys/unix"
)

// Devices' types, as ARPHRD_* of <linux/if_arp.h>.
const (
	arphrdEther    = 1
	arphrdLoopback = 772
)

// Kernel is a fake kernel with the brcm module loaded. Its methods are
// safe for concurrent use, with each other and with its clients.
type Kernel struct {
	mu        sync.Mutex
	devs      []*device // in the order they were made, as the kernel lists them
	nextIndex int
	watchers  map[*socket]bool
	refuse    func(Request) error
	rmem      int // net.core.rmem_default: a new socket's receive buffer
}

// device is a network device of the Kernel: a lower, a port, or another.
type device struct {
	index   int
	name    string
	typ     uint16
	up      bool
	carrier bool
	mtu     uint32
	// For a port.
	port       *port
	stats      brcmlink.Stats
	lowerStats brcmlink.LowerStats // for a lower
	// For a lower with ports: the tag format they all speak.
	format brcmlink.Format
	// For a lower with ports: its MTU before the first raised it.
	savedMTU uint32
	// For a device moved to another namespace: the id this one knows
	// that one by. Such a device is seen only as the lower of its ports.
	netnsid *int32
}

// port is a port's settings, struct brcm_port_cfg and brcm_port.
type port struct {
	lower         *device
	port          uint16
	queue         uint8
	tagEnforce    uint8
	format        brcmlink.Format // its lower's, which all its ports share
	queueFromPrio uint8
	vlan          uint16
}

// New returns a Kernel whose namespace holds only "lo".
func New() *Kernel {
	k := &Kernel{nextIndex: 1, watchers: map[*socket]bool{}, rmem: defaultReadBuffer}
	k.add(&device{name: "lo", typ: arphrdLoopback, up: true, carrier: true, mtu: 65536})
	return k
}

func (k *Kernel) add(d *device) *device {
	d.index = k.nextIndex
	k.nextIndex++
	k.devs = append(k.devs, d)
	return d
}

// AddEthernet adds an Ethernet device, up with a carrier and an MTU of
// 1500, as a lower for ports, and returns its ifindex. It panics if the
// name is taken: that is the test's mistake.
func (k *Kernel) AddEthernet(name string) int {
	k.mu.Lock()
	defer k.mu.Unlock()
	if !brcmlink.ValidDeviceName(name) || k.byName(name) != nil {
		panic(fmt.Sprintf("brcmtest: AddEthernet(%q): invalid or taken", name))
	}
	return k.add(&device{name: name, typ: arphrdEther, up: true, carrier: true, mtu: 1500}).index
}

// Remove removes the device named name, as `ip link del` does; a lower's
// ports go with it, each announced. It reports whether there was one.
func (k *Kernel) Remove(name string) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	d := k.byName(name)
	if d == nil {
		return false
	}
	for _, p := range k.portsOf(d) {
		k.deletePort(p)
	}
	if d.port != nil {
		k.deletePort(d)
		return true
	}
	k.devs = slices.DeleteFunc(k.devs, func(o *device) bool { return o == d })
	return true
}

// MoveLower moves the Ethernet device named name to another network
// namespace, which this one knows by the id netnsid (as `ip link set
// netns` does to a lower): its ports stay, and report it by ifindex and
// netnsid instead of its name, which nothing here resolves any more.
func (k *Kernel) MoveLower(name string, netnsid int32) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	d := k.byName(name)
	if d == nil || d.typ != arphrdEther || d.port != nil {
		return &brcmlink.Error{Err: syscall.ENODEV, Message: "no Ethernet device " + name}
	}
	d.netnsid = &netnsid
	return nil
}

// Rename renames the device named old to new, as `ip link set name`
// does: the kernel refuses it while the device is up.
func (k *Kernel) Rename(old, new string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	d := k.byName(old)
	switch {
	case d == nil:
		return &brcmlink.Error{Err: syscall.ENODEV, Message: "no device " + old}
	case !brcmlink.ValidDeviceName(new):
		return &brcmlink.Error{Err: syscall.EINVAL}
	case new == old:
		return nil
	case k.byName(new) != nil:
		return &brcmlink.Error{Err: syscall.EEXIST}
	case d.up:
		return &brcmlink.Error{Err: syscall.EBUSY}
	}
	d.name = new
	if d.port != nil {
		k.notify(d, brcmlink.CmdPortSet)
	}
	return nil
}

// SetUp sets the device named name up or down, as `ip link set` does. A
// lower's ports follow it as the module's do: down with it, and all up
// again with it (NETDEV_UP in brcm_port_lower_event), but only when its
// state changes, as the kernel sends no event otherwise. A port cannot
// come up on a lower that is down (ENETDOWN).
func (k *Kernel) SetUp(name string, up bool) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	d := k.byName(name)
	if d == nil {
		return &brcmlink.Error{Err: syscall.ENODEV, Message: "no device " + name}
	}
	if d.port != nil {
		return k.setPortUp(d, up)
	}
	if d.up == up {
		return nil
	}
	d.up = up
	for _, p := range k.portsOf(d) {
		if p.up != up {
			p.up = up
			k.notify(p, brcmlink.CmdPortSet)
		}
	}
	return nil
}

// SetCarrier gives the Ethernet device named name a carrier or takes it
// away, as a cable does, and reports whether there was one.
func (k *Kernel) SetCarrier(name string, carrier bool) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	d := k.byName(name)
	if d == nil {
		return false
	}
	d.carrier = carrier
	for _, p := range k.portsOf(d) {
		if p.up {
			k.notify(p, brcmlink.CmdPortSet)
		}
	}
	return true
}

// SetStats sets the counters of the port named name, and reports whether
// there was one.
func (k *Kernel) SetStats(name string, s brcmlink.Stats) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	d := k.byName(name)
	if d == nil || d.port == nil {
		return false
	}
	d.stats = s
	return true
}

// SetLowerStats sets the counters of the receive hook of the lower named
// name, and reports whether there was one.
func (k *Kernel) SetLowerStats(name string, s brcmlink.LowerStats) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	d := k.byName(name)
	if d == nil || d.typ != arphrdEther {
		return false
	}
	d.lowerStats = s
	return true
}

// Request is a request to the Kernel's brcm family, for Refuse.
type Request struct {
	Cmd uint8 // brcmlink.CmdPortNew, ...
	// The device it names: the port's name or ifindex, or its lower's
	// name or ifindex and the switch port, as the request gives them.
	Name       string
	Index      int
	Lower      string
	LowerIndex int
	Port       uint16
	Dump       bool
	// A deletion of many ports: every port of the lower (All), or those
	// with the ifindexes Indexes.
	All     bool
	Indexes []int
}

// Refuse makes the Kernel call fn before it does each request, and
// refuse those fn returns an error for: with its errno and message if it
// is a *brcmlink.Error, EIO otherwise. nil removes it. It lets a test
// make the kernel fail at the step it wants.
func (k *Kernel) Refuse(fn func(Request) error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.refuse = fn
}

// SetReadBufferDefault sets the receive buffer of the sockets opened
// after it, as net.core.rmem_default does (212992 bytes unless set):
// the answers to a batch of requests that do not fit are dropped, and
// the socket's next read fails with ENOBUFS, as the kernel's does.
func (k *Kernel) SetReadBufferDefault(bytes int) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.rmem = bytes
}

// Client returns a genl.Client on the Kernel, which can watch.
func (k *Kernel) Client() (*genl.Client, error) {
	return genl.Open(k.dial)
}

// Ports returns the Kernel's ports, as genl.Client.List would.
func (k *Kernel) Ports() []brcmlink.Port {
	k.mu.Lock()
	defer k.mu.Unlock()
	var ps []brcmlink.Port
	for _, d := range k.devs {
		if d.port != nil {
			ps = append(ps, k.portOf(d))
		}
	}
	return ps
}

// Device is a network device of the Kernel's namespace.
type Device struct {
	Name  string
	Index int
	Port  bool // a brcm port
	Up    bool // administratively up (IFF_UP)
}

// Devices returns the network devices of the Kernel's namespace, as
// `ip link` lists them.
func (k *Kernel) Devices() []Device {
	k.mu.Lock()
	defer k.mu.Unlock()
	var ds []Device
	for _, d := range k.devs {
		if d.netnsid == nil {
			ds = append(ds, Device{Name: d.name, Index: d.index, Port: d.port != nil, Up: d.up})
		}
	}
	return ds
}

func (k *Kernel) byName(name string) *device {
	for _, d := range k.devs {
		if d.name == name && d.netnsid == nil {
			return d
		}
	}
	return nil
}

func (k *Kernel) byIndex(index int) *device {
	for _, d := range k.devs {
		if d.index == index && d.netnsid == nil {
			return d
		}
	}
	return nil
}

// portsOf returns the ports on lower.
func (k *Kernel) portsOf(lower *device) []*device {
	var ps []*device
	for _, d := range k.devs {
		if d.port != nil && d.port.lower == lower {
			ps = append(ps, d)
		}
	}
	return ps
}

// portOf returns the port d as the module reports it.
func (k *Kernel) portOf(d *device) brcmlink.Port {
	op := brcmlink.OperDown
	if d.up {
		op = brcmlink.OperLowerLayerDown
		if l := d.port.lower; l.up && l.carrier {
			op = brcmlink.OperUp
		}
	}
	stats := d.stats
	// An Ethernet device's flags, as dev_get_flags() makes them.
	flags := uint32(unix.IFF_BROADCAST | unix.IFF_MULTICAST)
	if d.up {
		flags |= unix.IFF_UP
	}
	if op == brcmlink.OperUp {
		flags |= unix.IFF_RUNNING | unix.IFF_LOWER_UP
	}
	p := brcmlink.Port{
		Index: d.index, Name: d.name,
		LowerIndex: d.port.lower.index, Lower: d.port.lower.name,
		Port: d.port.port, Queue: d.port.queue, TagEnforce: d.port.tagEnforce,
		Format: d.port.format, QueueFromPriority: d.port.queueFromPrio != 0, VLAN: d.port.vlan,
		Up: d.up, OperState: op, MTU: d.mtu, Stats: &stats,
		// A port takes its lower's address, as the module's do.
		Flags: flags, Address: address(d.port.lower.index),
	}
	if id := d.port.lower.netnsid; id != nil {
		p.Lower, p.LowerNetNSID = "", new(*id)
	}
	return p
}

// address is the Kernel's MAC address of the device with ifindex index.
func address(index int) net.HardwareAddr {
	return net.HardwareAddr{0x02, 0, 0, 0, byte(index >> 8), byte(index)}
}

// kerr is a refusal, as the module makes it.
func kerr(errno syscall.Errno, format string, args ...any) error {
	return &brcmlink.Error{Err: errno, Message: fmt.Sprintf(format, args...)}
}

// checkCfg is the module's brcm_check_cfg(), whose words the clients'
// own checks already use.
func checkCfg(p port) error {
	return nl.CheckConfig(nl.Config{Port: &p.port, Queue: &p.queue, TagEnforce: &p.tagEnforce,
		Format: &p.format, QueueFromPrio: &p.queueFromPrio, VLAN: &p.vlan})
}

// maxMTU is the module's brcm_max_mtu(): what lower carries of a port's
// frames with the tag and, with a VLAN id, its 802.1Q header.
func maxMTU(lower *device, vlan uint16) uint32 {
	hlen := uint32(brcmlink.HeaderLen)
	if vlan != 0 {
		hlen += 4 // VLAN_HLEN
	}
	return max(lower.mtu, hlen) - hlen
}

// newPort is the module's brcm_port_register() and what PORT_NEW does
// around it, past the checks of the request's attributes. formatSet is
// whether the request gave p.format.
func (k *Kernel) newPort(lower *device, name string, p port, formatSet, up bool) (*device, error) {
	switch {
	case lower.port != nil:
		return nil, kerr(syscall.EINVAL, "lower device %s is itself a brcm port", lower.name)
	case lower.typ != arphrdEther:
		return nil, kerr(syscall.EINVAL, "lower device %s is not an Ethernet device (type %d)", lower.name, lower.typ)
	}
	for _, o := range k.portsOf(lower) {
		if o.port.port == p.port {
			return nil, kerr(syscall.EEXIST, "port %d already exists on %s (%s)", p.port, lower.name, o.name)
		}
	}
	first := len(k.portsOf(lower)) == 0
	if !first && formatSet && p.format != lower.format {
		return nil, kerr(syscall.EINVAL, "%s's ports speak format %s, not %s", lower.name, lower.format, p.format)
	}
	// register_netdevice() checks the name, and says nothing more.
	if !brcmlink.ValidDeviceName(name) {
		return nil, &brcmlink.Error{Err: syscall.EINVAL}
	}
	if k.byName(name) != nil {
		return nil, &brcmlink.Error{Err: syscall.EEXIST}
	}
	if first {
		// The first port raises the lower's MTU for the tag and a
		// port's own 802.1Q header (BRCM_LOWER_MTU), and says what the
		// switch speaks.
		lower.savedMTU = lower.mtu
		lower.mtu = max(lower.mtu, 1500+brcmlink.HeaderLen+4)
		if !formatSet {
			p.format = brcmlink.FormatBCM53242
		}
		lower.format = p.format
	}
	p.lower, p.format = lower, lower.format
	d := k.add(&device{name: name, typ: arphrdEther, mtu: min(1500, maxMTU(lower, p.vlan)), port: &p})
	k.notify(d, brcmlink.CmdPortNew)
	if up {
		if err := k.setPortUp(d, true); err != nil {
			k.deletePort(d)
			return nil, kerr(syscall.ENETDOWN, "cannot bring %s up (lower %s is down)", name, lower.name)
		}
	}
	return d, nil
}

// setPortUp is dev_change_flags() on a port: it cannot come up on a
// lower that is down.
func (k *Kernel) setPortUp(d *device, up bool) error {
	if up && !d.port.lower.up {
		return syscall.ENETDOWN
	}
	if d.up != up {
		d.up = up
		k.notify(d, brcmlink.CmdPortSet)
	}
	return nil
}

func (k *Kernel) deletePort(d *device) {
	k.notify(d, brcmlink.CmdPortDel)
	lower := d.port.lower
	k.devs = slices.DeleteFunc(k.devs, func(o *device) bool { return o == d })
	if len(k.portsOf(lower)) == 0 {
		lower.mtu = lower.savedMTU
	}
}

// refusal is what Refuse's fn returned, as the module's answer.
func refusal(err error) error {
	var e *brcmlink.Error
	if errors.As(err, &e) {
		return &brcmlink.Error{Err: e.Err, Message: e.Message}
	}
	return &brcmlink.Error{Err: syscall.EIO, Message: err.Error()}
}
