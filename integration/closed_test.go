// SPDX-License-Identifier: MIT

//go:build vmtest

package integration

import (
	"errors"
	"net"
	"os"
	"testing"
	"time"

	"github.com/brcmlink/brcmlink"
	"github.com/brcmlink/brcmlink/genl"
	"github.com/brcmlink/brcmlink/rtlink"
)

// closer is what TestClosed needs of either client.
type closer interface {
	List() ([]brcmlink.Port, error)
	SetDeadline(time.Time) error
	Close() error
}

// TestClosed, for each client: a closed Client acts on nothing, not even
// on the Client dialed after it, which gets the same descriptor numbers;
// a second Close is harmless; a deadline bounds the requests.
func TestClosed(t *testing.T) {
	for _, tc := range []struct {
		name string
		dial func() (closer, error)
	}{
		{"genl", func() (closer, error) { return genl.Dial() }},
		{"rtlink", func() (closer, error) { return rtlink.Dial(nil) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c1, err := tc.dial()
			if err != nil {
				t.Fatal(err)
			}
			if err := c1.Close(); err != nil {
				t.Fatal(err)
			}
			c2, err := tc.dial()
			if err != nil {
				t.Fatal(err)
			}
			defer c2.Close()
			if _, err := c1.List(); !errors.Is(err, net.ErrClosed) {
				t.Errorf("List on a closed Client: got %v, want net.ErrClosed", err)
			}
			if err := c1.Close(); !errors.Is(err, net.ErrClosed) {
				t.Errorf("second Close: got %v, want net.ErrClosed", err)
			}
			if _, err := c2.List(); err != nil {
				t.Errorf("the next Client, after the first was closed twice: %v", err)
			}
			if err := c2.SetDeadline(time.Now().Add(-time.Second)); err != nil {
				t.Fatal(err)
			}
			if _, err := c2.List(); !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Errorf("List past the deadline: got %v, want os.ErrDeadlineExceeded", err)
			}
			if err := c2.SetDeadline(time.Time{}); err != nil {
				t.Fatal(err)
			}
			if _, err := c2.List(); err != nil {
				t.Errorf("List with the deadline lifted: %v", err)
			}
		})
	}
}
