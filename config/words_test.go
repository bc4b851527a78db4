// SPDX-License-Identifier: MIT

package config_test

import (
	"errors"
	"fmt"
	"strconv"
	"testing"

	"github.com/brcmlink/brcmlink"
	"github.com/brcmlink/brcmlink/config"
)

// TestParseWords checks the parsers of the words the brcmlink command
// shares: the word for a value, a number, one out of range as the kernel
// says it, and one that is no number as strconv does, which each reader
// words for itself.
func TestParseWords(t *testing.T) {
	show := func(v any, err error) string {
		var e *brcmlink.Error
		var ne *strconv.NumError
		switch {
		case errors.As(err, &e):
			return "range: " + e.Message
		case errors.As(err, &ne):
			return "number: " + ne.Num
		case err != nil:
			return "other: " + err.Error()
		}
		return fmt.Sprint(v)
	}
	queue := func(s string) string {
		q, prio, err := config.ParseQueue(s)
		return show(fmt.Sprintf("%d %v", q, prio), err)
	}
	for _, tt := range []struct{ got, want string }{
		{show(config.ParsePort("any")), "0"},
		{show(config.ParsePort("0")), "0"},
		{show(config.ParsePort("27")), "27"},
		{show(config.ParsePort("28")), "range: port 28 out of range (0-27)"},
		{show(config.ParsePort("99999999999999999999")), "range: port 99999999999999999999 out of range (0-27)"},
		{show(config.ParsePort("x")), "number: x"},
		{show(config.ParsePort("Any")), "number: Any"},
		{queue("priority"), "0 true"},
		{queue("3"), "3 false"},
		{queue("4"), "range: queue 4 out of range (0-3)"},
		{queue("any"), "number: any"},
		{show(config.ParseTagEnforce("3")), "3"},
		{show(config.ParseTagEnforce("4")), "range: tag enforcement 4 out of range (0-3)"},
		{show(config.ParseTagEnforce("none")), "number: none"},
		{show(config.ParseVLAN("none")), "0"},
		{show(config.ParseVLAN("4094")), "4094"},
		{show(config.ParseVLAN("4095")), "range: vlan 4095 out of range (0-4094)"},
		{show(config.ParseVLAN("priority")), "number: priority"},
		{config.PortString(0), "any"},
		{config.PortString(5), "5"},
		{config.VLANString(0), "none"},
		{config.VLANString(100), "100"},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}
