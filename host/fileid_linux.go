package host

import (
	"os"
	"syscall"
)

// fileIDOf is what identifies a version of a file without reading it
// (see digests.go); ok is false when the stat does not tell it.
func fileIDOf(info os.FileInfo) (id fileID, ok bool) {
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return fileID{}, false
	}
	return fileID{
		dev:   uint64(st.Dev),
		ino:   uint64(st.Ino),
		size:  int64(st.Size),
		mtime: st.Mtim.Nano(),
		ctime: st.Ctim.Nano(),
	}, true
}
