// SPDX-License-Identifier: MIT

package brcmlink

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// OperState is a port's RFC 2863 operational state: an IF_OPER_* value of
// linux/if.h, as IFLA_OPERSTATE and BRCM_A_OPERSTATE carry it.
type OperState uint8

// The operational states, as linux/if.h numbers them.
const (
	OperUnknown        OperState = iota // IF_OPER_UNKNOWN
	OperNotPresent                      // IF_OPER_NOTPRESENT
	OperDown                            // IF_OPER_DOWN
	OperLowerLayerDown                  // IF_OPER_LOWERLAYERDOWN: the lower device is down
	OperTesting                         // IF_OPER_TESTING
	OperDormant                         // IF_OPER_DORMANT
	OperUp                              // IF_OPER_UP
)

// operStates are the names "ip link" gives the states, indexed by value.
var operStates = [...]string{"UNKNOWN", "NOTPRESENT", "DOWN", "LOWERLAYERDOWN", "TESTING", "DORMANT", "UP"}

// String names s as "ip link" prints it: "UP", "LOWERLAYERDOWN", and a
// value it does not know in hexadecimal, like "0x7".
func (s OperState) String() string {
	if int(s) < len(operStates) {
		return operStates[s]
	}
	return fmt.Sprintf("%#x", uint8(s))
}

// MarshalText returns what String does, so that JSON shows the name.
func (s OperState) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads what MarshalText writes.
func (s *OperState) UnmarshalText(b []byte) error {
	if i := slices.Index(operStates[:], string(b)); i >= 0 {
		*s = OperState(i)
		return nil
	}
	if hex, ok := strings.CutPrefix(string(b), "0x"); ok {
		if v, err := strconv.ParseUint(hex, 16, 8); err == nil {
			*s = OperState(v)
			return nil
		}
	}
	return fmt.Errorf("brcmlink: unknown operational state %q", b)
}
