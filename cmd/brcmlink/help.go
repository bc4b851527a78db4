// SPDX-License-Identifier: MIT

package main

import "github.com/brcmlink/brcmlink/cmd/brcmlink/grammar"

// help prints the help of the command that topic names.
func (a *app) help(topic string) error {
	c, err := grammar.Lookup(topic, false)
	if err != nil {
		return err
	}
	return a.print(c.HelpText())
}

// Help prints the usage, or that of a command.
func (r *runner) Help(req *grammar.Request) error {
	text := grammar.Usage()
	if req.Topic != nil {
		text = req.Topic.HelpText()
	}
	_, err := r.out.WriteString(text)
	return err
}

// Man prints the man page.
func (r *runner) Man(*grammar.Request) error {
	_, err := r.out.WriteString(grammar.Man())
	return err
}
