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
	fuzzSeed   = flag.Uint64("seed", 0, "seed of the fuzz tests; 0 picks one")
)

// fuzzRand is the random source of a fuzz test, one stream per test:
// seeded by -seed, else by the clock, the seed logged for a rerun.
func fuzzRand(t *testing.T, stream uint64) *rand.Rand {
	seed := *fuzzSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (rerun with -seed %d)", seed, seed)
	return rand.New(rand.NewPCG(seed, stream))
}

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
	rng := fuzzRand(t, 0x6272636d)

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

var fuzzBursts = flag.Int("bursts", 200, "bursts TestForwardFuzz sends")

// TestForwardFuzz sends bursts of nested frames, each behind a random
// chain of tags and 802.1Q headers (VLAN around and inside the tag, tag
// in tag, up to 21 deep), carrying TCP segments of one flow or noise,
// whole or cut at a header: held back and released at once, so that GRO
// merges what it will. They arrive on a lower whose ports 1 and 2 are
// bridged, port 3 takes what tc redirects from another lower, and tc
// redirects what port 4 receives to a veth that cannot segment. The
// kernel must stay silent, every frame the lower saw must be counted
// once, by a port or as a drop, every frame the ports sent must have
// left the lower, and no GSO packet may be dropped.
func TestForwardFuzz(t *testing.T) {
	rng := fuzzRand(t, 0x66776466)

	imp, sw := name("zi"), name("zs")
	veth(t, imp, sw)
	for _, d := range []string{imp, sw} {
		sh(t, "ip", "link", "set", d, "mtu", "1600")
	}
	sh(t, "ethtool", "-K", sw, "tso", "off")
	sh(t, "ethtool", "-K", imp, "gro", "on")
	c := client(t)
	port := func(p int) string { return fmt.Sprintf("%s.p%d", imp, p) }
	for p := 1; p <= 4; p++ {
		addPort(t, c, imp, uint16(p), port(p))
	}
	br := name("zb")
	sh(t, "ip", "link", "add", br, "up", "type", "bridge")
	t.Cleanup(func() { command("ip", "link", "del", br) })
	for _, p := range []int{1, 2} {
		sh(t, "ip", "link", "set", port(p), "master", br)
	}
	// Into port 3: from a lower of its own, where GRO merges.
	gw, gp := name("zg"), name("zh")
	veth(t, gw, gp)
	sh(t, "ethtool", "-K", gp, "tso", "off")
	sh(t, "ethtool", "-K", gw, "gro", "on")
	addPort(t, c, gw, 7, gw+".p7")
	sh(t, "tc", "qdisc", "add", "dev", gw, "clsact")
	sh(t, "tc", "filter", "add", "dev", gw, "ingress", "matchall", "action", "mirred", "egress", "redirect", "dev", port(3))
	// Out of port 4: to a veth that segments nothing.
	ow, op := name("zo"), name("zp")
	veth(t, ow, op)
	sh(t, "ethtool", "-K", ow, "tso", "off", "gso", "off")
	sh(t, "tc", "qdisc", "add", "dev", port(4), "clsact")
	sh(t, "tc", "filter", "add", "dev", port(4), "ingress", "matchall", "action", "mirred", "egress", "redirect", "dev", ow)

	watched := []string{imp, ow, port(1), port(2), port(3), port(4)}
	before := map[string]map[string]uint64{}
	for _, d := range watched {
		before[d] = statsOf(t, d)
	}
	lowerBefore := lowerStats(t, port(1))

	senders := map[string]*rawSock{sw: openRaw(t, nil, sw), gp: openRaw(t, nil, gp)}
	for _, d := range []string{sw, gp} {
		sh(t, "tc", "qdisc", "add", "dev", d, "root", "plug", "limit", "10000000")
	}
	dsts := map[string][]net.HardwareAddr{
		sw: {mac(t, imp), {0x02, 0, 0, 0, 0, 0x99}, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff}},
		gp: {mac(t, gw)},
	}
	frames := 0
	for b := 0; b < *fuzzBursts; b++ {
		from := sw
		if rng.IntN(3) == 0 {
			from = gp
		}
		dst := dsts[from][rng.IntN(len(dsts[from]))]
		chain := fuzzChain(rng)
		cut := -1 // whole frames
		if rng.IntN(4) == 0 {
			cut = 2 + rng.IntN(len(chain)-1)
		}
		noise := rng.IntN(8) == 0
		n := 1 + rng.IntN(20)
		for i := 0; i < n; i++ {
			f := append(append(append([]byte{}, dst...), 0x02, 0, 0, 0, 0, 0x77), chain...)
			switch {
			case cut >= 0:
				f = f[:12+cut]
			case noise:
				f = append(f, 0x88, 0xb5)
				f = append(f, payload(i, rng.IntN(1400))...)
			default:
				seg := tcpSegment(dst, dst, 1, uint32(i*burstMSS), uint16(i), payload(i, burstMSS))
				f = append(f, seg[12+2+brcmlink.TagLen:]...) // its ethertype, IPv4 and TCP
			}
			senders[from].send(t, f)
			frames++
		}
		sh(t, "tc", "qdisc", "change", "dev", from, "root", "plug", "release_indefinite")
		sh(t, "tc", "qdisc", "change", "dev", from, "root", "plug", "block")
	}

	delta := func(d, k string) uint64 { return stat(t, d, k) - before[d][k] }
	// Every frame the lower took counted once: at a port or as a drop.
	var accounted, lowerIn uint64
	var detail string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		s := lowerStats(t, port(1))
		lowerIn = s["lower_rx_tagged"] - lowerBefore["lower_rx_tagged"]
		accounted, detail = 0, ""
		for _, k := range []string{"lower_rx_bad_length", "lower_rx_bad_opcode", "lower_rx_bad_port_id", "lower_rx_unknown_port"} {
			accounted += s[k] - lowerBefore[k]
			detail += fmt.Sprintf(" %s %d", k, s[k]-lowerBefore[k])
		}
		// Every port is up, so brcm drops none of their frames: their
		// rx_dropped is the core's, for frames after the port had them.
		for p := 1; p <= 4; p++ {
			accounted += delta(port(p), "rx_packets")
			detail += fmt.Sprintf(" p%d rx_packets %d", p, delta(port(p), "rx_packets"))
		}
		if accounted == lowerIn {
			break
		}
	}
	if accounted != lowerIn {
		t.Errorf("%s saw %d tagged frames, the ports and drop counters account for %d:%s", imp, lowerIn, accounted, detail)
	}
	var sent uint64
	for p := 1; p <= 4; p++ {
		sent += delta(port(p), "tx_packets")
	}
	if left := delta(imp, "tx_packets") + delta(imp, "tx_dropped"); left != sent {
		t.Errorf("the ports sent %d frames, %s %d", sent, imp, left)
	}
	for _, d := range []string{port(3), ow} {
		if n := delta(d, "tx_dropped"); n != 0 {
			t.Errorf("%s dropped %d", d, n)
		}
	}
	t.Logf("%d frames in %d bursts; %s saw %d tagged; the ports sent %d, received %d, %d", frames, *fuzzBursts, imp, lowerIn,
		sent, delta(port(1), "rx_packets")+delta(port(2), "rx_packets"), delta(port(3), "rx_packets")+delta(port(4), "rx_packets"))
}

// fuzzChain returns what follows the source address of a nested frame: a
// chain of 1 to 21 tags (from ports 1-4, or any word) and 802.1Q or
// 802.1ad headers, one of them a tag, each with its ethertype.
func fuzzChain(rng *rand.Rand) []byte {
	n := 1 + rng.IntN(21)
	tagAt := rng.IntN(min(n, 3)) // mostly the first, at times inside a VLAN
	var b []byte
	for i := 0; i < n; i++ {
		switch {
		case i == tagAt || rng.IntN(2) == 0:
			w := brcmlink.RxTagFrom(uint16(1 + rng.IntN(4))).Word()
			if rng.IntN(8) == 0 {
				w = rng.Uint32()
			}
			b = binary.BigEndian.AppendUint32(append(b, 0x88, 0x74), w)
		case rng.IntN(4) == 0:
			b = append(b, 0x88, 0xa8, byte(rng.IntN(16)), byte(rng.IntN(256)))
		default:
			b = append(b, 0x81, 0x00, byte(rng.IntN(16)), byte(rng.IntN(256)))
		}
	}
	return b
}
