// SPDX-License-Identifier: MIT

package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"

	"github.com/brcmlink/brcmlink"
)

// The JSON form: {"lowers": [{"name": ..., "ports": [{"port": ...}]}]}.
type jsonPort struct {
	Port              json.RawMessage `json:"port"` // a number, or PortAny
	Name              string          `json:"name,omitempty"`
	Queue             uint8           `json:"queue,omitempty"`
	QueueFromPriority bool            `json:"queue_from_priority,omitempty"`
	TagEnforce        uint8           `json:"tag_enforce,omitempty"`
	Format            *string         `json:"format,omitempty"` // a name, as ParseFormat takes it
	VLAN              uint16          `json:"vlan,omitempty"`
	Up                *bool           `json:"up,omitempty"`
}

// parseJSON reads the JSON form, keeping where each lower and port
// starts for the errors of Check.
func parseJSON(file string, data []byte) (*Config, error) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.DisallowUnknownFields()
	at := func(off int64) Pos {
		line := bytes.Count(data[:off], []byte("\n")) + 1
		col := int(off) - bytes.LastIndexByte(data[:off], '\n')
		return Pos{file, line, col}
	}
	fail := func(off int64, err error) error {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			off = se.Offset
		}
		return &Error{at(off), jsonMessage(err)}
	}
	c := &Config{}
	// The object's keys, then each lower's, each walked by hand so that
	// every lower and port knows where it starts.
	err := object(d, func(key string) error {
		if key != "lowers" {
			return fmt.Errorf("unknown key %q, expected lowers", key)
		}
		return array(d, func() error {
			l := Lower{}
			start := d.InputOffset()
			err := object(d, func(key string) error {
				switch key {
				case "name":
					return d.Decode(&l.Name)
				case "format":
					var name string
					if err := d.Decode(&name); err != nil {
						return err
					}
					f, err := brcmlink.ParseFormat(name)
					if err != nil {
						return errors.New(message(err))
					}
					l.Format = &f
					return nil
				case "ports":
					return array(d, func() error {
						off := d.InputOffset()
						var jp jsonPort
						if err := d.Decode(&jp); err != nil {
							return &Error{at(skipBlank(data, off)), jsonMessage(err)}
						}
						p, err := jp.port()
						if err != nil {
							return &Error{at(skipBlank(data, off)), err.Error()}
						}
						p.Pos = at(skipBlank(data, off))
						l.Ports = append(l.Ports, p)
						return nil
					})
				}
				return fmt.Errorf("unknown key %q, expected name, format or ports", key)
			})
			l.Pos = at(skipBlank(data, start))
			c.Lowers = append(c.Lowers, l)
			return err
		})
	})
	if err == nil {
		if _, e := d.Token(); e != io.EOF {
			err = errors.New("more after the object")
		}
	}
	var ce *Error
	switch {
	case errors.As(err, &ce):
		return nil, ce
	case err != nil:
		return nil, fail(d.InputOffset(), err)
	}
	return c, nil
}

// jsonMessage says what is wrong with a value without Go's words.
func jsonMessage(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		want := "a string"
		if k := te.Type.Kind(); k >= reflect.Int && k <= reflect.Float64 {
			want = "a number"
		} else if k == reflect.Bool {
			want = "true or false"
		}
		return fmt.Sprintf("%s must be %s, not a %s", te.Field, want, te.Value)
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

// skipBlank returns the offset of the first non-blank byte from off,
// past a "," or ":" between values.
func skipBlank(data []byte, off int64) int64 {
	for off < int64(len(data)) && strings.IndexByte(" \t\r\n,:", data[off]) >= 0 {
		off++
	}
	return off
}

func (jp jsonPort) port() (Port, error) {
	p := Port{Name: jp.Name, Queue: jp.Queue, QueueFromPriority: jp.QueueFromPriority, TagEnforce: jp.TagEnforce, VLAN: jp.VLAN, Up: jp.Up}
	if jp.Format != nil {
		f, err := brcmlink.ParseFormat(*jp.Format)
		if err != nil {
			return p, errors.New(message(err))
		}
		p.Format = &f
	}
	var s string
	if err := json.Unmarshal(jp.Port, &s); err == nil {
		if s != PortAny {
			return p, fmt.Errorf("port %q is neither a number nor %q", s, PortAny)
		}
		return p, nil
	}
	if len(jp.Port) == 0 {
		return p, errors.New("a port without its \"port\"")
	}
	v, err := ParsePort(string(jp.Port)) // JSON's number, never PortAny
	if err != nil {
		return p, errors.New(valueMessage(err, string(jp.Port), brcmlink.PortRange))
	}
	p.Port = v
	return p, nil
}

// object reads a JSON object, calling fn for each key with the decoder
// before its value.
func object(d *json.Decoder, fn func(key string) error) error {
	if err := delim(d, '{'); err != nil {
		return err
	}
	for d.More() {
		t, err := d.Token()
		if err != nil {
			return err
		}
		if err := fn(t.(string)); err != nil {
			return err
		}
	}
	return delim(d, '}')
}

// array reads a JSON array, calling fn before each element.
func array(d *json.Decoder, fn func() error) error {
	if err := delim(d, '['); err != nil {
		return err
	}
	for d.More() {
		if err := fn(); err != nil {
			return err
		}
	}
	return delim(d, ']')
}

func delim(d *json.Decoder, want json.Delim) error {
	t, err := d.Token()
	if err != nil {
		return err
	}
	if t != want {
		return fmt.Errorf("want %q, found %v", want, t)
	}
	return nil
}
