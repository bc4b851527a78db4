// SPDX-License-Identifier: MIT

package swmodel

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/brcmlink/brcmlink"
)

// Direction is the way a frame crosses the IMP link.
type Direction int

const (
	FromHost Direction = iota // host to switch, transmit tag
	ToHost                    // switch to host, receive tag
)

func (d Direction) String() string {
	if d == FromHost {
		return "from-host"
	}
	return "to-host"
}

// ErrClosed is returned by Run on a closed Switch.
var ErrClosed = errors.New("swmodel: switch closed")

// Switch is the switch model. Its methods are safe for concurrent use.
type Switch struct {
	imp   *link
	ports map[uint16]*link
	flood []*link // ports in ascending order, so floods are deterministic

	fdbMu sync.RWMutex
	fdb   map[[6]byte]uint16 // source MAC -> port it was last seen on

	format    atomic.Uint32              // a Format
	innerVLAN [maxPort + 1]atomic.Uint32 // by port, 0-27: the inner VLAN id, 0 for none
	tap       atomic.Pointer[func(Direction, []byte)]
	hostTap   atomic.Pointer[func(HostFrame)]

	directed, forwarded, flooded, checksummed atomic.Uint64
	queues                                    [4]atomic.Uint64
	drops                                     [NumDropReasons]atomic.Uint64

	running   atomic.Bool
	closed    atomic.Bool
	closeOnce sync.Once
}

// link is one interface of the model: the IMP (port 0) or a switch port.
type link struct {
	name string
	port uint16
	rx   *packetSock // with virtio headers, for checksum offload state
	tx   *packetSock // without, so frames leave fully checksummed
	ctr  counters
}

// Options are the settings of a Switch that mirror those of the brcm
// lower and ports it talks to. SetFormat and SetInnerVLAN change them
// while it runs.
type Options struct {
	// Format is the transmit tag format the model accepts; the zero
	// value is brcmlink.FormatBCM53242, the kernel's default.
	Format brcmlink.Format
	// InnerVLAN gives, by port (0-27, 0 the "any" port), the VLAN id
	// (1-4094) of the inner 802.1Q header that port's frames carry
	// right after the tag (IFLA_BRCM_VLAN). The model requires it and
	// takes it off. Ports not in the map have none.
	InnerVLAN map[uint16]uint16
}

// New opens the model's sockets on the interface imp, facing the host,
// and on one interface per switch port (1 to brcmlink.PortMax), all in
// the caller's network namespace. It needs CAP_NET_RAW. Frames are only
// forwarded while Run runs; until then they queue in the sockets.
func New(imp string, ports map[uint16]string, opt Options) (*Switch, error) {
	if err := checkPorts(imp, ports); err != nil {
		return nil, err
	}
	s := &Switch{ports: make(map[uint16]*link), fdb: make(map[[6]byte]uint16)}
	if err := s.SetFormat(opt.Format); err != nil {
		return nil, err
	}
	for p, vid := range opt.InnerVLAN {
		if err := s.SetInnerVLAN(p, vid); err != nil {
			return nil, err
		}
	}
	var err error
	if s.imp, err = openLink(imp, 0); err != nil {
		return nil, err
	}
	for _, p := range slices.Sorted(maps.Keys(ports)) {
		l, err := openLink(ports[p], p)
		if err != nil {
			s.Close()
			return nil, err
		}
		s.ports[p] = l
		s.flood = append(s.flood, l)
	}
	return s, nil
}

func checkPorts(imp string, ports map[uint16]string) error {
	seen := map[string]bool{imp: true}
	for p, name := range ports {
		if p < 1 || p > brcmlink.PortMax {
			return fmt.Errorf("swmodel: port %d is outside 1-%d", p, brcmlink.PortMax)
		}
		if seen[name] {
			return fmt.Errorf("swmodel: interface %q is used twice", name)
		}
		seen[name] = true
	}
	return nil
}

func openLink(name string, port uint16) (*link, error) {
	rx, err := openPacket(name, sockMode{recv: true, vnet: true})
	if err != nil {
		return nil, fmt.Errorf("swmodel: %w", err)
	}
	tx, err := openPacket(name, sockMode{})
	if err != nil {
		rx.Close()
		return nil, fmt.Errorf("swmodel: %w", err)
	}
	return &link{name: name, port: port, rx: rx, tx: tx}, nil
}

func (l *link) close() {
	l.rx.Close()
	l.tx.Close()
}

// links returns the IMP and then the ports.
func (s *Switch) links() []*link {
	return append([]*link{s.imp}, s.flood...)
}

// Tap makes fn see every frame on the IMP link, tagged, as the wire
// carries it: frames from the host after checksum completion, including
// those then dropped for their length or tag (not GSO frames), and frames
// to the host as they are sent. fn runs on the forwarding goroutines, so
// it must be quick and safe for concurrent use; it owns the slice. nil
// removes the tap.
func (s *Switch) Tap(fn func(dir Direction, frame []byte)) {
	if fn == nil {
		s.tap.Store(nil)
		return
	}
	s.tap.Store(&fn)
}

func (s *Switch) tapFrame(dir Direction, frame []byte) {
	if fn := s.tap.Load(); fn != nil {
		(*fn)(dir, slices.Clone(frame))
	}
}

// SetFormat makes the model accept transmit tags in format f, as when
// the lower's format changes.
func (s *Switch) SetFormat(f brcmlink.Format) error {
	if f > brcmlink.FormatMax {
		return fmt.Errorf("swmodel: tag format %d unknown", uint8(f))
	}
	s.format.Store(uint32(f))
	return nil
}

// Format returns the transmit tag format the model accepts.
func (s *Switch) Format() brcmlink.Format { return brcmlink.Format(s.format.Load()) }

// SetInnerVLAN says that the frames the host sends to port (0-27) carry
// an inner 802.1Q header of VLAN vid right after the tag, or none for
// vid 0, as when the port's IFLA_BRCM_VLAN changes.
func (s *Switch) SetInnerVLAN(port, vid uint16) error {
	if err := checkInnerVLAN(port, vid); err != nil {
		return err
	}
	s.innerVLAN[port].Store(uint32(vid))
	return nil
}

// InnerVLAN returns the inner VLAN id the model expects for port, 0 for
// none.
func (s *Switch) InnerVLAN(port uint16) uint16 {
	if port > maxPort {
		return 0
	}
	return uint16(s.innerVLAN[port].Load())
}

// TapHost makes fn see every frame from the host as the model decoded
// it: the tag's fields, the inner header, and whether and why it was
// dropped (DropNoPort included). It sees the frames Tap sees from the
// host, after them, with the same constraints. nil removes the tap.
func (s *Switch) TapHost(fn func(HostFrame)) {
	if fn == nil {
		s.hostTap.Store(nil)
		return
	}
	s.hostTap.Store(&fn)
}

func (s *Switch) tapHost(h HostFrame) {
	if fn := s.hostTap.Load(); fn != nil {
		h.Frame = slices.Clone(h.Frame)
		(*fn)(h)
	}
}

// Learned returns the port the address table holds for mac.
func (s *Switch) Learned(mac net.HardwareAddr) (port uint16, ok bool) {
	if len(mac) != 6 {
		return 0, false
	}
	s.fdbMu.RLock()
	defer s.fdbMu.RUnlock()
	port, ok = s.fdb[[6]byte(mac)]
	return port, ok
}

// Stats returns the counters.
func (s *Switch) Stats() Stats {
	for _, l := range s.links() {
		s.drops[DropOverrun].Add(l.rx.drops())
	}
	st := Stats{
		IMP:         s.imp.ctr.snapshot(),
		Ports:       make(map[uint16]Counters, len(s.ports)),
		Directed:    s.directed.Load(),
		Forwarded:   s.forwarded.Load(),
		Flooded:     s.flooded.Load(),
		Checksummed: s.checksummed.Load(),
	}
	for p, l := range s.ports {
		st.Ports[p] = l.ctr.snapshot()
	}
	for q := range st.Queues {
		st.Queues[q] = s.queues[q].Load()
	}
	for r := range st.Drops {
		st.Drops[r] = s.drops[r].Load()
	}
	return st
}

// Run forwards frames until ctx is done, Close is called or a socket
// fails. It returns nil when stopped by ctx or Close. Run may be called
// again after it returns, but not twice at once.
func (s *Switch) Run(ctx context.Context) error {
	if s.closed.Load() {
		return ErrClosed
	}
	if !s.running.CompareAndSwap(false, true) {
		return errors.New("swmodel: Run called while running")
	}
	defer s.running.Store(false)

	links := s.links()
	ctx, cancel := context.WithCancel(ctx)
	release := wakeOnDone(ctx, links)
	var (
		wg       sync.WaitGroup
		errOnce  sync.Once
		firstErr error
	)
	for _, l := range links {
		wg.Go(func() {
			err := s.serve(l)
			if errors.Is(err, os.ErrDeadlineExceeded) || s.closed.Load() {
				return // stopped on purpose
			}
			errOnce.Do(func() { firstErr = fmt.Errorf("swmodel: reading %s: %w", l.name, err) })
			cancel()
		})
	}
	wg.Wait()
	cancel()
	release()
	return firstErr
}

// wakeOnDone makes the reads on links fail with os.ErrDeadlineExceeded
// once ctx is done. After release returns it no longer touches them, so a
// later Run starts clean.
func wakeOnDone(ctx context.Context, links []*link) (release func()) {
	setDeadlines(links, time.Time{}) // undo the previous Run's stop
	woken := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		setDeadlines(links, time.Unix(1, 0)) // in the past: wakes blocked reads
		close(woken)
	})
	return func() {
		if !stop() {
			<-woken
		}
	}
}

func setDeadlines(links []*link, t time.Time) {
	for _, l := range links {
		l.rx.f.SetReadDeadline(t)
	}
}

// Close stops Run and closes the sockets.
func (s *Switch) Close() error {
	s.closeOnce.Do(func() {
		s.closed.Store(true)
		for _, l := range s.links() {
			if l != nil {
				l.close()
			}
		}
	})
	return nil
}
