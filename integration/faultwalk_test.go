// SPDX-License-Identifier: MIT

//go:build vmtest

package integration

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unsafe"

	"github.com/brcmlink/brcmlink"
	"github.com/brcmlink/brcmlink/genl"
	"github.com/mdlayher/genetlink"
	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

var faultStride = flag.Int("fault-stride", 1,
	"fail every allocation (1), or every n-th only, in TestFaultWalk: CI's shorter run")

// TestFaultWalk fails every allocation of each operation in turn: for
// n = 1, 2, … it arms /proc/thread-self/fail-nth with n and runs the
// operation, until one runs with no fault injected. Each try must succeed
// whole (the state afterwards is that of a run without faults) or fail
// with an error and leave the state as it was: devices, their MTU, flags,
// promiscuity and masters, ports and lowers as the family reports them.
// Leaked references show when the test's devices are deleted (the
// trackers, and unregister_netdevice waiting), leaked memory in the
// kmemleak scan that ends `make test-debug`.
//
// It needs a kernel with FAULT_INJECTION, FAILSLAB and FAIL_PAGE_ALLOC,
// which the debug kernel has and Debian's do not: integration/run leaves
// it out, `make test-debug` runs it.
func TestFaultWalk(t *testing.T) {
	onlyOn(t, kindDebug, "Debian's kernels cannot inject faults")
	if _, err := os.Stat("/proc/thread-self/fail-nth"); err != nil {
		t.Fatalf("this kernel cannot inject faults (%v): run it on the debug kernel, `make test-debug`", err)
	}
	armFaults(t)
	// vm/run tolerates bare call traces of failed
	// allocations between these, and only there. Registered first, the
	// end is logged last, after the test's devices are gone and any
	// leaked reference shown.
	kmsg(t, "brcm-fault-walk: begin")
	t.Cleanup(func() { kmsg(t, "brcm-fault-walk: end") })

	lw, peer := name("fl"), name("fp")
	veth(t, lw, peer)
	// A lower with no port yet: its first makes the group.
	first, firstPeer := name("fl"), name("fp")
	veth(t, first, firstPeer)
	ns := name("fn")
	netns(t, ns)
	r := client(t)
	kept := name("fk")
	addPort(t, r, lw, 7, kept)
	addPort(t, r, lw, 8, name("fk"))
	g := genlClient(t)
	// A listener, so that every change is also announced: the
	// notifications' allocations are walked too.
	_, fam := genlConn(t)
	mon := newMonitor(t, fam)
	nsFile, err := os.Open("/run/netns/" + ns)
	if err != nil {
		t.Fatal(err)
	}
	defer nsFile.Close()
	lower := uint32(ifindex(t, lw))
	keptIndex := uint32(ifindex(t, kept))

	snap := func() string { return faultState(t, g, ns) }
	genlReq := func(cmd uint8, flags netlink.HeaderFlags, attrs func(*netlink.AttributeEncoder)) []byte {
		return genlMessage(t, fam.ID, cmd, flags, attrs)
	}
	created := name("fc")
	fresh := &freshPort{t: t, g: g, lower: name("fz"), peer: name("fy")}
	gone, gonePeer := name("fg"), name("fq")
	doomed := name("fd")

	walks := []faultOp{
		{
			name: "PORT_NEW (genl)", proto: unix.NETLINK_GENERIC,
			announces: brcmlink.CmdPortNew,
			req: genlReq(brcmlink.CmdPortNew, netlink.Acknowledge, func(e *netlink.AttributeEncoder) {
				e.Uint32(brcmlink.AttrLowerIfindex, lower)
				e.Uint16(brcmlink.AttrPort, 5)
				e.String(brcmlink.AttrIfname, created)
				e.Uint8(brcmlink.AttrAdminUp, 1)
			}),
			undo: func() { sh(t, "ip", "link", "del", created) },
		},
		{
			name: "PORT_NEW (genl), a lower's first", proto: unix.NETLINK_GENERIC,
			announces: brcmlink.CmdPortNew,
			req: genlReq(brcmlink.CmdPortNew, netlink.Acknowledge, func(e *netlink.AttributeEncoder) {
				e.String(brcmlink.AttrLowerIfname, first)
				e.Uint16(brcmlink.AttrPort, 1)
			}),
			undo: func() { sh(t, "ip", "link", "del", first+".p1") },
		},
		{
			name: "PORT_NEW (rtnetlink)", proto: unix.NETLINK_ROUTE,
			announces: brcmlink.CmdPortNew,
			req: rtnlMessage(unix.RTM_NEWLINK, netlink.Create|netlink.Excl|netlink.Acknowledge, 0,
				func(e *netlink.AttributeEncoder) {
					e.String(unix.IFLA_IFNAME, created)
					e.Uint32(unix.IFLA_LINK, lower)
					e.Nested(unix.IFLA_LINKINFO, func(e *netlink.AttributeEncoder) error {
						e.String(unix.IFLA_INFO_KIND, "brcm")
						e.Nested(unix.IFLA_INFO_DATA, func(e *netlink.AttributeEncoder) error {
							e.Uint16(brcmlink.IFLABrcmPort, 6)
							return nil
						})
						return nil
					})
				}),
			undo: func() { sh(t, "ip", "link", "del", created) },
		},
		{
			name: "PORT_SET", proto: unix.NETLINK_GENERIC,
			announces: brcmlink.CmdPortSet,
			req: genlReq(brcmlink.CmdPortSet, netlink.Acknowledge, func(e *netlink.AttributeEncoder) {
				e.Uint32(brcmlink.AttrIfindex, keptIndex)
				e.Uint8(brcmlink.AttrQueue, 3)
				e.Uint8(brcmlink.AttrTagEnforce, 2)
				e.Uint8(brcmlink.AttrAdminUp, 0)
			}),
			undo: func() {
				sh(t, *cliPath, "set", kept, "queue", "0", "tag-enforce", "0", "up")
			},
		},
		{
			name: "PORT_DEL", proto: unix.NETLINK_GENERIC,
			announces: brcmlink.CmdPortDel,
			// Made again before each try that deleted it.
			setup: func() {
				if !linkExists(doomed) {
					addPort(t, r, lw, 9, doomed)
				}
			},
			req: genlReq(brcmlink.CmdPortDel, netlink.Acknowledge, func(e *netlink.AttributeEncoder) {
				e.Uint32(brcmlink.AttrLowerIfindex, lower)
				e.Uint16(brcmlink.AttrPort, 9)
			}),
		},
		{
			name: "PORT_GET dump", proto: unix.NETLINK_GENERIC,
			req: genlReq(brcmlink.CmdPortGet, netlink.Dump, nil),
		},
		{
			name: "LINK_GET dump", proto: unix.NETLINK_GENERIC,
			req: genlReq(brcmlink.CmdLinkGet, netlink.Dump, nil),
		},
		// A rename or a move that fails in the kernel's own sysfs code
		// can leave that device half renamed on 6.1 (device_rename()
		// does not undo kobject_rename()): each try has a port of its
		// own, with names of its own that the state shows as <old> and
		// <new>.
		{
			name: "rename", proto: unix.NETLINK_ROUTE,
			setup: fresh.next,
			reqFn: func() []byte {
				return rtnlMessage(unix.RTM_NEWLINK, netlink.Acknowledge, uint32(ifindex(t, fresh.old)),
					func(e *netlink.AttributeEncoder) { e.String(unix.IFLA_IFNAME, fresh.new) })
			},
			norm: fresh.norm,
		},
		{
			name: "move to a netns", proto: unix.NETLINK_ROUTE,
			setup: fresh.next,
			reqFn: func() []byte {
				return rtnlMessage(unix.RTM_NEWLINK, netlink.Acknowledge, uint32(ifindex(t, fresh.old)),
					func(e *netlink.AttributeEncoder) { e.Uint32(unix.IFLA_NET_NS_FD, uint32(nsFile.Fd())) })
			},
			norm: fresh.norm,
		},
		{
			name: "lower MTU change", proto: unix.NETLINK_ROUTE,
			req: rtnlMessage(unix.RTM_NEWLINK, netlink.Acknowledge, lower, func(e *netlink.AttributeEncoder) {
				e.Uint32(unix.IFLA_MTU, 1400)
			}),
			undo: func() {
				sh(t, "ip", "link", "set", lw, "mtu", "1510")
				for _, p := range faultPorts(t, g, lw) {
					sh(t, "ip", "link", "set", p, "mtu", "1500")
				}
			},
		},
		{
			name: "lower deleted with ports", proto: unix.NETLINK_ROUTE,
			// Made again before each try that deleted it.
			setup: func() {
				if linkExists(gone) {
					return
				}
				veth(t, gone, gonePeer)
				addPort(t, r, gone, 1, gone+".p1")
				addPort(t, r, gone, 2, gone+".p2")
			},
			reqFn: func() []byte {
				return rtnlMessage(unix.RTM_DELLINK, netlink.Acknowledge, uint32(ifindex(t, gone)), nil)
			},
		},
	}

	report := func(op string, n, absorbed, lost int) {
		fmt.Printf("fault-walk: %s: %d allocations failed in turn (every %d), %d absorbed, %d answers lost\n",
			op, n, *faultStride, absorbed, lost)
	}
	// Last: it unloads the module, and every port with it.
	walks = append(walks, moduleLoad(t, ns))
	for _, op := range walks {
		t.Run(op.name, func(t *testing.T) {
			n, absorbed, lost := walkFaults(t, op, snap, mon)
			report(op.name, n, absorbed, lost)
		})
	}
}

// moduleLoad loads brcm.ko by finit_module(): a failed load must leave
// no module, no family and no device behind.
func moduleLoad(t *testing.T, ns string) faultOp {
	f, err := os.Open(*koPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		f.Close()
		if err := loadModule(); err != nil {
			t.Error(err)
		}
	})
	fd, params := f.Fd(), []byte{0}
	return faultOp{
		name: "module load",
		setup: func() {
			if moduleLoaded() {
				sh(t, "rmmod", "brcm")
			}
		},
		do: func(nth int) (bool, int, error) {
			injected, err := withFault(nth, func() error {
				if _, _, e := unix.Syscall(unix.SYS_FINIT_MODULE, fd, uintptr(unsafe.Pointer(&params[0])), 0); e != 0 {
					return &faultNlError{errno: e}
				}
				return nil
			})
			return injected, 0, err
		},
		state: func() string {
			family := false
			if c, err := genetlink.Dial(nil); err == nil {
				_, err = c.GetFamily(brcmlink.GenlName)
				family = err == nil
				c.Close()
			}
			return fmt.Sprintf("module loaded %v, family %v\n%s", moduleLoaded(), family, faultDevices(t, ns))
		},
	}
}

// faultOp is one operation of the walk: a netlink request sent as is,
// and what puts the state back after it succeeded.
type faultOp struct {
	name  string
	proto int
	req   []byte
	// For requests that name what setup makes: built after it.
	reqFn func() []byte
	// Instead of a request: the operation itself, as faultExchange.
	do    func(nth int) (injected bool, replies int, err error)
	setup func()
	undo  func()
	// The state, when it is not the walk's.
	state func() string
	// Rewrites a state before it is compared, for names that change.
	norm func(string) string
	// The event a success sends the monitor group; 0 for none.
	announces uint8
}

// freshPort makes a port of its own for each try of an operation that
// can spoil the device it fails on. The ports go on a lower of their
// own, which is deleted, all its ports with it in one batch, and made
// again when its switch ports run out: deleting ports one by one costs
// seconds on the debug kernel.
type freshPort struct {
	t            *testing.T
	g            *genl.Client
	lower, peer  string
	n            int
	old, new     string
	port         uint16
	lowerPresent bool
}

// next makes the next try's port.
func (f *freshPort) next() {
	if f.port == brcmlink.PortMax || !f.lowerPresent {
		if f.lowerPresent {
			sh(f.t, "ip", "link", "del", f.lower)
		}
		veth(f.t, f.lower, f.peer)
		f.lowerPresent, f.port = true, 0
	}
	f.n++
	f.port++
	f.old, f.new = fmt.Sprintf("fwo%d", f.n), fmt.Sprintf("fwn%d", f.n)
	if _, err := f.g.Add(brcmlink.AddRequest{Lower: f.lower, Port: f.port, Name: f.old}); err != nil {
		f.t.Fatal(err)
	}
}

// norm names this try's port <old> and <new>, with no switch port
// number, and leaves out the lower and the ports of earlier tries.
func (f *freshPort) norm(state string) string {
	state = strings.NewReplacer(f.old, "<old>", f.new, "<new>").Replace(state)
	var keep []string
	for _, l := range strings.Split(state, "\n") {
		switch {
		case strings.Contains(l, "<old>") || strings.Contains(l, "<new>"):
			l = strings.ReplaceAll(l, f.lower, "<lower>")
			keep = append(keep, freshPortNumber.ReplaceAllString(l, " port N "))
		case !strings.Contains(l, "fwo") && !strings.Contains(l, "fwn") && !strings.Contains(l, f.lower):
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}

var freshPortNumber = regexp.MustCompile(` port [0-9]+ `)

// walkFaults runs op once without faults, then with its n-th allocation
// failed for n = 1, 2, … until it runs with none injected. It returns how
// many allocations it failed, and how many of those the operation
// absorbed (it succeeded whole nonetheless).
func walkFaults(t *testing.T, op faultOp, snap func() string, mon *monitor) (tried, absorbed, lost int) {
	t.Helper()
	if op.state != nil {
		snap = op.state
	}
	state := snap
	if op.norm != nil {
		state = func() string { return op.norm(snap()) }
	}
	var before string
	try := func(nth int) (injected bool, replies int, err error) {
		if op.setup != nil || before == "" {
			if op.setup != nil {
				op.setup()
			}
			before = state()
		}
		if op.announces != 0 {
			mon.drain(t, 0) // earlier tries' events
		}
		switch {
		case op.do != nil:
			injected, replies, err = op.do(nth)
		case op.reqFn != nil:
			injected, replies, err = faultExchange(op.proto, op.reqFn(), nth)
		default:
			injected, replies, err = faultExchange(op.proto, op.req, nth)
		}
		if err != nil && !errors.As(err, new(*faultNlError)) && !errors.Is(err, unix.ENOMEM) &&
			!errors.Is(err, unix.ENOBUFS) {
			t.Fatalf("try %d: %v", nth, err)
		}
		return injected, replies, err
	}

	_, want, err := try(0)
	if err != nil {
		t.Fatalf("without faults: %v", err)
	}
	if n, missed := mon.drain(t, op.announces); op.announces != 0 && (n == 0 || missed) {
		t.Fatalf("without faults: %d events of command %d, lost %v", n, op.announces, missed)
	}
	after := state()
	if op.undo != nil {
		op.undo()
		if got := state(); got != before {
			t.Fatalf("undoing the operation leaves a state other than before:\n%s", diffState(before, got))
		}
	}

	for nth := 1; ; nth += *faultStride {
		injected, replies, err := try(nth)
		got := state()
		if injected {
			tried++
		}
		switch {
		case errors.As(err, new(*faultLost)):
			// The answer was lost (the socket's ENOBUFS, as for any
			// overrun): the caller cannot tell whether the request was
			// done, so it must be whole or not at all.
			lost++
			switch got {
			case before:
				continue
			case after:
			default:
				t.Fatalf("allocation %d failed and the answer was lost: %v; the state is neither before nor after:\n%s",
					nth, err, diffState(after, got))
			}
		case err != nil:
			if got != before {
				t.Fatalf("allocation %d failed: %v; the state is not as before:\n%s", nth, err, diffState(before, got))
			}
			if !injected {
				t.Fatalf("try %d failed with no fault injected: %v", nth, err)
			}
			continue
		case got != after:
			t.Fatalf("allocation %d failed, yet the operation succeeded in part:\n%s", nth, diffState(after, got))
		case replies != want:
			t.Fatalf("allocation %d failed, yet the operation succeeded with %d replies, not %d", nth, replies, want)
		case !mon.announced(t, op.announces):
			t.Fatalf("allocation %d failed, the operation succeeded, and its event was neither sent nor reported lost (ENOBUFS)", nth)
		default:
			if !injected {
				if op.undo != nil {
					op.undo()
				}
				return tried, absorbed, lost
			}
			absorbed++
		}
		if op.undo != nil {
			op.undo()
		}
	}
}

// monitor is a raw listener of the family's monitor group, read without
// waiting: a request's events are queued before its answer.
type monitor struct {
	fd  int
	buf []byte
}

func newMonitor(t *testing.T, fam genetlink.Family) *monitor {
	t.Helper()
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_GENERIC)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		t.Fatal(err)
	}
	for _, grp := range fam.Groups {
		if grp.Name == brcmlink.GenlMcgrpMonitor {
			if err := unix.SetsockoptInt(fd, unix.SOL_NETLINK, unix.NETLINK_ADD_MEMBERSHIP, int(grp.ID)); err != nil {
				t.Fatal(err)
			}
		}
	}
	return &monitor{fd: fd, buf: make([]byte, 1<<16)}
}

// drain reads every queued event, and returns how many were of command
// cmd and whether the kernel said some were lost (ENOBUFS).
func (m *monitor) drain(t *testing.T, cmd uint8) (events int, lost bool) {
	t.Helper()
	for {
		n, _, err := unix.Recvfrom(m.fd, m.buf, unix.MSG_DONTWAIT)
		switch {
		case errors.Is(err, unix.ENOBUFS):
			lost = true
			continue
		case errors.Is(err, unix.EAGAIN):
			return events, lost
		case err != nil:
			t.Fatal(err)
		}
		for b := m.buf[:n]; len(b) >= unix.NLMSG_HDRLEN+unix.GENL_HDRLEN; {
			l := int(binary.LittleEndian.Uint32(b[0:4]))
			if l < unix.NLMSG_HDRLEN || l > len(b) {
				t.Fatalf("event of %d bytes in %d", l, len(b))
			}
			if b[unix.NLMSG_HDRLEN] == cmd {
				events++
			}
			b = b[min((l+3)&^3, len(b)):]
		}
	}
}

// announced reports whether a success was announced by an event of cmd,
// or its loss reported; cmd 0 asks nothing.
func (m *monitor) announced(t *testing.T, cmd uint8) bool {
	n, lost := m.drain(t, cmd)
	return cmd == 0 || n > 0 || lost
}

// faultLost is an error reading the answer, after the request was sent:
// the kernel could not queue it.
type faultLost struct{ err error }

func (e *faultLost) Error() string { return "reading the answer: " + e.err.Error() }
func (e *faultLost) Unwrap() error { return e.err }

// faultExchange sends req on a new netlink socket of proto and reads
// every answer, with the nth allocation of this thread failed (none when
// nth is 0). It reports whether the fault was injected and how many
// replies came before the acknowledgement or the end of the dump.
func faultExchange(proto int, req []byte, nth int) (injected bool, replies int, err error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, proto)
	if err != nil {
		return false, 0, err
	}
	defer unix.Close(fd)
	if err := unix.SetsockoptInt(fd, unix.SOL_NETLINK, unix.NETLINK_EXT_ACK, 1); err != nil {
		return false, 0, err
	}
	// A reply lost to a fault must not hang the walk.
	tv := unix.Timeval{Sec: 30}
	if err := unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv); err != nil {
		return false, 0, err
	}
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return false, 0, err
	}
	buf := make([]byte, 1<<16)
	for i := range buf {
		buf[i] = 0 // fault the pages in now
	}
	kernel := unix.RawSockaddrNetlink{Family: unix.AF_NETLINK}
	dump := binary.LittleEndian.Uint16(req[6:8])&unix.NLM_F_DUMP == unix.NLM_F_DUMP
	var errno unix.Errno
	var last []byte
	lost := &faultLost{err: unix.ENOBUFS}
	injected, err = withFault(nth, func() error {
		// Raw calls: the wrappers allocate.
		if _, _, e := unix.Syscall6(unix.SYS_SENDTO, uintptr(fd), uintptr(unsafe.Pointer(&req[0])), uintptr(len(req)),
			0, uintptr(unsafe.Pointer(&kernel)), unix.SizeofSockaddrNetlink); e != 0 {
			return e
		}
		for {
			r, _, e := unix.Syscall6(unix.SYS_RECVFROM, uintptr(fd), uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)),
				0, 0, 0)
			if e == unix.ENOBUFS {
				return lost // preallocated: nothing may allocate here
			}
			if e != 0 {
				return e
			}
			n := int(r)
			for b := buf[:n]; len(b) >= unix.NLMSG_HDRLEN; {
				l := int(binary.LittleEndian.Uint32(b[0:4]))
				if l < unix.NLMSG_HDRLEN || l > len(b) {
					return unix.EBADMSG
				}
				typ := binary.LittleEndian.Uint16(b[4:6])
				if typ == unix.NLMSG_ERROR || (typ == unix.NLMSG_DONE && dump) {
					errno = unix.Errno(-int32(binary.LittleEndian.Uint32(b[16:20])))
					last = b[:l]
					return nil
				}
				replies++
				b = b[min((l+3)&^3, len(b)):]
			}
		}
	})
	if err == nil && errno != 0 {
		err = &faultNlError{errno: errno, msg: extackMessage(last)}
	}
	return injected, replies, err
}

// withFault runs do on this thread with its nth allocation failed (none
// when nth is 0), and reports whether that allocation came. do must not
// allocate in Go: a page fault on fresh memory would count.
func withFault(nth int, do func() error) (injected bool, err error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if nth == 0 {
		return false, do()
	}
	ctl, err := unix.Open("/proc/thread-self/fail-nth", unix.O_RDWR|unix.O_CLOEXEC, 0)
	if err != nil {
		return false, err
	}
	defer unix.Close(ctl)
	arm, zero := []byte(strconv.Itoa(nth)), []byte("0")
	var left [16]byte
	if _, err := unix.Pwrite(ctl, arm, 0); err != nil {
		return false, err
	}
	err = do()
	n, rerr := unix.Pread(ctl, left[:], 0)
	if _, werr := unix.Pwrite(ctl, zero, 0); rerr == nil {
		rerr = werr
	}
	if rerr != nil {
		return false, rerr
	}
	// 0 left: the nth allocation came, and failed.
	return strings.TrimSpace(string(left[:n])) == "0", err
}

// faultNlError is the kernel's refusal of a request in the walk.
type faultNlError struct {
	errno unix.Errno
	msg   string
}

func (e *faultNlError) Error() string { return fmt.Sprintf("%v (%q)", e.errno, e.msg) }
func (e *faultNlError) Unwrap() error { return e.errno }

// extackMessage is NLMSGERR_ATTR_MSG of an error message with extack.
func extackMessage(m []byte) string {
	var msg netlink.Message
	if err := msg.UnmarshalBinary(m); err != nil || len(msg.Data) < 4+unix.NLMSG_HDRLEN {
		return ""
	}
	inner := int(binary.LittleEndian.Uint32(msg.Data[4:8]))
	off := 4 + unix.NLMSG_HDRLEN
	if msg.Header.Flags&netlink.Capped == 0 {
		off = 4 + inner
	}
	if off > len(msg.Data) {
		return ""
	}
	ad, err := netlink.NewAttributeDecoder(msg.Data[off:])
	if err != nil {
		return ""
	}
	for ad.Next() {
		if ad.Type() == unix.NLMSGERR_ATTR_MSG {
			return ad.String()
		}
	}
	return ""
}

func kmsg(t *testing.T, line string) {
	if err := os.WriteFile("/dev/kmsg", []byte(line+"\n"), 0); err != nil {
		t.Fatal(err)
	}
}

// armFaults makes failslab and fail_page_alloc fail what fail-nth asks,
// sleeping allocations and single pages included, silently.
func armFaults(t *testing.T) {
	t.Helper()
	if _, err := os.Stat("/sys/kernel/debug/failslab"); err != nil {
		sh(t, "mount", "-t", "debugfs", "none", "/sys/kernel/debug")
	}
	for path, v := range map[string]string{
		"failslab/ignore-gfp-wait":        "N",
		"failslab/verbose":                "0",
		"fail_page_alloc/ignore-gfp-wait": "N",
		"fail_page_alloc/min-order":       "0",
		"fail_page_alloc/verbose":         "0",
	} {
		if err := os.WriteFile("/sys/kernel/debug/"+path, []byte(v), 0); err != nil {
			t.Fatal(err)
		}
	}
}

func genlMessage(t *testing.T, family uint16, cmd uint8, flags netlink.HeaderFlags,
	attrs func(*netlink.AttributeEncoder)) []byte {
	t.Helper()
	var data []byte
	if attrs != nil {
		e := netlink.NewAttributeEncoder()
		attrs(e)
		var err error
		if data, err = e.Encode(); err != nil {
			t.Fatal(err)
		}
	}
	body, err := (&genetlink.Message{Header: genetlink.Header{Command: cmd, Version: brcmlink.GenlVersion},
		Data: data}).MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	return nlMessage(netlink.HeaderType(family), flags, body)
}

// rtnlMessage is an RTM_* link request for ifindex (0: none) with attrs.
func rtnlMessage(typ uint16, flags netlink.HeaderFlags, ifindex uint32, attrs func(*netlink.AttributeEncoder)) []byte {
	body := make([]byte, unix.SizeofIfInfomsg)
	body[0] = unix.AF_UNSPEC
	binary.LittleEndian.PutUint32(body[4:8], ifindex)
	if attrs != nil {
		e := netlink.NewAttributeEncoder()
		attrs(e)
		data, err := e.Encode()
		if err != nil {
			panic(err)
		}
		body = append(body, data...)
	}
	return nlMessage(netlink.HeaderType(typ), flags, body)
}

func nlMessage(typ netlink.HeaderType, flags netlink.HeaderFlags, body []byte) []byte {
	b, err := (&netlink.Message{Header: netlink.Header{Length: uint32(unix.NLMSG_HDRLEN + (len(body)+3)&^3),
		Type: typ, Flags: netlink.Request | flags, Sequence: 1}, Data: body}).MarshalBinary()
	if err != nil {
		panic(err)
	}
	return b
}

// faultState is what a failed try must leave as it was: every device of
// the initial namespace and of ns with what users see of it, and every
// port and lower as the family reports them (no ifindex: a device made
// again gets a new one; no counters).
func faultState(t *testing.T, g interface {
	List() ([]brcmlink.Port, error)
	Lowers() ([]brcmlink.Lower, error)
}, ns string) string {
	t.Helper()
	lines := []string{faultDevices(t, ns)}
	ports, err := g.List()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ports {
		lines = append(lines, fmt.Sprintf("port %s on %s port %d queue %d tag-enforce %d up %v mtu %d",
			p.Name, p.Lower, p.Port, p.Queue, p.TagEnforce, p.Up, p.MTU))
	}
	lowers, err := g.Lowers()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range lowers {
		lines = append(lines, fmt.Sprintf("lower %s ports %d", l.Name, l.Ports))
	}
	sort.Strings(lines[1:])
	return strings.Join(lines, "\n")
}

// faultDevices describes every device of the initial namespace and of
// ns as ip shows it, one per line, sorted.
func faultDevices(t *testing.T, ns string) string {
	t.Helper()
	type dev struct {
		Name        string   `json:"ifname"`
		Flags       []string `json:"flags"`
		MTU         int      `json:"mtu"`
		Master      string   `json:"master"`
		Link        string   `json:"link"`
		Promiscuity int      `json:"promiscuity"`
		Allmulti    int      `json:"allmulti"`
		Info        struct {
			Kind string `json:"info_kind"`
		} `json:"linkinfo"`
	}
	var lines []string
	for _, where := range []string{"", ns} {
		args := []string{"-d", "-j", "link", "show"}
		if where != "" {
			args = append([]string{"-n", where}, args...)
		}
		var devs []dev
		if err := json.Unmarshal([]byte(sh(t, "ip", args...)), &devs); err != nil {
			t.Fatal(err)
		}
		for _, d := range devs {
			// Carrier follows asynchronously (link watch): not state.
			var flags []string
			for _, f := range d.Flags {
				if f != "NO-CARRIER" && f != "LOWER_UP" && f != "M-DOWN" {
					flags = append(flags, f)
				}
			}
			d.Flags = flags
			lines = append(lines, fmt.Sprintf("netns %q %s: %+v", where, d.Name, d))
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// faultPorts names the ports on lower.
func faultPorts(t *testing.T, g interface {
	List() ([]brcmlink.Port, error)
}, lower string) []string {
	t.Helper()
	ports, err := g.List()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range ports {
		if p.Lower == lower {
			names = append(names, p.Name)
		}
	}
	return names
}

// diffState shows the lines of two states that differ.
func diffState(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	if reflect.DeepEqual(w, g) {
		return "(no difference)"
	}
	in := func(s string, set []string) bool {
		for _, x := range set {
			if x == s {
				return true
			}
		}
		return false
	}
	var out []string
	for _, l := range w {
		if !in(l, g) {
			out = append(out, "- "+l)
		}
	}
	for _, l := range g {
		if !in(l, w) {
			out = append(out, "+ "+l)
		}
	}
	return strings.Join(out, "\n")
}
