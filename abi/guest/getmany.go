package guest

import "encoding/binary"

// KVGetMany reads many keys in one host call: values[i] is the value of
// keys[i], nil when it is not stored (a stored empty value is an empty,
// non-nil slice). Reads see the call's own writes, as KVGet's do (the
// pending ones are handed over first). One call reads at most
// 10,000 keys, whose values may total at most the store's max_scan_bytes
// (8 MiB by default); ask for fewer otherwise.
//
// A procedure that reads one key per item of a batch (records.ingest
// reads each id's old version) saves a host call per item by reading them
// all first.
func KVGetMany(keys []string) (values [][]byte, err error) {
	if len(keys) == 0 {
		return nil, nil
	}
	if len(keys) > maxScan {
		return nil, hostError("kv_get_many", "more than 10000 keys in one call")
	}
	if err := writes.flush(); err != nil {
		return nil, err
	}
	n := 0
	for _, k := range keys {
		n += 4 + len(k)
	}
	req := make([]byte, 0, n)
	for _, k := range keys {
		req = binary.LittleEndian.AppendUint32(req, uint32(len(k)))
		req = append(req, k...)
	}
	answer, err := host.kvGetMany(req)
	if err != nil {
		return nil, err
	}
	values = make([][]byte, len(keys))
	for i := range keys {
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
