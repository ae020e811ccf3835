package plugin

import (
	"context"
	"encoding/binary"

	"github.com/tetratelabs/wazero/api"
)

// maxPollSubscriptions bounds the subscriptions of one poll_oneoff call.
// wazero's implementation allocates an event per subscription, and a
// guest may ask for 1,000,000 per call (~1 GB of host allocations); Go's
// runtime polls with at most a handful (one clock, plus one per file
// descriptor it waits on), and so does every libc's sleep.
const maxPollSubscriptions = 4096

// WASI constants for poll_oneoff (wasi_snapshot_preview1).
const (
	errnoBadf   = 8
	errnoInval  = 28
	errnoNotsup = 58

	eventClock   = 0
	eventFdRead  = 1
	eventFdWrite = 2

	subscriptionSize = 48
	eventSize        = 32
)

// pollOneoff is WASI's poll_oneoff(in, out, nsubscriptions, nevents) ->
// errno, refusing more than maxPollSubscriptions with EINVAL. wazero's
// implementation cannot be wrapped (its Go function is not exported), so
// this is that implementation for the only configuration instances have:
// no file system, so the open descriptors are stdin (always ready: it is
// empty), stdout and stderr; and wazero's fake sleep, so a clock
// subscription is acknowledged at once. Like wazero, a read on 0, 1 or 2
// is acknowledged after the other events, a write on them with ENOTSUP,
// other descriptors with EBADF, and an absolute clock is not supported.
func pollOneoff(_ context.Context, mod api.Module, stack []uint64) {
	stack[0] = uint64(poll(mod, api.DecodeU32(stack[0]), api.DecodeU32(stack[1]), api.DecodeU32(stack[2]), api.DecodeU32(stack[3])))
}

func poll(mod api.Module, in, out, n, neventsAt uint32) uint32 {
	if n == 0 || n > maxPollSubscriptions {
		return errnoInval
	}
	mem := mod.Memory()
	subs, ok := mem.Read(in, n*subscriptionSize)
	if !ok {
		return errnoFault
	}
	events, ok := mem.Read(out, n*eventSize)
	if !ok {
		return errnoFault
	}
	clear(events)
	if !mem.WriteUint32Le(neventsAt, n) {
		return errnoFault
	}
	le := binary.LittleEndian
	var blocking []uint32 // reads of stdio, acknowledged last
	written := uint32(0)
	write := func(sub []byte, errno byte) {
		ev := events[written*eventSize:]
		copy(ev, sub[:8]) // userdata
		ev[8], ev[9] = errno, 0
		le.PutUint32(ev[10:], uint32(sub[8]))
		written++
	}
	for i := range n {
		sub := subs[i*subscriptionSize : (i+1)*subscriptionSize]
		arg := sub[16:]
		switch sub[8] {
		case eventClock:
			switch le.Uint16(arg[24:]) {
			case 0: // relative: wazero's fake sleep returns at once
			case 1:
				return errnoNotsup
			default:
				return errnoInval
			}
			write(sub, 0)
		case eventFdRead:
			switch fd := int32(le.Uint32(arg)); {
			case fd < 0:
				return errnoBadf
			case fd > 2:
				write(sub, errnoBadf)
			default:
				blocking = append(blocking, i)
			}
		case eventFdWrite:
			switch fd := int32(le.Uint32(arg)); {
			case fd < 0:
				return errnoBadf
			case fd > 2:
				write(sub, errnoBadf)
			default:
				write(sub, errnoNotsup)
			}
		default:
			return errnoInval
		}
	}
	// stdin is empty, so always ready to read nothing.
	for _, i := range blocking {
		write(subs[i*subscriptionSize:], 0)
	}
	return 0
}
