// SPDX-License-Identifier: MIT

//go:build vmtest

// Package integration proves the brcm module on a real kernel. Its tests
// run as root inside the test VM (vm/), which `make
// integration` boots; outside it they refuse to run rather than skip.
package integration

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

var (
	koPath     = flag.String("brcm.ko", "", "brcm.ko to load before the tests")
	kernelKind = flag.String("kernel", kindStock, "the kernel the harness booted: stock (Debian's, make test) or debug (make test-debug's)")
)

// The kernels the harness boots.
const (
	kindStock = "stock"
	kindDebug = "debug"
)

// onlyOn skips t unless the harness booted a kernel of kind, saying why.
func onlyOn(t *testing.T, kind, why string) {
	t.Helper()
	if *kernelKind != kind {
		t.Skipf("only on the %s kernel (-kernel %s): %s", kind, kind, why)
	}
}

func TestMain(m *testing.M) {
	flag.Parse()
	if *kernelKind != kindStock && *kernelKind != kindDebug {
		fmt.Fprintf(os.Stderr, "integration: -kernel %q: want %s or %s\n", *kernelKind, kindStock, kindDebug)
		os.Exit(2)
	}
	if port := os.Getenv(childEnv); port != "" {
		unprivilegedChild(port)
	}
	if port := os.Getenv(usernsEnv); port != "" {
		usernsChild(port)
	}
	if err := setup(); err != nil {
		fmt.Fprintln(os.Stderr, "integration:", err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

func setup() error {
	cmdline, err := os.ReadFile("/proc/cmdline")
	if err != nil {
		return err
	}
	if !strings.Contains(string(cmdline), "brcm.repo=") {
		return fmt.Errorf("not in the test VM: run these tests with `make integration`")
	}
	if *koPath == "" {
		return fmt.Errorf("-brcm.ko is required")
	}
	// IPv6 autoconfiguration would send frames of its own and spoil
	// exact counts.
	for _, k := range []string{"all", "default"} {
		if err := os.WriteFile("/proc/sys/net/ipv6/conf/"+k+"/disable_ipv6", []byte("1"), 0); err != nil {
			return err
		}
	}
	if err := holdTimestamps(); err != nil {
		return err
	}
	for _, m := range []string{"veth", "tun"} {
		if out, err := command("modprobe", m); err != nil {
			return fmt.Errorf("modprobe %s: %v: %s", m, err, out)
		}
	}
	return loadModule()
}

// holdTimestamps keeps the kernel's receive timestamps switched on for
// the whole run. Each ping switches them on and off when it is the only
// user, and every switch rewrites the netstamp_needed_key branch of
// __netif_receive_skb_core. Under QEMU's multi-threaded TCG a vCPU that
// was receiving while another rewrote it has died on the rewrite's int3
// (6.12, twice in three full runs). Held on, nothing rewrites it; the
// socket stays open until the process exits.
func holdTimestamps() error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("a socket to hold timestamps on: %w", err)
	}
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, 1); err != nil {
		unix.Close(fd)
		return fmt.Errorf("SO_TIMESTAMPNS: %w", err)
	}
	return nil
}
