// SPDX-License-Identifier: MIT

package swmodel

import (
	"encoding/binary"
	"fmt"
	"net"
	"os"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// packetSock is an AF_PACKET raw socket bound to one interface. Its fd is
// nonblocking and registered with the runtime poller through os.File, so
// read deadlines and Close interrupt a blocked read.
type packetSock struct {
	f    *os.File
	rc   syscall.RawConn
	vnet bool // frames carry a virtio_net_hdr in front
}

// sockMode says what a packetSock is for.
type sockMode struct {
	recv bool // receive every frame arriving on the interface
	vnet bool // PACKET_VNET_HDR: checksum offload state travels with frames
}

// openPacket opens a packet socket on the interface called name in the
// calling thread's network namespace. A receiving socket sees frames
// arriving on the interface, not the ones sent from it, and gets
// PACKET_AUXDATA so VLAN tags the kernel moved out can be put back.
func openPacket(name string, mode sockMode) (*packetSock, error) {
	ifi, err := net.InterfaceByName(name)
	if err != nil {
		return nil, err
	}
	// Protocol 0 until bind: otherwise frames of every interface would
	// queue up between socket and bind.
	fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("packet socket on %s: %w", name, err)
	}
	if err := setupPacket(fd, ifi.Index, mode); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("packet socket on %s: %w", name, err)
	}
	s := &packetSock{f: os.NewFile(uintptr(fd), "packet:"+name), vnet: mode.vnet}
	if s.rc, err = s.f.SyscallConn(); err != nil {
		s.f.Close()
		return nil, err
	}
	return s, nil
}

func setupPacket(fd, ifindex int, mode sockMode) error {
	var opts []int
	if mode.vnet {
		opts = append(opts, unix.PACKET_VNET_HDR)
	}
	var proto uint16 // a sending socket binds protocol 0 and receives nothing
	if mode.recv {
		opts = append(opts, unix.PACKET_AUXDATA, unix.PACKET_IGNORE_OUTGOING)
		proto = unix.ETH_P_ALL
		// Room for bursts (floods, tests sending back to back) so
		// frames are not lost before the model reads them. FORCE
		// passes net.core.rmem_max, which would cap it at 208 KiB;
		// without CAP_NET_ADMIN settle for what the limit allows.
		if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, 4<<20); err != nil {
			if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUF, 4<<20); err != nil {
				return err
			}
		}
	}
	for _, opt := range opts {
		if err := unix.SetsockoptInt(fd, unix.SOL_PACKET, opt, 1); err != nil {
			return fmt.Errorf("setsockopt %#x: %w", opt, err)
		}
	}
	return unix.Bind(fd, &unix.SockaddrLinklayer{Protocol: htons(proto), Ifindex: ifindex})
}

// htons puts v in network byte order, as sll_protocol wants it.
func htons(v uint16) uint16 {
	var b [2]byte
	binary.BigEndian.PutUint16(b[:], v)
	return binary.NativeEndian.Uint16(b[:])
}

func (s *packetSock) Close() error { return s.f.Close() }

// write sends one frame (with its virtio_net_hdr in front on a vnet
// socket).
func (s *packetSock) write(b []byte) error {
	var werr error
	err := s.rc.Write(func(fd uintptr) bool {
		_, werr = unix.Write(int(fd), b)
		return werr != unix.EAGAIN
	})
	if err != nil {
		return err
	}
	return werr
}

// rxMeta is what the kernel says about a frame besides its bytes.
type rxMeta struct {
	pkttype   uint8
	truncated bool    // the frame did not fit the buffer
	vnet      vnetHdr // zero without PACKET_VNET_HDR
	vlan      bool    // the kernel took a VLAN tag out of the frame
	vlanTPID  uint16
	vlanTCI   uint16
}

// oobSize holds the PACKET_AUXDATA control message.
var oobSize = unix.CmsgSpace(int(unsafe.Sizeof(unix.TpacketAuxdata{})))

// recv reads one frame into fb, waiting as long as the read deadline of
// s.f allows.
func (s *packetSock) recv(fb *frameBuf, oob []byte) (rxMeta, error) {
	var m rxMeta
	hdr := 0
	if s.vnet {
		hdr = vnetHdrLen
	}
	p := fb.buf[headroom-hdr:]
	var n, oobn int
	var from unix.Sockaddr
	var rerr error
	err := s.rc.Read(func(fd uintptr) bool {
		// MSG_TRUNC: n is the frame's real length even if it is cut.
		n, oobn, _, from, rerr = unix.Recvmsg(int(fd), p, oob, unix.MSG_TRUNC)
		return rerr != unix.EAGAIN
	})
	if err == nil {
		err = rerr
	}
	if err != nil {
		return m, err
	}
	if n < hdr {
		return m, fmt.Errorf("packet socket: %d-byte read is shorter than its virtio header", n)
	}
	if sll, ok := from.(*unix.SockaddrLinklayer); ok {
		m.pkttype = sll.Pkttype
	}
	m.truncated = n > len(p)
	if s.vnet {
		m.vnet = parseVnetHdr(p)
	}
	fb.off, fb.end = headroom, headroom-hdr+min(n, len(p))
	parseAuxdata(oob[:oobn], &m)
	return m, nil
}

// parseAuxdata fills in the VLAN tag PACKET_AUXDATA reports: the receive
// path takes 802.1Q headers out of frames before packet sockets see them.
func parseAuxdata(oob []byte, m *rxMeta) {
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return
	}
	var aux unix.TpacketAuxdata
	for _, msg := range msgs {
		if msg.Header.Level != unix.SOL_PACKET || msg.Header.Type != unix.PACKET_AUXDATA ||
			len(msg.Data) < int(unsafe.Sizeof(aux)) {
			continue
		}
		status := binary.NativeEndian.Uint32(msg.Data[unsafe.Offsetof(aux.Status):])
		if status&unix.TP_STATUS_VLAN_VALID == 0 {
			continue
		}
		m.vlan = true
		m.vlanTCI = binary.NativeEndian.Uint16(msg.Data[unsafe.Offsetof(aux.Vlan_tci):])
		m.vlanTPID = 0x8100 // ETH_P_8021Q unless the kernel says otherwise
		if status&unix.TP_STATUS_VLAN_TPID_VALID != 0 {
			m.vlanTPID = binary.NativeEndian.Uint16(msg.Data[unsafe.Offsetof(aux.Vlan_tpid):])
		}
	}
}

// drops returns the frames the kernel dropped for want of room in the
// receive queue since the last call.
func (s *packetSock) drops() uint64 {
	var st *unix.TpacketStats
	err := s.rc.Control(func(fd uintptr) {
		st, _ = unix.GetsockoptTpacketStats(int(fd), unix.SOL_PACKET, unix.PACKET_STATISTICS)
	})
	if err != nil || st == nil {
		return 0
	}
	return uint64(st.Drops)
}
