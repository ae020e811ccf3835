package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// boltLockWait is how long Open waits for another process's lock on the
// file when ctx has no earlier deadline: long enough for a server that is
// stopping to let go, short enough that a second server started by mistake
// says so at once.
const boltLockWait = 2 * time.Second

// openBolt opens (creating them if needed) dir and dir/rpchost.db. Bolt
// fsyncs on every commit (NoSync is false), which is what makes Apply
// durable when it returns.
//
// A file another process holds fails with ErrInUse; a file bolt cannot
// read safely (not a bolt file, a damaged page) fails with ErrDamaged,
// before bolt maps it: see checkBoltFile.
func openBolt(ctx context.Context, dir string, lim Limits) (*boltStore, error) {
	if dir == "" {
		return nil, errors.New("bbolt: empty data directory")
	}
	if lim.MaxKeyBytes > maxBoltKeyBytes {
		return nil, fmt.Errorf("bbolt: MaxKeyBytes %d is over bolt's key limit of %d", lim.MaxKeyBytes, maxBoltKeyBytes)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("bbolt: open %s: %w", dir, err)
	}
	if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
		return nil, fmt.Errorf("bbolt: the store directory %s is a file, not a directory (store.dir)", dir)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("bbolt: cannot create the store directory (store.dir): %w", err)
	}
	path := filepath.Join(dir, boltFile)
	wait := boltLockWait
	if d, ok := ctx.Deadline(); ok {
		wait = max(min(time.Until(d), wait), time.Millisecond) // 0 would mean "wait forever"
	}
	db, err := openBoltFile(path, wait)
	if err != nil {
		return nil, err
	}
	return &boltStore{db: db, lim: lim, path: path, commits: groupCommit{db: db}}, nil
}

// openBoltFile locks, checks, opens and initialises the file. Bolt's own
// panics (and faults on its mapping) are recovered here, as a last line
// behind checkBoltFile: a file that makes bolt panic is reported as
// damaged. (After such a panic inside bolt.Open, the file's descriptor, and
// so its lock, stay open until the process exits: bolt gives no handle to
// close.)
func openBoltFile(path string, wait time.Duration) (db *bolt.DB, err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			if db != nil {
				closeAfterPanic(db)
			}
			db, err = nil, damaged(path, fmt.Errorf("bbolt failed reading it: %v", r))
		}
	}()
	// The lock is taken first, so that the check below never reads a file
	// another process is writing.
	lock, err := lockBoltFile(path, wait)
	if err != nil {
		return nil, err
	}
	if err := checkBoltFile(path); err != nil {
		lock.Close()
		return nil, damaged(path, err)
	}
	lock.Close() // released just before bolt takes the same lock again
	db, err = bolt.Open(path, 0o600, &bolt.Options{Timeout: wait})
	switch {
	case errors.Is(err, bolterrors.ErrTimeout):
		return nil, inUse(path)
	case errors.As(err, new(*fs.PathError)):
		return nil, fmt.Errorf("bbolt: open %s: %w", path, err)
	case err != nil:
		return nil, damaged(path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, name := range [][]byte{kvBucket, usageBucket, metaBucket} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return fmt.Errorf("create bucket %s: %w", name, err)
			}
		}
		meta := tx.Bucket(metaBucket)
		switch v := meta.Get(formatKey); {
		case v == nil:
			return meta.Put(formatKey, formatV1)
		case !bytes.Equal(v, formatV1):
			return fmt.Errorf("file format %q, this rpchost reads %q", v, formatV1)
		}
		return nil
	})
	if err != nil {
		return nil, errors.Join(fmt.Errorf("bbolt: %s: %w", path, err), db.Close())
	}
	return db, nil
}

// lockBoltFile takes the lock bolt takes (flock, exclusive) on path,
// creating the file if needed, so that the file is checked only when no
// other process has it open for writing.
func lockBoltFile(path string, wait time.Duration) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("bbolt: cannot open the store file: %w", err) // err names the path
	}
	if err := flockWait(f, wait); err != nil {
		f.Close()
		if errors.Is(err, ErrInUse) {
			return nil, inUse(path)
		}
		return nil, fmt.Errorf("bbolt: lock %s: %w", path, err)
	}
	return f, nil
}

// closeAfterPanic closes a db that bolt panicked on; closing may panic
// too, and that is not worth a crash.
func closeAfterPanic(db *bolt.DB) {
	defer func() { _ = recover() }()
	_ = db.Close()
}

func inUse(path string) error {
	return fmt.Errorf("the store %s is %w (another rpchost?): stop it, or give this one another store.dir", path, ErrInUse)
}

func damaged(path string, err error) error {
	return fmt.Errorf("the store %s is %w (%v): check it with `bbolt check %s` (go install go.etcd.io/bbolt/cmd/bbolt@latest), restore it from a backup, or move it away to start with an empty store",
		path, ErrDamaged, err, path)
}
