package host

import (
	"os"
	"syscall"
	"time"
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
		size:  st.Size,
		mtime: time.Unix(st.Mtim.Sec, st.Mtim.Nsec).UnixNano(),
		ctime: time.Unix(st.Ctim.Sec, st.Ctim.Nsec).UnixNano(),
	}, true
}
