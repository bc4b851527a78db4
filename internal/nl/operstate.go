// SPDX-License-Identifier: MIT

package nl

import "fmt"

// operStates are the names "ip link" gives RFC 2863 operational states,
// indexed by IF_OPER_*.
var operStates = [...]string{"UNKNOWN", "NOTPRESENT", "DOWN", "LOWERLAYERDOWN", "TESTING", "DORMANT", "UP"}

// OperState names the IF_OPER_* state s as "ip link" prints it, so that
// both netlink paths report a port's state in the same words.
func OperState(s uint8) string {
	if int(s) < len(operStates) {
		return operStates[s]
	}
	return fmt.Sprintf("%#x", s) // as "ip link" prints a state it does not know
}
