// SPDX-License-Identifier: MIT

//go:build vmtest

package integration

import (
	"encoding/binary"
	"errors"
	"strings"
	"syscall"
	"testing"

	"github.com/brcmlink/brcmlink"
	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// rawLink is an RTM_NEWLINK request built by hand, so that the kernel's
// own checks can be reached with values no client library would send.
type rawLink struct {
	index int    // an existing device to change, or 0 to create
	name  string // IFLA_IFNAME
	lower int    // IFLA_LINK, absent if 0
	mtu   uint32 // IFLA_MTU, absent if 0
	port  *uint16
	queue *uint8
	te    *uint8
	extra []extraAttr // appended to IFLA_INFO_DATA as they are
	kind  string      // IFLA_INFO_KIND, brcm if empty
	// IFLA_NET_NS_FD: the namespace to create the device in, if not 0.
	netnsFD int
	// IFLA_LINK_NETNSID: the namespace of the lower, if not nil.
	linkNSID *int32
}

type extraAttr struct {
	typ  uint16
	data []byte
}

func (r rawLink) send() error {
	ae := netlink.NewAttributeEncoder()
	if r.name != "" {
		ae.String(unix.IFLA_IFNAME, r.name)
	}
	if r.lower != 0 {
		ae.Uint32(unix.IFLA_LINK, uint32(r.lower))
	}
	if r.mtu != 0 {
		ae.Uint32(unix.IFLA_MTU, r.mtu)
	}
	if r.netnsFD != 0 {
		ae.Uint32(unix.IFLA_NET_NS_FD, uint32(r.netnsFD))
	}
	if r.linkNSID != nil {
		ae.Int32(unix.IFLA_LINK_NETNSID, *r.linkNSID)
	}
	kind := r.kind
	if kind == "" {
		kind = brcmlink.Kind
	}
	ae.Nested(unix.IFLA_LINKINFO, func(li *netlink.AttributeEncoder) error {
		li.String(unix.IFLA_INFO_KIND, kind)
		li.Nested(unix.IFLA_INFO_DATA, func(d *netlink.AttributeEncoder) error {
			if r.port != nil {
				d.Uint16(brcmlink.IFLABrcmPort, *r.port)
			}
			if r.queue != nil {
				d.Uint8(brcmlink.IFLABrcmQueue, *r.queue)
			}
			if r.te != nil {
				d.Uint8(brcmlink.IFLABrcmTagEnforce, *r.te)
			}
			for _, a := range r.extra {
				d.Bytes(a.typ, a.data)
			}
			return nil
		})
		return nil
	})
	attrs, err := ae.Encode()
	if err != nil {
		return err
	}
	hdr := make([]byte, unix.SizeofIfInfomsg)
	binary.NativeEndian.PutUint32(hdr[4:8], uint32(r.index))
	flags := netlink.Request | netlink.Acknowledge
	if r.index == 0 {
		flags |= netlink.Create | netlink.Excl
	}
	c, err := netlink.Dial(unix.NETLINK_ROUTE, nil)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.SetOption(netlink.ExtendedAcknowledge, true); err != nil {
		return err
	}
	_, err = c.Execute(netlink.Message{
		Header: netlink.Header{Type: unix.RTM_NEWLINK, Flags: flags},
		Data:   append(hdr, attrs...),
	})
	return err
}

func u16(v uint16) *uint16 { return &v }

// wantKernelErr checks the kernel refused a request with errno and an
// extended-ack message containing msg.
func wantKernelErr(t *testing.T, err error, errno syscall.Errno, msg string) {
	t.Helper()
	var oe *netlink.OpError
	if !errors.As(err, &oe) {
		t.Fatalf("got %v, want a kernel error %v %q", err, errno, msg)
	}
	if !errors.Is(err, errno) {
		t.Errorf("errno: got %v, want %v", oe.Err, errno)
	}
	if !strings.Contains(oe.Message, msg) {
		t.Errorf("extack: got %q, want %q", oe.Message, msg)
	}
}

// rtlinkReq asks rtlink for port on lower, named dev.
func rtlinkReq(lower string, port uint16, dev string) brcmlink.AddRequest {
	return brcmlink.AddRequest{Lower: lower, Port: port, Name: dev}
}
