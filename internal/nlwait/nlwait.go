// SPDX-License-Identifier: MIT

// Package nlwait waits until a process has joined the brcm family's
// monitor group, so a test or the demo does not race a monitor that is
// still starting (a sleep is too short on a slow debug kernel).
package nlwait

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/brcmlink/brcmlink"
	"github.com/mdlayher/genetlink"
	"golang.org/x/sys/unix"
)

// MonitorJoined returns once process pid holds a generic netlink socket
// that has joined the brcm family's "monitor" group, or with an error when
// ctx ends first.
func MonitorJoined(ctx context.Context, pid int) error {
	group, err := monitorGroup()
	if err != nil {
		return err
	}
	// /proc/net/netlink shows only the first 32 groups of a socket.
	if group == 0 || group > 32 {
		return fmt.Errorf("monitor group id %d cannot be seen in /proc/net/netlink", group)
	}
	for {
		ok, err := joined(pid, group)
		if err != nil {
			return err
		}
		if ok {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("process %d did not join the brcm monitor group (id %d): %w", pid, group, ctx.Err())
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func monitorGroup() (uint32, error) {
	c, err := genetlink.Dial(nil)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	f, err := c.GetFamily(brcmlink.GenlName)
	if err != nil {
		return 0, fmt.Errorf("%s family: %w", brcmlink.GenlName, err)
	}
	for _, g := range f.Groups {
		if g.Name == brcmlink.GenlMcgrpMonitor {
			return g.ID, nil
		}
	}
	return 0, fmt.Errorf("the %s family has no %s group", brcmlink.GenlName, brcmlink.GenlMcgrpMonitor)
}

// joined reports whether one of pid's sockets is a NETLINK_GENERIC socket
// whose group mask has group's bit set.
func joined(pid int, group uint32) (bool, error) {
	fds, err := filepath.Glob(fmt.Sprintf("/proc/%d/fd/*", pid))
	if err != nil {
		return false, err
	}
	inodes := make(map[string]bool)
	for _, fd := range fds {
		l, err := os.Readlink(fd)
		if err == nil && strings.HasPrefix(l, "socket:[") {
			inodes[strings.TrimSuffix(strings.TrimPrefix(l, "socket:["), "]")] = true
		}
	}
	f, err := os.Open(fmt.Sprintf("/proc/%d/net/netlink", pid))
	if err != nil {
		return false, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan() // header: sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode
	for sc.Scan() {
		col := strings.Fields(sc.Text())
		if len(col) < 10 || col[1] != strconv.Itoa(unix.NETLINK_GENERIC) || !inodes[col[9]] {
			continue
		}
		mask, err := strconv.ParseUint(col[3], 16, 32)
		if err != nil {
			return false, fmt.Errorf("/proc/net/netlink groups %q: %w", col[3], err)
		}
		if mask&(1<<(group-1)) != 0 {
			return true, nil
		}
	}
	return false, sc.Err()
}
