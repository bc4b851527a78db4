// SPDX-License-Identifier: MIT

package rtlink

import (
	"errors"
	"syscall"
	"testing"

	"github.com/brcmlink/brcmlink"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/mdlayher/netlink"
)

func TestWrap(t *testing.T) {
	exists := &netlink.OpError{Op: "receive", Err: syscall.EEXIST, Message: "port 5 already exists on eth0 (eth0.p5)"}
	nodev := &netlink.OpError{Op: "receive", Err: syscall.ENODEV}
	for _, tt := range []struct {
		name     string
		op, dev  string
		err      error
		want     string
		wantErr  *brcmlink.Error // nil: not an *Error
		original error           // still reachable with errors.Is
	}{
		{
			name: "kernel message",
			op:   "add", dev: "eth0.p5",
			err:     exists,
			want:    "rtlink: add eth0.p5: port 5 already exists on eth0 (eth0.p5): file exists",
			wantErr: &brcmlink.Error{Client: "rtlink", Op: "add", Dev: "eth0.p5", Err: syscall.EEXIST, Message: "port 5 already exists on eth0 (eth0.p5)", Cause: exists},
		},
		{
			name: "no extended ack",
			op:   "get", dev: "eth0.p9",
			err:     nodev,
			want:    "rtlink: get eth0.p9: no such device",
			wantErr: &brcmlink.Error{Client: "rtlink", Op: "get", Dev: "eth0.p9", Err: syscall.ENODEV, Cause: nodev},
		},
		{
			name: "client check",
			op:   "set", dev: "eth0.p5",
			err:     errorf(syscall.ERANGE, "queue %d out of range (0-%d)", 4, 3),
			want:    "rtlink: set eth0.p5: queue 4 out of range (0-3): numerical result out of range",
			wantErr: &brcmlink.Error{Client: "rtlink", Op: "set", Dev: "eth0.p5", Err: syscall.ERANGE, Message: "queue 4 out of range (0-3)"},
		},
		{
			name:     "no errno",
			op:       "list",
			err:      errShort,
			want:     "rtlink: list: short",
			original: errShort,
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := wrap(tt.op, tt.dev, tt.err)
			if got.Error() != tt.want {
				t.Errorf("Error() = %q, want %q", got.Error(), tt.want)
			}
			var e *brcmlink.Error
			if errors.As(got, &e) != (tt.wantErr != nil) || (e != nil && !cmp.Equal(*e, *tt.wantErr, cmpopts.EquateErrors())) {
				t.Errorf("error %#v, want %#v", got, tt.wantErr)
			}
			if tt.original != nil && !errors.Is(got, tt.original) {
				t.Errorf("errors.Is(%v, %v) = false", got, tt.original)
			}
		})
	}
	if err := wrap("get", "x", nil); err != nil {
		t.Errorf("wrap(nil) = %v", err)
	}
}

var errShort = errors.New("short")
