package xmlrpc

// nameCache shares the strings of struct member names: an array of a
// thousand structs repeats the same few names, and one allocation per
// distinct name beats one per member. It is direct-mapped and tiny, so it
// lives on the decoder's stack and a miss just replaces an entry.
type nameCache struct {
	entries [32]string
}

const nameCacheMaxLen = 64 // longer names are rarely repeated

func (c *nameCache) get(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if len(b) > nameCacheMaxLen {
		return string(b)
	}
	h := (uint(len(b))*31 + uint(b[0])*7 + uint(b[len(b)-1])) % uint(len(c.entries))
	if c.entries[h] == string(b) {
		return c.entries[h]
	}
	s := string(b)
	c.entries[h] = s
	return s
}
