// SPDX-License-Identifier: MIT

// Package config describes the brcm ports a board should have, and
// brings a system to them: Parse reads a description (docs/config.md),
// MakePlan compares it with the ports that exist and lists the steps
// between them, and Apply makes those steps, undoing them all if one
// fails. The brcmlink command's apply is built on it.
//
// A description owns the lower devices it names: afterwards exactly its
// ports exist on them, with its settings; ports on other lowers are not
// its business.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/brcmlink/brcmlink"
)

// Config is the ports a board should have, lower by lower.
type Config struct {
	Lowers []Lower
}

// Lower is a lower device the Config owns, and the ports it should have.
type Lower struct {
	Name string
	// Format is the tag format of the lower's ports as the lower's line
	// gives it; nil when it does not (TagFormat says which the ports
	// have).
	Format *brcmlink.Format
	Ports  []Port
	Pos    Pos // where the description names it
}

// TagFormat is the tag format l's ports should have, which they all
// share: the lower's, else the first that a port gives, else the
// kernel's default, FormatBCM53242. Check refuses a description where
// they disagree.
func (l Lower) TagFormat() brcmlink.Format {
	if l.Format != nil {
		return *l.Format
	}
	for _, p := range l.Ports {
		if p.Format != nil {
			return *p.Format
		}
	}
	return brcmlink.FormatBCM53242
}

// Port is a port as a Config wants it.
type Port struct {
	Port  uint16 // the switch port; 0 is PortAny
	Name  string // the device's name; "" for the default, <lower>.p<port>
	Queue uint8
	// QueueFromPriority takes each frame's queue from its priority
	// instead of Queue, which then does not matter.
	QueueFromPriority bool
	TagEnforce        uint8
	// Format is the tag format as the port's line gives it, nil when it
	// does not: the lower's (Lower.TagFormat), which all its ports share.
	Format *brcmlink.Format
	VLAN   uint16 // the VLAN id inserted after the tag, 1-VLANMax; 0 for none
	// Up is the administrative state the port should have; nil leaves it
	// to whoever manages it (systemd-networkd, ifupdown): a port created
	// then starts down.
	Up  *bool
	Pos Pos
}

// DeviceName is the name p's device has on lower: its Name, or the
// default (brcmlink.DefaultName), even one too long, which Check refuses.
func (p Port) DeviceName(lower string) string {
	if p.Name != "" {
		return p.Name
	}
	name, _ := brcmlink.DefaultName(lower, p.Port) // Check says why it is too long
	return name
}

// Pos is a place in a description: its file, line and column, from 1.
type Pos struct {
	File         string
	Line, Column int
}

func (p Pos) String() string { return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Column) }

// from is p as an error at here names it: LINE:COLUMN in the same file,
// FILE:LINE:COLUMN in another.
func (p Pos) from(here Pos) string {
	if p.File == here.File {
		return fmt.Sprintf("%d:%d", p.Line, p.Column)
	}
	return p.String()
}

// Error is a description's mistake, at Pos.
type Error struct {
	Pos Pos
	Msg string
}

func (e *Error) Error() string { return e.Pos.String() + ": " + e.Msg }

// Parse reads the description in data, from the file named file (which
// only names it in errors): the text format of docs/config.md, or JSON
// of the same shape when its first non-blank byte is '{'. It checks all
// it can check without a system (Check); a mistake is an *Error.
func Parse(file string, data []byte) (*Config, error) {
	return ParseFiles([]File{{Name: file, Data: data}})
}

// A File is one file of a description: its name, which errors give, and
// its contents.
type File struct {
	Name string
	Data []byte
}

// ParseFiles reads the description that files make together, in their
// order: each is read as Parse reads one (text or JSON, each on its
// own), and the lowers of all of them are one description, checked
// whole, so that a lower, a switch port of a lower or a name given in
// two files is a mistake, at the second. No files describe no lower.
func ParseFiles(files []File) (*Config, error) {
	c := &Config{}
	for _, f := range files {
		var fc *Config
		var err error
		if t := bytes.TrimLeft(f.Data, " \t\r\n"); len(t) > 0 && t[0] == '{' {
			fc, err = parseJSON(f.Name, f.Data)
		} else {
			fc, err = parseText(f.Name, f.Data)
		}
		if err != nil {
			return nil, err
		}
		c.Lowers = append(c.Lowers, fc.Lowers...)
	}
	return c, c.Check()
}

// ReadDir reads the files of the description in the directory dir, for
// ParseFiles: those whose names end in ".conf", in name order, but for
// hidden ones (whose names start with ".") and what is no regular file
// (a subdirectory); a symbolic link counts as what it points to. Each
// File is named dir/NAME. An error is the *os.PathError of the directory
// or file that could not be read.
func ReadDir(dir string) ([]File, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var files []File
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".conf") || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		name := filepath.Join(dir, e.Name())
		fi, err := os.Stat(name)
		if err != nil {
			return nil, err
		}
		if !fi.Mode().IsRegular() {
			continue
		}
		data, err := os.ReadFile(name)
		if err != nil {
			return nil, err
		}
		files = append(files, File{Name: name, Data: data})
	}
	return files, nil
}

// Only returns the part of c that describes the lower named lower, to
// plan and apply that lower alone (a device that appeared, say), or nil
// if c does not name it. Its plan leaves the other lowers of c alone: a
// name one of their ports has is taken, as if c did not own them.
func (c *Config) Only(lower string) *Config {
	for _, l := range c.Lowers {
		if l.Name == lower {
			return &Config{Lowers: []Lower{l}}
		}
	}
	return nil
}

// message is the words of a check's *brcmlink.Error, without its errno.
func message(err error) string {
	var e *brcmlink.Error
	if errors.As(err, &e) && e.Message != "" {
		return e.Message
	}
	return err.Error()
}
