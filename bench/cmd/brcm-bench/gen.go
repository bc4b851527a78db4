// SPDX-License-Identifier: MIT

package main

import (
	"errors"
	"fmt"
	"net"
	"runtime"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"
)

// batch is how many frames one sendmmsg call carries: enough that the
// system call is a small part of each frame's cost.
const batch = 64

// generator sends one frame over and over on an interface, from an
// AF_PACKET socket that bypasses the qdisc: each frame goes straight to
// the driver, and on a veth straight into the receive path of its peer,
// which runs on the sending cpu before the call returns.
type generator struct {
	fd   int
	msgs []unix.Mmsghdr
	iov  unix.Iovec
	buf  []byte
	stop atomic.Bool
}

func newGenerator(dev string, frame []byte) (*generator, error) {
	ifi, err := net.InterfaceByName(dev)
	if err != nil {
		return nil, err
	}
	// Protocol 0: the socket sends and never receives.
	fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("packet socket on %s: %w", dev, err)
	}
	g := &generator{fd: fd, buf: frame}
	if err := g.setup(ifi.Index); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("packet socket on %s: %w", dev, err)
	}
	return g, nil
}

func (g *generator) setup(ifindex int) error {
	if err := unix.SetsockoptInt(g.fd, unix.SOL_PACKET, unix.PACKET_QDISC_BYPASS, 1); err != nil {
		return err
	}
	if err := unix.Bind(g.fd, &unix.SockaddrLinklayer{Ifindex: ifindex}); err != nil {
		return err
	}
	g.iov = unix.Iovec{Base: &g.buf[0]}
	g.iov.SetLen(len(g.buf))
	g.msgs = make([]unix.Mmsghdr, batch)
	for i := range g.msgs {
		g.msgs[i].Hdr.Iov = &g.iov
		g.msgs[i].Hdr.SetIovlen(1)
	}
	return nil
}

// run sends until stop is set, on cpu 0 like the pktgen thread it is
// compared with. Its thread stays locked, so the runtime discards it
// afterwards instead of reusing a thread pinned to one cpu.
func (g *generator) run() error {
	runtime.LockOSThread()
	var cpu0 unix.CPUSet
	cpu0.Set(0)
	if err := unix.SchedSetaffinity(0, &cpu0); err != nil {
		return err
	}
	for !g.stop.Load() {
		_, _, e := unix.Syscall6(unix.SYS_SENDMMSG, uintptr(g.fd),
			uintptr(unsafe.Pointer(&g.msgs[0])), uintptr(len(g.msgs)), 0, 0, 0)
		// ENOBUFS: the device was busy, which is the receiver's limit
		// showing, not the generator's failure.
		if e != 0 && !errors.Is(e, unix.ENOBUFS) && !errors.Is(e, unix.EINTR) {
			return fmt.Errorf("sendmmsg: %w", e)
		}
	}
	return nil
}

func (g *generator) close() error { return unix.Close(g.fd) }
