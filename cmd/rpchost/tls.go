package main

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"syscall"
	"time"
)

// certCheckInterval is how often, at most, a handshake looks at the
// certificate files to see whether they changed.
const certCheckInterval = time.Second

// tlsConfig is the server's TLS configuration when tls.cert_file and
// tls.key_file are set, nil when neither is. A start with one of them, an
// unreadable file or a key that does not match the certificate stops here.
func (s *settings) tlsConfig(logger *slog.Logger) (*tls.Config, error) {
	cert, key := s.tls.certFile, s.tls.keyFile
	switch {
	case cert == "" && key == "":
		return nil, nil
	case key == "":
		return nil, errors.New("tls.cert_file is set but tls.key_file is not (RPCHOST_TLS_KEY_FILE): set both to serve HTTPS, or neither")
	case cert == "":
		return nil, errors.New("tls.key_file is set but tls.cert_file is not (RPCHOST_TLS_CERT_FILE): set both to serve HTTPS, or neither")
	}
	r, err := newCertReloader(cert, key, logger)
	if err != nil {
		return nil, err
	}
	return &tls.Config{
		MinVersion:     tls.VersionTLS12,
		GetCertificate: r.getCertificate,
		// HTTP/1.1 only: the connection limits (http.max_connections and
		// the idle-connection eviction) and the body budget count one
		// request per connection at a time, which HTTP/2 would not keep.
		NextProtos: []string{"http/1.1"},
	}, nil
}

// certReloader serves the pair of tls.cert_file and tls.key_file and reads
// them again, during a handshake, at most once every certCheckInterval: no
// goroutine, nothing to stop. When either file's bytes changed, the pair
// is parsed anew, so a renewed certificate is served without a restart.
// The bytes are compared, not sizes and times: a file's modification time
// has the kernel's coarse clock, and a renewed key has the size of the
// old one, so two writes close together would look like none; reading
// two files of a few KiB once a second costs nothing. A new pair that does not load (a key that
// does not match, a file half-written by a renewal that writes the two
// files one after the other) keeps the old pair in service and is logged;
// the next change of either file is tried again.
type certReloader struct {
	certFile, keyFile string
	logger            *slog.Logger
	now               func() time.Time

	mu          sync.Mutex
	cert        *tls.Certificate
	certPEM     []byte // the files' bytes when last read
	keyPEM      []byte
	lastChecked time.Time
}

func newCertReloader(certFile, keyFile string, logger *slog.Logger) (*certReloader, error) {
	r := &certReloader{certFile: certFile, keyFile: keyFile, logger: logger, now: time.Now}
	certPEM, keyPEM, err := r.read()
	if err != nil {
		return nil, err
	}
	cert, err := r.parse(certPEM, keyPEM)
	if err != nil {
		return nil, err
	}
	r.certPEM, r.keyPEM = certPEM, keyPEM
	r.cert, r.lastChecked = cert, r.now()
	logger.Info("tls certificate loaded", "cert_file", certFile, "subject", cert.Leaf.Subject.String(), "not_after", cert.Leaf.NotAfter)
	return r, nil
}

// read reads both files, with a message that names the keys.
func (r *certReloader) read() (certPEM, keyPEM []byte, err error) {
	if certPEM, err = readPEMFile(r.certFile); err != nil {
		return nil, nil, fmt.Errorf("tls.cert_file: %w", err)
	}
	if keyPEM, err = readPEMFile(r.keyFile); err != nil {
		return nil, nil, fmt.Errorf("tls.key_file: %w", err)
	}
	return certPEM, keyPEM, nil
}

// maxPEMBytes bounds a certificate or key file: a chain of a few
// certificates is a few KiB.
const maxPEMBytes = 1 << 20

// readPEMFile reads a regular file of at most maxPEMBytes. The files are
// read again during handshakes (getCertificate), so a file replaced by a
// huge one, a FIFO or a link to /dev/zero must fail at once rather than
// fill memory or hang every handshake: the open does not wait for a FIFO's
// writer, and anything but a regular file is refused before it is read.
func readPEMFile(path string) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file (%s)", path, info.Mode().Type())
	}
	if info.Size() > maxPEMBytes {
		return nil, fmt.Errorf("%s is %d bytes; a certificate or key file is at most %d", path, info.Size(), maxPEMBytes)
	}
	b, err := io.ReadAll(io.LimitReader(f, maxPEMBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(b) > maxPEMBytes {
		return nil, fmt.Errorf("%s grew past %d bytes while read", path, maxPEMBytes)
	}
	return b, nil
}

// parse makes the pair, with a message that names the keys.
func (r *certReloader) parse(certPEM, keyPEM []byte) (*tls.Certificate, error) {
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, fmt.Errorf("tls.cert_file %s and tls.key_file %s: %w", r.certFile, r.keyFile, err)
	}
	if time.Now().After(cert.Leaf.NotAfter) {
		r.logger.Warn("tls certificate has expired; clients will refuse it", "cert_file", r.certFile, "not_after", cert.Leaf.NotAfter)
	}
	return &cert, nil
}

func (r *certReloader) getCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	if now.Sub(r.lastChecked) < certCheckInterval {
		return r.cert, nil
	}
	r.lastChecked = now
	certPEM, keyPEM, err := r.read()
	if err != nil {
		r.logger.Error("tls certificate files cannot be read; still serving the previous certificate", "error", err.Error())
		return r.cert, nil
	}
	if bytes.Equal(certPEM, r.certPEM) && bytes.Equal(keyPEM, r.keyPEM) {
		return r.cert, nil
	}
	r.certPEM, r.keyPEM = certPEM, keyPEM // a pair that does not parse is logged once, not at every look
	cert, err := r.parse(certPEM, keyPEM)
	if err != nil {
		r.logger.Error("tls certificate files changed but do not load; still serving the previous certificate", "error", err.Error())
		return r.cert, nil
	}
	r.cert = cert
	r.logger.Info("tls certificate reloaded", "cert_file", r.certFile, "subject", cert.Leaf.Subject.String(), "not_after", cert.Leaf.NotAfter)
	return r.cert, nil
}
