// SPDX-License-Identifier: MIT

package grammar

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// The prose of the man page; the help shares AbbrevText.
var (
	DescriptionText = Program + " creates, changes, lists and deletes the network devices of the brcm kernel module, " +
		"one for each port of a Broadcom switch (BCM53242 and kin) reached through its IMP port, " +
		"and shows their counters and those of their lower devices. " +
		"It talks to the module's generic netlink family brcm, in the network namespace it runs in or the one -netns names. " +
		"Its command line is that of ip(8): options first, then a command, then keywords with their values in any order."

	AbbrevText = fmt.Sprintf("Commands and keywords may be shortened to a prefix that only one of those that may come at that point starts with: "+
		"%q is %q, and after a port NAME, set takes %q for down since dev may no longer come. "+
		"A prefix that several start with is an error naming them, except %s. "+
		"Within a command, only the full word help asks for help; "+
		"a port whose name is a keyword, or the prefix of one, is given by its lower device and switch port instead.",
		"a d eth0 p 5", "add dev eth0 port 5", "d", priorities())

	BatchText = fmt.Sprintf("With -batch FILE, %s runs the commands of FILE, one a line, written as on the command line "+
		"but without the program name and the options: those of the command line apply to every line. "+
		"Blank lines are skipped, a word that starts with # starts a comment, and quotes keep blanks inside a word. "+
		"Only %s may appear. The commands share one netlink socket. "+
		"%s stops at the first command that fails, after printing its error and \"Command failed FILE:LINE\", "+
		"and exits with its status; what the lines before it did stays done. "+
		"With -force it goes on to the end of FILE, and exits with the worst status of the commands that failed.",
		Program, portCommands(), Program)

	OutputText = []string{
		"show prints a line for each port: NAME@LOWER (NAME@ifINDEX when the lower device is in another network namespace), " +
			"its switch port, its traffic queue (priority when it takes each frame's queue from its priority) and its operational state, as in \"eth0.p5@eth0  port 5  queue 0  UP\". " +
			"-details adds a line with the port's ifindex, MTU, tag enforcement, tag format (bcm53242 or original, its lower's), VLAN id if it has one, " +
			"administrative and operational state, and the lower's ifindex, with its netnsid when it is in another network namespace, " +
			"as in \"ifindex 7  mtu 1500  tag-enforce 0  format bcm53242  vlan 100  admin up  operstate UP  link-ifindex 2\". " +
			"-stats adds its receive and transmit counters as ip -s link prints them, and -stats -stats the receive counters of its lower device.",
		"stats prints the ports, with their counters, then each lower device: its name, ifindex, number of ports and their tag format, " +
			"and the tagged frames it received with those it dropped for a bad length, a bad opcode, a bad port id or an unknown port.",
		"monitor prints each event as [NEW], [CHANGE] or [DEL] followed by the port as show prints it, or [LOST] followed by the reason events were lost.",
		"With -json, show prints an array of port objects with the keys of ip -j -s -d link (ifindex, link, ifname, flags, mtu, operstate, address, " +
			"linkinfo with info_kind brcm and info_data {port, queue, tag_enforce, format, queue_from_priority, vlan}, and with -stats stats64, with -stats -stats linkinfo.info_xstats, the lower's counters), " +
			"stats an object {\"ports\": [...], \"lowers\": [...]}, each lower with its format, " +
			"and monitor one object a line with the port's fields, \"timestamp\" and \"event\": \"new\", \"change\", \"del\" or \"lost\". " +
			"When the lower device is in another network namespace, link is left out, and link_index and link_netnsid say which it is, as with ip.",
	}

	ExitText = []struct{ Status, Text string }{
		{"0", "Success."},
		{"1", "The command line is wrong: an unknown or ambiguous command, keyword or option, a missing or malformed argument, " +
			"a value out of range, a device name the kernel would refuse or expand (one with %), a -netns name that is a path; or the description apply reads has a mistake. Nothing was sent to the kernel."},
		{"2", "The kernel or the system refused or failed: the port exists, there is no such device, permission is denied, " +
			"the brcm module is not loaded, the network namespace, the batch file or apply's description cannot be opened, " +
			"apply's lock stayed held for 30 seconds; apply undid what it did."},
		{"3", "apply ... check: the ports differ from the description; apply would change them."},
		{"4", "apply: done, but lower devices the description names are absent; their ports wait for them."},
	}

	// FilesText are the files brcmlink reads, for the man page.
	FilesText = []struct{ Path, Text string }{
		{"/run/netns/NAME", "The network namespace -netns NAME works in, as ip netns add NAME made it."},
		{"/run/brcmlink.lock", "The lock two applies take turns by: one waits up to 30 seconds for another, naming the process that holds it."},
		{"/sys/class/net", "The devices completion offers as lower devices."},
	}

	// EnvironmentText are the variables brcmlink reads, for the man page.
	EnvironmentText = []struct{ Name, Text string }{
		{"NO_COLOR", "When set and not empty, output is not colored unless -color asks for it."},
		{"COLORFGBG", "The terminal's colors, \"FG;BG\": a dark background (BG 0-6 or 8) makes -color use bold colors, as ip does."},
	}

	SeeAlso = []string{"ip(8)", "ip-link(8)", "ip-netns(8)", "ethtool(8)"}
)

// priorities lists Priority for the help: `"s" (show)`.
func priorities() string {
	var ps []string
	for _, w := range slices.Sorted(maps.Keys(Priority)) {
		ps = append(ps, fmt.Sprintf("%q, which is %s", w, Priority[w]))
	}
	return strings.Join(ps, "; ")
}

// portCommands lists the commands a batch file may hold.
func portCommands() string {
	var names []string
	for _, c := range visible(true) {
		names = append(names, c.Name)
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}
