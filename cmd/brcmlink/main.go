// SPDX-License-Identifier: MIT

// Command brcmlink manages the ports of a Broadcom switch behind its IMP
// port, through the brcm kernel module's generic netlink family, with the
// command line of iproute2's ip. docs/cli.md is its guide and
// docs/brcmlink.8 its man page, which `brcmlink man` writes.
package main

//go:generate sh -c "go run . man > ../../docs/brcmlink.8"

import (
	"context"
	"os"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

func main() {
	os.Exit(Main(context.Background(), os.Args[1:], &env{
		stdin:  os.Stdin,
		stdout: os.Stdout,
		stderr: os.Stderr,
		dial:   dialGenl,
		links:  dialLinks,
		// One lock for every namespace: applies are rare and short.
		lockPath: "/run/brcmlink.lock",
		moduleVersion: func() string {
			b, _ := os.ReadFile("/sys/module/brcm/version")
			return strings.TrimSpace(string(b))
		},
		now:    time.Now,
		lowers: lowerNames,
		netns:  dirNames("/run/netns"),
		terminal: func() bool {
			_, err := unix.IoctlGetTermios(int(os.Stdout.Fd()), unix.TCGETS)
			return err == nil
		},
		getenv: os.Getenv,
	}))
}
