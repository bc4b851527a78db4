// SPDX-License-Identifier: MIT

package brcmtest

import (
	"errors"
	"syscall"
	"testing"

	"github.com/brcmlink/brcmlink"
	"github.com/mdlayher/netlink"
)

// TestRawRefusals checks the refusals of values no genl.Client sends, as
// the module words them.
func TestRawRefusals(t *testing.T) {
	k := New()
	k.AddEthernet("eth0")
	// portNew encodes a PORT_NEW of eth0's port 1 with one setting more.
	portNew := func(setting func(*netlink.AttributeEncoder)) func(*netlink.AttributeEncoder) {
		return func(ae *netlink.AttributeEncoder) {
			ae.String(brcmlink.AttrLowerIfname, "eth0")
			ae.Uint16(brcmlink.AttrPort, 1)
			setting(ae)
		}
	}
	for _, tt := range []struct {
		what   string
		cmd    uint8
		encode func(*netlink.AttributeEncoder)
		errno  syscall.Errno
		msg    string
	}{
		{"queue from priority 2", brcmlink.CmdPortNew, portNew(func(ae *netlink.AttributeEncoder) { ae.Uint8(brcmlink.AttrQueueFromPrio, 2) }), syscall.ERANGE, "queue from priority 2 is not 0 or 1"},
		{"vlan 4095", brcmlink.CmdPortNew, portNew(func(ae *netlink.AttributeEncoder) { ae.Uint16(brcmlink.AttrVLAN, 4095) }), syscall.ERANGE, "vlan 4095 out of range (0-4094)"},
		{"format 2", brcmlink.CmdPortNew, portNew(func(ae *netlink.AttributeEncoder) { ae.Uint8(brcmlink.AttrFormat, 2) }), syscall.ERANGE, "tag format 2 unknown (0-1)"},
		{"link set without a format", brcmlink.CmdLinkSet, func(ae *netlink.AttributeEncoder) {
			ae.String(brcmlink.AttrLowerIfname, "eth0")
		}, syscall.EINVAL, "tag format not given (BRCM_A_FORMAT)"},
	} {
		ae := netlink.NewAttributeEncoder()
		tt.encode(ae)
		b, err := ae.Encode()
		if err != nil {
			t.Fatal(err)
		}
		k.mu.Lock()
		_, err = k.handle(tt.cmd, b, false)
		k.mu.Unlock()
		var e *brcmlink.Error
		if !errors.As(err, &e) || e.Err != tt.errno || e.Message != tt.msg {
			t.Errorf("%s: %v, want %v %q", tt.what, err, tt.errno, tt.msg)
		}
	}
}
