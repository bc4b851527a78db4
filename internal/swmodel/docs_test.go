// SPDX-License-Identifier: MIT

package swmodel

import (
	"encoding/binary"
	"encoding/hex"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/brcmlink/brcmlink"
)

// The worked examples of docs/wire-format.md, checked against the
// model's decoder: the document and the model are written from the same
// facts, separately.

func readWireFormat(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../docs/wire-format.md")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// txRow is a row of the transmit tags table: | port P, queue Q, TE E |
// `bcm53242 word` | `bytes` | `original word` | `bytes` |.
var txRow = regexp.MustCompile("(?m)^\\| port (\\d+), queue (\\d), TE (\\d) +\\| `0x([0-9a-f]{8})` \\| `([0-9a-f ]{11})` \\| `0x([0-9a-f]{8})` \\| `([0-9a-f ]{11})` \\|$")

func TestDocTxTags(t *testing.T) {
	rows := txRow.FindAllStringSubmatch(readWireFormat(t), -1)
	if len(rows) < 15 {
		t.Fatalf("%d rows of transmit tags in docs/wire-format.md, want 15 or more", len(rows))
	}
	seen := map[uint64]bool{}
	for _, r := range rows {
		port, _ := strconv.ParseUint(r[1], 10, 16)
		q, _ := strconv.ParseUint(r[2], 10, 8)
		te, _ := strconv.ParseUint(r[3], 10, 8)
		seen[port] = true
		for i, f := range []brcmlink.Format{brcmlink.FormatBCM53242, brcmlink.FormatOriginal} {
			w, _ := strconv.ParseUint(r[4+2*i], 16, 32)
			b, err := hex.DecodeString(strings.ReplaceAll(r[5+2*i], " ", ""))
			if err != nil || binary.BigEndian.Uint32(b) != uint32(w) {
				t.Errorf("%s: %v bytes %q are not %08x", r[0], f, r[5+2*i], w)
			}
			tag, why, ok := DecodeTxTag(f, uint32(w))
			if !ok || tag.Port != uint16(port) || tag.Queue != uint8(q) || tag.TagEnforce != uint8(te) {
				t.Errorf("%s: %v %08x decodes to %+v (%v, %v)", r[0], f, w, tag, why, ok)
			}
		}
	}
	for _, p := range []uint64{0, 1, 5, 24, 25, 26, 27} {
		if !seen[p] {
			t.Errorf("docs/wire-format.md has no transmit tag for port %d", p)
		}
	}
}

// frameHead is the first line of a whole-frame block: "FORMAT, port
// P[, vlan V], N bytes:".
var frameHead = regexp.MustCompile(`^(\w+), port (\d+)(?:, vlan (\d+))?, (\d+) bytes:$`)

func TestDocWholeFrames(t *testing.T) {
	blocks := strings.Split(readWireFormat(t), "```")
	n := 0
	for i := 1; i < len(blocks); i += 2 {
		lines := strings.Split(strings.TrimSpace(blocks[i]), "\n")
		m := frameHead.FindStringSubmatch(lines[0])
		if m == nil {
			continue
		}
		n++
		f, err := brcmlink.ParseFormat(m[1])
		if err != nil {
			t.Fatalf("%s: %v", lines[0], err)
		}
		port, _ := strconv.ParseUint(m[2], 10, 16)
		vid, _ := strconv.ParseUint("0"+m[3], 10, 16)
		size, _ := strconv.Atoi(m[4])
		var frame []byte
		for _, l := range lines[1:] {
			l, _, _ = strings.Cut(l, "(")
			b, err := hex.DecodeString(strings.Join(strings.Fields(l), ""))
			if err != nil {
				t.Fatalf("%s: %q: %v", lines[0], l, err)
			}
			frame = append(frame, b...)
		}
		h := DecodeHostFrame(f, map[uint16]uint16{uint16(port): uint16(vid)}, frame)
		if len(frame) != size || h.Dropped || h.Tag.Port != uint16(port) || h.Inner != (vid != 0) || h.VLAN() != uint16(vid) {
			t.Errorf("%s: %d bytes, %v", lines[0], len(frame), h)
		}
		// Every example is padded to the minimum exactly.
		if h.Len() != ethMinLen {
			t.Errorf("%s: %d bytes leave the switch, want %d", lines[0], h.Len(), ethMinLen)
		}
	}
	if n < 5 {
		t.Errorf("%d whole frames in docs/wire-format.md, want 5", n)
	}
}
