// SPDX-License-Identifier: MIT

package genl

import (
	"testing"

	"golang.org/x/sys/unix"
)

// TestNetNSNotStdin: with stdin closed, a namespace's descriptor would be
// 0, which the sockets take for the caller's own namespace.
func TestNetNSNotStdin(t *testing.T) {
	ns, err := unix.Open("/proc/self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(ns)
	stdin, err := unix.FcntlInt(0, unix.F_DUPFD_CLOEXEC, 3)
	if err != nil {
		t.Fatal(err)
	}
	unix.Close(0)
	defer func() {
		if err := unix.Dup2(stdin, 0); err != nil {
			t.Fatal(err)
		}
		unix.Close(stdin)
	}()
	var o options
	WithNetNS(ns)(&o)
	fd, err := o.openNetNS()
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	if fd < 3 {
		t.Errorf("WithNetNS keeps the namespace in descriptor %d", fd)
	}
}
