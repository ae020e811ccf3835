package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
)

// checkBoltFile walks the page tree of a bolt file the way bolt will read
// it, with every offset checked, before bolt maps the file. Bolt trusts its
// file: a damaged page makes it panic, or read outside its mapping (a fault
// the runtime cannot recover from), at open or at any later read. Walking
// the file first with plain reads turns that into an error at start-up.
//
// What it checks: a valid meta page (magic, version, checksum), a page
// count that fits in the file, and for every page reachable from the root
// bucket and the freelist: its id, its type, that its elements' keys and
// values lie inside it, that its children are inside the file, and that no
// page is reached twice or is both reachable and free. It does not read
// keys or values (they are opaque to bolt), so its cost is two small reads
// per page: linear in the file's size (README's troubleshooting note has
// the figure), with memory of one bit per page plus one page's element
// table.
//
// An empty or missing file passes: bolt creates it.
func checkBoltFile(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if fi.Size() == 0 {
		return nil
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("not a regular file (%s)", fi.Mode().Type())
	}
	c := &boltChecker{f: f, size: fi.Size()}
	m, err := c.meta()
	if err != nil {
		return err
	}
	return c.walk(m)
}

// The on-disk format of bolt (go.etcd.io/bbolt/internal/common), version 2.
const (
	boltMagic          = 0xED0CDAED
	boltVersion        = 2
	boltPageHeader     = 16 // id u64, flags u16, count u16, overflow u32
	boltElementSize    = 16 // branch: pos, ksize u32, pgid u64; leaf: flags, pos, ksize, vsize u32
	boltMetaSize       = 64 // magic, version, pageSize, flags u32; root, sequence, freelist, pgid, txid, checksum u64
	boltBucketHeader   = 16 // root pgid u64, sequence u64
	boltBranchPage     = 0x01
	boltLeafPage       = 0x02
	boltFreelistPage   = 0x10
	boltBucketLeafFlag = 0x01
	boltNoFreelist     = ^uint64(0)
	boltDefaultPage    = 4096
)

type boltMeta struct {
	pageSize       uint64
	root, freelist uint64
	pgid, txid     uint64
}

type boltChecker struct {
	f        *os.File
	size     int64
	pageSize uint64
	hwm      uint64   // pages in use: ids are below it
	seen     []uint64 // one bit per page id
}

// meta picks the meta page bolt would use: the valid one with the higher
// transaction id.
func (c *boltChecker) meta() (boltMeta, error) {
	m0, err0 := c.readMeta(0)
	off1 := int64(boltDefaultPage)
	if err0 == nil {
		off1 = int64(m0.pageSize)
	}
	m1, err1 := c.readMeta(off1)
	var m boltMeta
	switch {
	case err0 == nil && err1 == nil:
		m = m0
		if m1.txid > m0.txid {
			m = m1
		}
	case err0 == nil:
		m = m0
	case err1 == nil:
		m = m1
	default:
		return m, fmt.Errorf("no valid meta page (not a bbolt file, or both copies are damaged): %v", err0)
	}
	c.pageSize = m.pageSize
	switch {
	case m.pgid < 4 || m.pgid > uint64(c.size)/m.pageSize:
		return m, fmt.Errorf("meta page: %d pages of %d bytes do not fit in the file's %d bytes", m.pgid, m.pageSize, c.size)
	case m.root < 2 || m.root >= m.pgid:
		return m, fmt.Errorf("meta page: root page %d is outside [2, %d)", m.root, m.pgid)
	case m.freelist != boltNoFreelist && (m.freelist < 2 || m.freelist >= m.pgid):
		return m, fmt.Errorf("meta page: freelist page %d is outside [2, %d)", m.freelist, m.pgid)
	}
	c.hwm = m.pgid
	c.seen = make([]uint64, (m.pgid+63)/64)
	return m, nil
}

func (c *boltChecker) readMeta(off int64) (boltMeta, error) {
	var b [boltPageHeader + boltMetaSize]byte
	if _, err := c.f.ReadAt(b[:], off); err != nil {
		return boltMeta{}, fmt.Errorf("read meta page at %d: %w", off, err)
	}
	m := b[boltPageHeader:]
	le := binary.LittleEndian
	switch {
	case le.Uint32(m[0:]) != boltMagic:
		return boltMeta{}, fmt.Errorf("meta page at %d: bad magic number", off)
	case le.Uint32(m[4:]) != boltVersion:
		return boltMeta{}, fmt.Errorf("meta page at %d: format version %d, want %d", off, le.Uint32(m[4:]), boltVersion)
	}
	h := fnv.New64a()
	h.Write(m[:56])
	if h.Sum64() != le.Uint64(m[56:]) {
		return boltMeta{}, fmt.Errorf("meta page at %d: checksum mismatch", off)
	}
	ps := uint64(le.Uint32(m[8:]))
	if ps < 512 || ps > 1<<20 || ps&(ps-1) != 0 {
		return boltMeta{}, fmt.Errorf("meta page at %d: page size %d", off, ps)
	}
	return boltMeta{pageSize: ps, root: le.Uint64(m[16:]), freelist: le.Uint64(m[32:]), pgid: le.Uint64(m[40:]), txid: le.Uint64(m[48:])}, nil
}

// mark records that pages [id, id+n) are in use, refusing a page reached
// twice: a cycle or a shared page would make bolt loop or corrupt itself.
func (c *boltChecker) mark(id, n uint64) error {
	for p := id; p < id+n; p++ {
		if c.seen[p/64]&(1<<(p%64)) != 0 {
			return fmt.Errorf("page %d is referenced twice", p)
		}
		c.seen[p/64] |= 1 << (p % 64)
	}
	return nil
}

// page reads the header of page id and checks it; it returns the page's
// length in bytes (overflow pages included) and its element count.
func (c *boltChecker) page(id uint64, wantFlags ...uint16) (flags uint16, length, count uint64, err error) {
	if id < 2 || id >= c.hwm {
		return 0, 0, 0, fmt.Errorf("page id %d is outside [2, %d)", id, c.hwm)
	}
	var h [boltPageHeader]byte
	if _, err := c.f.ReadAt(h[:], int64(id*c.pageSize)); err != nil {
		return 0, 0, 0, fmt.Errorf("page %d: %w", id, err)
	}
	le := binary.LittleEndian
	if got := le.Uint64(h[0:]); got != id {
		return 0, 0, 0, fmt.Errorf("page %d: header says page %d", id, got)
	}
	flags, count, overflow := le.Uint16(h[8:]), uint64(le.Uint16(h[10:])), uint64(le.Uint32(h[12:]))
	ok := false
	for _, f := range wantFlags {
		ok = ok || flags == f
	}
	if !ok {
		return 0, 0, 0, fmt.Errorf("page %d: unexpected page type 0x%x", id, flags)
	}
	if id+overflow >= c.hwm {
		return 0, 0, 0, fmt.Errorf("page %d: %d overflow pages run past the last page %d", id, overflow, c.hwm-1)
	}
	if err := c.mark(id, overflow+1); err != nil {
		return 0, 0, 0, err
	}
	return flags, (overflow + 1) * c.pageSize, count, nil
}

// walk visits every page of the tree, then the freelist. It keeps its own
// stack: a damaged file must not be able to recurse without bound.
func (c *boltChecker) walk(m boltMeta) error {
	stack := []uint64{m.root}
	for len(stack) > 0 {
		id := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		flags, length, count, err := c.page(id, boltBranchPage, boltLeafPage)
		if err != nil {
			return err
		}
		if boltPageHeader+count*boltElementSize > length {
			return fmt.Errorf("page %d: %d elements do not fit in %d bytes", id, count, length)
		}
		elems := make([]byte, count*boltElementSize)
		if _, err := c.f.ReadAt(elems, int64(id*c.pageSize+boltPageHeader)); err != nil {
			return fmt.Errorf("page %d: %w", id, err)
		}
		if flags == boltBranchPage {
			for i := uint64(0); i < count; i++ {
				e := elems[i*boltElementSize:]
				off := boltPageHeader + i*boltElementSize
				pos, ksize := uint64(binary.LittleEndian.Uint32(e[0:])), uint64(binary.LittleEndian.Uint32(e[4:]))
				if off+pos+ksize > length {
					return fmt.Errorf("page %d: branch element %d points outside the page", id, i)
				}
				stack = append(stack, binary.LittleEndian.Uint64(e[8:]))
			}
			continue
		}
		read := func(off, n uint64) ([]byte, error) {
			b := make([]byte, n)
			_, err := c.f.ReadAt(b, int64(id*c.pageSize+off))
			return b, err
		}
		roots, err := c.leaf(id, elems, count, length, 0, read)
		if err != nil {
			return err
		}
		stack = append(stack, roots...)
	}
	if m.freelist != boltNoFreelist {
		return c.freelist(m.freelist)
	}
	return nil
}

// leaf checks the elements of a leaf page (or of an inline bucket's page,
// base bytes into its value) and returns the root pages of the buckets it
// holds. read(off, n) reads n bytes at off from the start of the page.
func (c *boltChecker) leaf(id uint64, elems []byte, count, length, base uint64, read func(off, n uint64) ([]byte, error)) ([]uint64, error) {
	var roots []uint64
	le := binary.LittleEndian
	for i := uint64(0); i < count; i++ {
		e := elems[i*boltElementSize:]
		off := base + boltPageHeader + i*boltElementSize
		flags, pos := le.Uint32(e[0:]), uint64(le.Uint32(e[4:]))
		ksize, vsize := uint64(le.Uint32(e[8:])), uint64(le.Uint32(e[12:]))
		if off+pos+ksize+vsize > length {
			return nil, fmt.Errorf("page %d: leaf element %d points outside the page", id, i)
		}
		if flags&boltBucketLeafFlag == 0 {
			continue
		}
		if vsize < boltBucketHeader {
			return nil, fmt.Errorf("page %d: bucket element %d has a %d-byte header", id, i, vsize)
		}
		vstart := off + pos + ksize
		hdr, err := read(vstart, boltBucketHeader)
		if err != nil {
			return nil, fmt.Errorf("page %d: %w", id, err)
		}
		if root := le.Uint64(hdr); root != 0 {
			roots = append(roots, root)
			continue
		}
		// An inline bucket: a leaf page inside the value. Bolt inlines
		// only buckets smaller than a quarter page.
		if vsize > c.pageSize {
			return nil, fmt.Errorf("page %d: inline bucket %d is %d bytes, larger than a page", id, i, vsize)
		}
		v, err := read(vstart, vsize)
		if err != nil {
			return nil, fmt.Errorf("page %d: %w", id, err)
		}
		inner, err := c.inline(id, v[boltBucketHeader:])
		if err != nil {
			return nil, err
		}
		roots = append(roots, inner...)
	}
	return roots, nil
}

// inline checks an inline bucket's page, p, held in a value.
func (c *boltChecker) inline(id uint64, p []byte) ([]uint64, error) {
	le := binary.LittleEndian
	if len(p) < boltPageHeader {
		return nil, fmt.Errorf("page %d: inline bucket shorter than a page header", id)
	}
	if flags := le.Uint16(p[8:]); flags != boltLeafPage {
		return nil, fmt.Errorf("page %d: inline bucket of page type 0x%x", id, flags)
	}
	count := uint64(le.Uint16(p[10:]))
	length := uint64(len(p))
	if boltPageHeader+count*boltElementSize > length {
		return nil, fmt.Errorf("page %d: inline bucket's %d elements do not fit in %d bytes", id, count, length)
	}
	read := func(off, n uint64) ([]byte, error) {
		if off+n > length {
			return nil, io.ErrUnexpectedEOF
		}
		return p[off : off+n], nil
	}
	return c.leaf(id, p[boltPageHeader:], count, length, 0, read)
}

// freelist checks that every free page is inside the file, listed once,
// and not part of the tree: bolt would otherwise hand a live page out for
// new data.
func (c *boltChecker) freelist(id uint64) error {
	_, length, count, err := c.page(id, boltFreelistPage)
	if err != nil {
		return fmt.Errorf("freelist: %w", err)
	}
	off := uint64(boltPageHeader)
	if count == 0xFFFF { // the real count is the first id slot
		var b [8]byte
		if _, err := c.f.ReadAt(b[:], int64(id*c.pageSize+off)); err != nil {
			return fmt.Errorf("freelist page %d: %w", id, err)
		}
		count, off = binary.LittleEndian.Uint64(b[:]), off+8
	}
	if count > (length-off)/8 {
		return fmt.Errorf("freelist page %d: %d ids do not fit in %d bytes", id, count, length)
	}
	const chunk = 8192
	buf := make([]byte, 8*min(count, chunk))
	for done := uint64(0); done < count; {
		n := min(count-done, chunk)
		if _, err := c.f.ReadAt(buf[:8*n], int64(id*c.pageSize+off+8*done)); err != nil {
			return fmt.Errorf("freelist page %d: %w", id, err)
		}
		for i := uint64(0); i < n; i++ {
			free := binary.LittleEndian.Uint64(buf[8*i:])
			if free < 2 || free >= c.hwm {
				return fmt.Errorf("freelist page %d: free page %d is outside [2, %d)", id, free, c.hwm)
			}
			if err := c.mark(free, 1); err != nil {
				return fmt.Errorf("freelist page %d: free page %d is in use or listed twice", id, free)
			}
		}
		done += n
	}
	return nil
}
