// SPDX-License-Identifier: MIT

package rtlink

import (
	"errors"
	"os"
	"syscall"
	"testing"

	"github.com/brcmlink/brcmlink"
	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"
)

func TestDevices(t *testing.T) {
	c, k := newKernel(t)
	got, err := c.Devices()
	if err != nil {
		t.Fatal(err)
	}
	want := []Device{
		{Index: 1, Name: "lo", Type: unix.ARPHRD_LOOPBACK, Flags: unix.IFF_UP, Up: true},
		{Index: 2, Name: "eth0", Type: unix.ARPHRD_ETHER, Flags: unix.IFF_UP, Up: true},
		{Index: 3, Name: "eth1", Type: unix.ARPHRD_ETHER},
		{Index: 4, Name: "veth0", Kind: "veth", Type: unix.ARPHRD_ETHER},
		{Index: 5, Name: "eth0.p5", Kind: "brcm", Type: unix.ARPHRD_ETHER, Flags: unix.IFF_UP, Up: true},
		{Index: 6, Name: "eth0.p0", Kind: "brcm", Type: unix.ARPHRD_ETHER},
		{Index: 7, Name: "far.p3", Kind: "brcm", Type: unix.ARPHRD_ETHER},
		{Index: 8, Name: "eth1.p3", Kind: "brcm", Type: unix.ARPHRD_ETHER},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Devices (-want +got):\n%s", diff)
	}
	// One dump, unfiltered: every kind of device.
	dumps := k.sent(unix.RTM_GETLINK)
	if len(dumps) != 1 {
		t.Fatalf("%d requests, want one dump", len(dumps))
	}

	d, err := c.Device("veth0")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&want[3], d); diff != "" {
		t.Errorf("Device(veth0) (-want +got):\n%s", diff)
	}
	_, err = c.Device("nope")
	if !errors.Is(err, os.ErrNotExist) || !errors.Is(err, syscall.ENODEV) {
		t.Errorf("Device(nope) = %v, want ENODEV matching os.ErrNotExist", err)
	}
	if _, err := c.Device("a/b"); !errors.Is(err, syscall.EINVAL) {
		t.Errorf("Device(a/b) = %v, want EINVAL before any request", err)
	}
}

func TestRename(t *testing.T) {
	c, k := newKernel(t)
	p, err := c.Rename(brcmlink.ByName("eth0.p0"), "wan")
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "wan" || p.Index != 6 || p.Lower != "eth0" || p.Port != 0 {
		t.Errorf("Rename = %+v, want wan, ifindex 6, port 0 of eth0", p)
	}
	if k.links[5].name != "wan" {
		t.Errorf("the kernel's link 6 is named %s, want wan", k.links[5].name)
	}
	// By lower and port, as apply finds a port.
	if _, err := c.Rename(brcmlink.ByPort("eth1", 3), "lan"); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		sel   brcmlink.Selector
		name  string
		errno syscall.Errno
	}{
		{brcmlink.ByName("eth0.p5"), "up0", syscall.EBUSY},           // up: the kernel renames no device that is up
		{brcmlink.ByName("wan"), "lan", syscall.EEXIST},              // taken
		{brcmlink.ByName("veth0"), "v", syscall.ENODEV},              // no brcm link
		{brcmlink.ByName("wan"), "p%d", syscall.EINVAL},              // a format, refused before any request
		{brcmlink.ByName("wan"), "a/b", syscall.EINVAL},              // no device name
		{brcmlink.ByName("wan"), "sixteen-bytes-xx", syscall.EINVAL}, // too long
	} {
		if _, err := c.Rename(tt.sel, tt.name); !errors.Is(err, tt.errno) {
			t.Errorf("Rename(%v, %s) = %v, want %v", tt.sel, tt.name, err, tt.errno)
		}
	}
}

func TestSetDeviceUp(t *testing.T) {
	c, k := newKernel(t)
	if err := c.SetDeviceUp(3, true); err != nil { // eth1, a lower: no brcm link
		t.Fatal(err)
	}
	if k.links[2].flags&unix.IFF_UP == 0 {
		t.Error("eth1 is still down")
	}
	if err := c.SetDeviceUp(3, false); err != nil {
		t.Fatal(err)
	}
	if k.links[2].flags&unix.IFF_UP != 0 {
		t.Error("eth1 is still up")
	}
	if err := c.SetDeviceUp(99, true); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("SetDeviceUp(99) = %v, want ENODEV", err)
	}
}

func TestDialNetNSName(t *testing.T) {
	for _, tt := range []struct {
		name  string
		errno syscall.Errno
	}{
		{"../x", syscall.EINVAL}, // a path: ip netns takes names only
		{"", syscall.EINVAL},
		{"brcmlink-no-such-netns", syscall.ENOENT},
	} {
		c, err := DialNetNSName(tt.name)
		if err == nil {
			c.Close()
		}
		if !errors.Is(err, tt.errno) {
			t.Errorf("DialNetNSName(%q) = %v, want %v", tt.name, err, tt.errno)
		}
	}
}
