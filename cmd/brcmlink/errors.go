package main

import (
	"errors"
	"fmt"
	"os"
	"syscall"

	"github.com/brcmlink/brcmlink/cmd/brcmlink/grammar"
	"github.com/brcmlink/brcmlink/genl"
	"github.com/brcmlink/brcmlink/internal/nl"
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

// familyMissingError is a kernel without the brcm generic netlink family.
type familyMissingError struct{ err error }

func (e *familyMissingError) Error() string {
	return "the brcm kernel module is not loaded (modprobe brcm)"
}

func (e *familyMissingError) Unwrap() error { return e.err }

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
	var fm *familyMissingError
	var ne *nl.Error
	switch {
	case err == nil:
		return "", exitOK
	case errors.As(err, &ue):
		return ue.Msg, exitUsage
	case errors.As(err, &fm):
		return fm.Error(), exitSystem
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

// dialGenl opens the brcm family in the network namespace netns.
func dialGenl(netns string) (Backend, error) {
	var opts []genl.Option
	if netns != "" {
		opts = append(opts, genl.WithNetNSName(netns))
	}
	c, err := genl.Dial(opts...)
	if err != nil {
		return nil, dialError(err, netns, netnsExists)
	}
	return c, nil
}

// dialError tells a kernel without the brcm family from Dial's other
// failures. A missing namespace is ENOENT as well, so it is the family
// only if the namespace, when one is named, exists.
func dialError(err error, netns string, exists func(string) bool) error {
	if errors.Is(err, syscall.ENOENT) && (netns == "" || exists(netns)) {
		return &familyMissingError{err: err}
	}
	return err
}

func netnsExists(name string) bool {
	_, err := os.Stat("/run/netns/" + name)
	return err == nil
}
