// SPDX-License-Identifier: MIT

// Package nlfake makes netlink answers as the kernel does, for the fakes
// of a kernel: the clients' tests and package brcmtest.
package nlfake

import (
	"encoding/binary"
	"iter"
	"syscall"

	"github.com/mdlayher/netlink"
	"github.com/mdlayher/netlink/nlenc"
	"golang.org/x/sys/unix"
)

// Nack answers req with errno and, unless msg is "", an extended-ack
// message, as the kernel does: the errno, then the request's header
// without its payload (the kernel caps it when it adds TLVs), then the
// TLVs.
func Nack(req netlink.Message, errno syscall.Errno, msg string) netlink.Message {
	return NackAt(req, errno, msg, 0)
}

// NackAt answers as Nack does and, unless offset is 0, points at the
// attribute refused: its offset in the request, NLMSGERR_ATTR_OFFS.
func NackAt(req netlink.Message, errno syscall.Errno, msg string, offset uint32) netlink.Message {
	ae := netlink.NewAttributeEncoder()
	if msg != "" {
		ae.String(unix.NLMSGERR_ATTR_MSG, msg)
	}
	if offset != 0 {
		ae.Uint32(unix.NLMSGERR_ATTR_OFFS, offset)
	}
	tlvs, err := ae.Encode()
	if err != nil {
		panic(err) // a string attribute always encodes
	}
	data := nlenc.Int32Bytes(-int32(errno))
	data = binary.NativeEndian.AppendUint32(data, 16)
	data = append(data, make([]byte, 12)...)
	return netlink.Message{
		Header: netlink.Header{
			Type:     netlink.Error,
			Flags:    netlink.Capped | netlink.AcknowledgeTLVs,
			Sequence: req.Header.Sequence,
			PID:      req.Header.PID,
		},
		Data: append(data, tlvs...),
	}
}

// ReceiveIter is a netlink.Socket's ReceiveIter for a fake socket whose
// Receive returns one datagram's messages.
func ReceiveIter(receive func() ([]netlink.Message, error)) iter.Seq2[netlink.Message, error] {
	return func(yield func(netlink.Message, error) bool) {
		msgs, err := receive()
		if err != nil {
			yield(netlink.Message{}, err)
			return
		}
		for _, m := range msgs {
			if !yield(m, nil) {
				return
			}
		}
	}
}
