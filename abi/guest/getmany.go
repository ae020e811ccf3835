package guest

import "encoding/binary"

// KVGetMany reads many keys in one host call: values[i] is the value of
// keys[i], nil when it is not stored (a stored empty value is an empty,
// non-nil slice). Reads see the call's own writes, as KVGet's do; keys the
// call wrote are answered without asking the host. One call reads at most
// 10,000 keys, whose values may total at most the store's max_scan_bytes
// (8 MiB by default); ask for fewer otherwise.
//
// A procedure that reads one key per item of a batch (records.ingest
// reads each id's old version) saves a host call per item by reading them
// all first.
func KVGetMany(keys []string) (values [][]byte, err error) {
	values = make([][]byte, len(keys))
	var ask []int // indexes of keys the write set cannot answer
	for i, k := range keys {
		if v, found, pending := writes.get(k); pending {
			if found {
				values[i] = v
			}
			continue
		}
		ask = append(ask, i)
	}
	if len(ask) == 0 {
		return values, nil
	}
	if len(ask) > maxScan {
		return nil, hostError("kv_get_many", "more than 10000 keys in one call")
	}
	n := 0
	for _, i := range ask {
		n += 4 + len(keys[i])
	}
	req := make([]byte, 0, n)
	for _, i := range ask {
		req = binary.LittleEndian.AppendUint32(req, uint32(len(keys[i])))
		req = append(req, keys[i]...)
	}
	answer, err := host.kvGetMany(req)
	if err != nil {
		return nil, err
	}
	for _, i := range ask {
		if len(answer) < 4 {
			return nil, hostError("kv_get_many result", "cut short")
		}
		n := binary.LittleEndian.Uint32(answer)
		answer = answer[4:]
		if n == 0xFFFFFFFF {
			continue
		}
		if uint64(len(answer)) < uint64(n) {
			return nil, hostError("kv_get_many result", "cut short")
		}
		// Full slice expressions: a caller appending to one value must
		// not overwrite the next.
		values[i] = answer[:n:n]
		answer = answer[n:]
	}
	if len(answer) != 0 {
		return nil, hostError("kv_get_many result", "trailing bytes")
	}
	return values, nil
}
