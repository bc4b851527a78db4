// SPDX-License-Identifier: MIT

package main

import (
	"errors"
	"fmt"

	"github.com/brcmlink/brcmlink"
	"github.com/brcmlink/brcmlink/cmd/brcmlink/grammar"
	"github.com/brcmlink/brcmlink/config"
)

// Exit statuses.
const (
	exitOK     = 0
	exitUsage  = 1 // the command line is wrong; nothing was sent
	exitSystem = 2 // the kernel or the system refused or failed
)

// exitStatus ends a run whose errors were already printed (a batch).
type exitStatus int

func (s exitStatus) Error() string { return fmt.Sprintf("exit status %d", int(s)) }

// report prints err, if any, as one line on stderr and returns the exit
// status it calls for.
func (a *app) report(err error) int {
	var s exitStatus
	if errors.As(err, &s) {
		return int(s)
	}
	if err == nil {
		return exitOK
	}
	msg, status := render(err)
	fmt.Fprintf(a.env.stderr, "Error: %s\n", msg)
	return status
}

// render returns what "Error: " is followed by for err, and the exit
// status. A failed request shows the kernel's extended-ack message, which
// names the problem and the value; without one, the errno, after the
// device if the client knew it. The clients' Go-style prefixes
// ("genl: add eth0 port 5: ...") are for programs, not for people.
func render(err error) (string, int) {
	var ue *grammar.UsageError
	var ce *config.Error
	var se *config.StepError
	var df *dialFailure
	var ne *brcmlink.Error
	var oe *brcmlink.OpError
	switch {
	case err == nil:
		return "", exitOK
	case errors.As(err, &ue):
		return ue.Msg, exitUsage
	case errors.As(err, &ce):
		return ce.Error(), exitUsage // a mistake in the file: nothing was sent
	case errors.As(err, &se):
		msg, status := render(se.Err)
		msg = se.Step.String() + ": " + msg
		if se.Undo != nil {
			undo, _ := render(se.Undo)
			msg += "; undoing failed too: " + undo
		}
		return msg, status
	case errors.As(err, &df):
		return df.msg, exitSystem
	case errors.As(err, &oe):
		// No errno: a reply the client could not decode, say. Its cause
		// reads as a sentence without the client's prefix.
		if oe.Dev != "" {
			return oe.Dev + ": " + oe.Err.Error(), exitSystem
		}
		return oe.Err.Error(), exitSystem
	case errors.As(err, &ne):
		errno := ne.Err.Error()
		switch {
		case ne.Message == "" && ne.Dev != "":
			return ne.Dev + ": " + errno, exitSystem
		case ne.Message == "":
			return errno, exitSystem
		case ne.Op == "dial":
			// The client's words for a failed system call, such as opening
			// a namespace: the errno says what failed.
			return ne.Message + ": " + errno, exitSystem
		}
		return ne.Message, exitSystem
	}
	return err.Error(), exitSystem
}
