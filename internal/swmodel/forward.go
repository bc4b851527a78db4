// SPDX-License-Identifier: MIT

package swmodel

import (
	"encoding/binary"
	"errors"

	"github.com/brcmlink/brcmlink"
	"golang.org/x/sys/unix"
)

// serve forwards the frames arriving on l until reading fails.
func (s *Switch) serve(l *link) error {
	fb := newFrameBuf()
	oob := make([]byte, oobSize)
	for {
		m, err := l.rx.recv(fb, oob)
		switch {
		case errors.Is(err, unix.ENETDOWN):
			continue // reported once when the interface goes down; it may come back
		case errors.Is(err, unix.EINVAL):
			// A GSO frame of a type virtio_net_hdr cannot
			// describe: the kernel discards it and fails the read.
			s.drop(DropGSO)
			continue
		case err != nil:
			return err
		}
		if m.pkttype == unix.PACKET_OUTGOING {
			continue // PACKET_IGNORE_OUTGOING should have kept these away
		}
		if l.port == 0 {
			s.fromHost(fb, m)
		} else {
			s.fromPort(l, fb, m)
		}
	}
}

// finish prepares a frame as read for forwarding, counting checksums it
// completes.
func (s *Switch) finish(fb *frameBuf, m rxMeta) (DropReason, bool) {
	completed, r, ok := toWire(fb, m)
	if completed {
		s.checksummed.Add(1)
	}
	return r, ok
}

// toWire turns a frame as read into the frame the wire would carry: with
// its checksum completed and its VLAN tag back in place. It reports
// whether it completed a checksum, or why the frame cannot be forwarded.
func toWire(fb *frameBuf, m rxMeta) (completed bool, r DropReason, ok bool) {
	switch {
	case m.vnet.gsoType != vnetGSONone:
		return false, DropGSO, false
	case m.truncated:
		return false, DropOversize, false
	}
	if m.vnet.flags&vnetNeedsCsum != 0 {
		// The offsets count from the frame as read, so this comes
		// before any header is inserted or removed.
		if completeChecksum(fb.bytes(), int(m.vnet.csumStart), int(m.vnet.csumOffset)) != nil {
			return false, DropOffload, false
		}
		completed = true
	}
	if m.vlan {
		var h [vlanHdrLen]byte
		binary.BigEndian.PutUint16(h[0:], m.vlanTPID)
		binary.BigEndian.PutUint16(h[2:], m.vlanTCI)
		fb.insert(ethAddrsLen, h[:])
	}
	return completed, 0, true
}

// fromHost forwards a tagged frame from the host to the ports its tag or
// the address table selects.
func (s *Switch) fromHost(fb *frameBuf, m rxMeta) {
	r, ok := s.finish(fb, m)
	s.imp.ctr.rx(fb.end - fb.off)
	if !ok {
		s.drop(r)
		return
	}
	s.tapFrame(FromHost, fb.bytes())
	h := decodeHostFrame(s.Format(), s.InnerVLAN, fb.bytes())
	if !h.Dropped && h.Tag.Port != 0 && s.ports[h.Tag.Port] == nil {
		h.Dropped, h.Drop = true, DropNoPort
	}
	s.tapHost(h)
	if h.Dropped {
		s.drop(h.Drop)
		return
	}
	strip := brcmlink.HeaderLen
	if h.Inner {
		strip += vlanHdrLen
	}
	fb.remove(ethAddrsLen, strip)
	s.queues[h.Tag.Queue].Add(1)
	if h.Tag.Port != 0 {
		s.directed.Add(1)
		s.send(s.ports[h.Tag.Port], fb.bytes())
		return
	}
	if l := s.lookup(fb.bytes()); l != nil {
		s.forwarded.Add(1)
		s.send(l, fb.bytes())
		return
	}
	s.flooded.Add(1)
	for _, l := range s.flood {
		s.send(l, fb.bytes())
	}
}

// lookup returns the port the address table knows for the frame's
// unicast destination, or nil.
func (s *Switch) lookup(frame []byte) *link {
	dst := [6]byte(frame[:6])
	if dst[0]&1 != 0 {
		return nil // broadcast or multicast: flood
	}
	s.fdbMu.RLock()
	port, ok := s.fdb[dst]
	s.fdbMu.RUnlock()
	if !ok {
		return nil
	}
	return s.ports[port]
}

// fromPort tags a frame from a switch port and sends it to the host.
func (s *Switch) fromPort(l *link, fb *frameBuf, m rxMeta) {
	r, ok := s.finish(fb, m)
	l.ctr.rx(fb.end - fb.off) // after finish: with the VLAN tag the wire carried
	if !ok {
		s.drop(r)
		return
	}
	if fb.end-fb.off < ethHdrLen {
		s.drop(DropRunt) // the kernel does not deliver these; be safe
		return
	}
	s.learn([6]byte(fb.bytes()[6:12]), l.port)
	fb.padTo(ethMinLen) // veth does not pad short frames, a wire does
	n := fb.end - fb.off
	if n > maxTagLength {
		s.drop(DropOversize)
		return
	}
	tag := brcmlink.RxTagFrom(l.port)
	tag.Length = uint16(n)
	var h [brcmlink.HeaderLen]byte
	binary.BigEndian.PutUint16(h[0:], brcmlink.EthPBrcm)
	binary.BigEndian.PutUint32(h[2:], tag.Word())
	fb.insert(ethAddrsLen, h[:])
	s.tapFrame(ToHost, fb.bytes())
	s.send(s.imp, fb.bytes())
}

func (s *Switch) learn(src [6]byte, port uint16) {
	if src[0]&1 != 0 {
		return // a multicast source is bogus; do not learn it
	}
	s.fdbMu.Lock()
	s.fdb[src] = port
	s.fdbMu.Unlock()
}

func (s *Switch) send(l *link, frame []byte) {
	err := l.tx.write(frame)
	switch {
	case err == nil:
		l.ctr.tx(len(frame))
	case errors.Is(err, unix.EMSGSIZE):
		s.drop(DropOversize)
	default:
		s.drop(DropSendError)
	}
}

func (s *Switch) drop(r DropReason) { s.drops[r].Add(1) }
