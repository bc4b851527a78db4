// SPDX-License-Identifier: MIT

package main

import (
	"errors"
	"fmt"
	"io"
	"syscall"

	"github.com/brcmlink/brcmlink/config"
	"github.com/brcmlink/brcmlink/genl"
	"github.com/brcmlink/brcmlink/rtlink"
)

// Dialer opens a Backend in the network namespace netns ("" for this
// one).
type Dialer func(netns string) (Backend, error)

// LinksDialer opens Links in the network namespace netns ("" for this
// one).
type LinksDialer func(netns string) (Links, error)

// backend opens the Backend for the first command, and keeps it.
func (r *runner) backend() (Backend, error) {
	if r.be == nil && r.dialErr == nil {
		r.be, r.dialErr = r.dial(r.netns)
	}
	return r.be, r.dialErr
}

// links opens rtnetlink for the first apply, and keeps it.
func (r *runner) links() (Links, error) {
	if r.lk == nil {
		l, err := r.dialLinks(r.netns)
		if err != nil {
			return nil, err
		}
		r.lk = l
	}
	return r.lk, nil
}

// dialGenl opens the brcm family in the network namespace netns.
func dialGenl(netns string) (Backend, error) {
	var opts []genl.Option
	if netns != "" {
		opts = append(opts, genl.WithNetNSName(netns))
	}
	c, err := genl.Dial(opts...)
	if err != nil {
		return nil, dialError(err, netns)
	}
	return c, nil
}

// dialLinks opens rtnetlink in the network namespace netns.
func dialLinks(netns string) (Links, error) {
	c, err := dialRtlink(netns)
	if err != nil {
		return nil, dialError(err, netns)
	}
	return struct {
		config.Links
		io.Closer
	}{config.NewLinks(c), c}, nil
}

// dialRtlink opens an rtlink.Client in the network namespace netns ("" for
// this one).
func dialRtlink(netns string) (*rtlink.Client, error) {
	if netns != "" {
		return rtlink.DialNetNSName(netns)
	}
	return rtlink.Dial(nil)
}

// dialError words the two failures of Dial that people meet most, both
// ENOENT: a kernel without the brcm family, and a namespace that -n names
// but "ip netns add" did not make (iproute2: Cannot open network
// namespace "NAME": No such file or directory). Past the family, Dial's
// only ENOENT is opening the namespace.
func dialError(err error, netns string) error {
	switch {
	case errors.Is(err, genl.ErrNotLoaded):
		return &dialFailure{msg: "the brcm kernel module is not loaded, and the kernel could not load it (apt install brcm-dkms; modprobe brcm says why)", err: err}
	case netns != "" && errors.Is(err, syscall.ENOENT):
		return &dialFailure{msg: fmt.Sprintf("network namespace %q not found (no /run/netns/%s)", netns, netns), err: err}
	}
	return err
}

// dialFailure is a failure to open the brcm family that brcmlink words
// itself, for a cause Dial's error names only in a program's terms.
type dialFailure struct {
	msg string
	err error
}

func (e *dialFailure) Error() string { return e.msg }

func (e *dialFailure) Unwrap() error { return e.err }
