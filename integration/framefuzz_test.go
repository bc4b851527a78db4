// SPDX-License-Identifier: MIT

//go:build vmtest

package integration

import (
	"context"
	"encoding/binary"
	"flag"
	"fmt"
	"math/rand/v2"
	"net"
	"testing"
	"time"

	"github.com/brcmlink/brcmlink"
)

var (
	fuzzFrames = flag.Int("frames", 10000, "frames TestFrameFuzz injects")
	fuzzSeed   = flag.Uint64("seed", 0, "seed of TestFrameFuzz; 0 picks one")
)

// rxVerdict is what the receive hook must do with one frame.
type rxVerdict struct {
	badLen, badOpcode, badPortID, unknownPort bool
	port                                      int // the port that gets it (or its error), or -1
	portError                                 bool
}

// verdict applies the receive rules of docs/wire-format.md to the bytes
// after the ETH_P_BRCM ethertype, on a lower with ports bound.
func verdict(rest []byte, bound map[int]bool) rxVerdict {
	v := rxVerdict{port: -1}
	if len(rest) < brcmlink.TagLen {
		v.badLen = true
		return v
	}
	tag := brcmlink.ParseRxTag(binary.BigEndian.Uint32(rest))
	if tag.Opcode != brcmlink.OpNormal {
		v.badOpcode = true
		return v
	}
	p, err := tag.Port()
	if err != nil {
		v.badPortID = true
		return v
	}
	port := int(p)
	if !bound[port] {
		port = 0
	}
	// Too short counts as such whoever the frame was for.
	if len(rest) < brcmlink.HeaderLen {
		v.badLen = true
		if bound[port] {
			v.port, v.portError = port, true
		}
		return v
	}
	if !bound[port] {
		v.unknownPort = true
		return v
	}
	v.port = port
	return v
}

// TestFrameFuzz injects random and mutated tagged frames on a lower with
// ports while traffic flows through another of its ports, and on a lower
// without ports, and checks that every frame was counted exactly where
// the rules say and the kernel stayed quiet.
func TestFrameFuzz(t *testing.T) {
	seed := *fuzzSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (rerun with -seed %d)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, 0x6272636d))

	l := newLab(t, 1, 2, 3)
	c := client(t)
	for _, p := range []uint16{1, 2} {
		addPort(t, c, l.IMP, p, fmt.Sprintf("%s.p%d", l.IMP, p))
	}
	traffic := l.portDev(t, c, 3)
	bound := map[int]bool{1: true, 2: true, 3: true}
	// With GRO on the lower (and TSO off where frames come from, as veth
	// requires) every frame also goes through the tag's GRO offload.
	sh(t, "ethtool", "-K", l.SwitchIMP, "tso", "off")
	sh(t, "ethtool", "-K", l.IMP, "gro", "on")

	// A lower without ports: its frames are none of the module's business.
	other, otherPeer := name("fo"), name("fp")
	veth(t, other, otherPeer)
	for _, d := range []string{other, otherPeer} {
		sh(t, "ip", "link", "set", d, "mtu", "1510") // as the IMP link
	}

	// Traffic through port 3 for as long as the frames fly.
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			command("ping", "-c", "20", "-i", "0.05", "-W", "1", "-q", l.hostIP(3))
		}
	}()

	lowerBefore := lowerStats(t, traffic)
	portBefore := map[int]map[string]uint64{1: statsOf(t, l.IMP+".p1"), 2: statsOf(t, l.IMP+".p2")}
	otherBefore := stat(t, other, "rx_packets")

	wire := openRaw(t, nil, l.SwitchIMP)
	otherWire := openRaw(t, nil, otherPeer)
	dst, src := mac(t, l.IMP), net.HardwareAddr{0x02, 0, 0, 0, 0, 0x77}
	var want struct{ tagged, badLen, badOpcode, badPortID, unknownPort uint64 }
	wantRx := map[int]uint64{}
	wantErr := map[int]uint64{}
	toOther := 0
	for i := 0; i < *fuzzFrames; i++ {
		rest := fuzzRest(rng)
		f := frame(dst, src, brcmlink.EthPBrcm, rest)
		if rng.IntN(10) == 0 {
			otherWire.send(t, f)
			toOther++
			continue
		}
		wire.send(t, f)
		v := verdict(rest, bound)
		want.tagged++
		switch {
		case v.badOpcode:
			want.badOpcode++
		case v.badPortID:
			want.badPortID++
		case v.unknownPort:
			want.unknownPort++
		case v.badLen:
			want.badLen++
			if v.portError {
				wantErr[v.port]++
			}
		default:
			wantRx[v.port]++
		}
	}
	cancel()
	<-done

	eventually(t, "the lower counted every injected frame", func() bool {
		s := lowerStats(t, traffic)
		return s["lower_rx_bad_length"]-lowerBefore["lower_rx_bad_length"]+
			s["lower_rx_bad_opcode"]-lowerBefore["lower_rx_bad_opcode"]+
			s["lower_rx_bad_port_id"]-lowerBefore["lower_rx_bad_port_id"]+
			s["lower_rx_unknown_port"]-lowerBefore["lower_rx_unknown_port"] >=
			want.badLen+want.badOpcode+want.badPortID+want.unknownPort
	})
	time.Sleep(200 * time.Millisecond)
	s := lowerStats(t, traffic)
	for k, n := range map[string]uint64{
		"lower_rx_bad_length": want.badLen, "lower_rx_bad_opcode": want.badOpcode,
		"lower_rx_bad_port_id": want.badPortID, "lower_rx_unknown_port": want.unknownPort,
	} {
		if got := s[k] - lowerBefore[k]; got != n {
			t.Errorf("%s moved by %d, want %d", k, got, n)
		}
	}
	// The ping's frames count as tagged too: at least the injected ones.
	if got := s["lower_rx_tagged"] - lowerBefore["lower_rx_tagged"]; got < want.tagged {
		t.Errorf("lower_rx_tagged moved by %d, want at least %d", got, want.tagged)
	}
	for _, p := range []int{1, 2} {
		dev := fmt.Sprintf("%s.p%d", l.IMP, p)
		waitStat(t, dev, "rx_packets", portBefore[p]["rx_packets"]+wantRx[p])
		waitStat(t, dev, "rx_errors", portBefore[p]["rx_errors"]+wantErr[p])
	}
	waitStat(t, other, "rx_packets", otherBefore+uint64(toOther))
	t.Logf("%d frames: %d to the lower with ports (%d delivered to ports 1-2, %d bad length, %d bad opcode, %d bad port id, %d unknown port), %d to a lower without",
		*fuzzFrames, want.tagged, wantRx[1]+wantRx[2], want.badLen, want.badOpcode, want.badPortID, want.unknownPort, toOther)
}

// fuzzRest returns what follows the ETH_P_BRCM ethertype of one frame:
// sometimes random bytes of any length, sometimes a valid frame from a
// random port id with a mutation (another opcode, a truncated tag, a
// VLAN header inside, a runt, a jumbo).
func fuzzRest(rng *rand.Rand) []byte {
	const maxRest = 1510 - 2 // the IMP MTU less the ethertype
	switch rng.IntN(6) {
	case 0: // noise of any length
		b := make([]byte, rng.IntN(maxRest+1))
		for i := range b {
			b[i] = byte(rng.UintN(256))
		}
		return b
	case 1: // a valid tag, truncated to 0-5 bytes
		b := binary.BigEndian.AppendUint32(nil, uint32(24+rng.IntN(27)))
		return append(b, 0x88, 0xb5)[:rng.IntN(6)]
	}
	tag := brcmlink.RxTag{
		Opcode:    uint8(rng.IntN(8)),
		Length:    uint16(rng.IntN(4096)),
		CoS:       uint8(rng.IntN(4)),
		Reason:    uint8(rng.IntN(64)),
		Mirror:    uint8(rng.IntN(4)),
		SrcPortID: uint8(rng.IntN(64)),
	}
	if rng.IntN(2) == 0 { // well-formed, from port 1 or 2 (bound, no traffic)
		tag.Opcode, tag.SrcPortID = 0, uint8(24+rng.IntN(2))
	}
	b := binary.BigEndian.AppendUint32(nil, tag.Word())
	if rng.IntN(4) == 0 { // a VLAN header inside
		b = append(b, 0x81, 0x00, byte(rng.IntN(16)), byte(rng.IntN(256)))
	}
	b = append(b, 0x88, 0xb5)
	n := rng.IntN(maxRest - len(b) + 1)
	if rng.IntN(3) == 0 {
		n = rng.IntN(40) // a runt
	}
	for i := 0; i < n; i++ {
		b = append(b, byte(rng.UintN(256)))
	}
	return b
}
