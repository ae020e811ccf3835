package rpchost_test

import (
	"bufio"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The sandbox, end to end: hostile procedures and hostile requests against
// the real server, while another client keeps calling add.

// memoryBound is the documented ceiling on the server's resident memory in
// these tests (README, Security model): the runtime and three plugins take
// well under 200 MiB; the limits keep what a hostile call or request can add
// to one instance's 64 MiB or one 16 MiB body at a time.
const memoryBound = 512 << 20

// procMemory returns a process's resident memory and its peak, in bytes.
func procMemory(t *testing.T, s *server) (rss, peak int64) {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		fields := strings.Fields(line)
		if len(fields) < 2 {
			continue
		}
		kb, _ := strconv.ParseInt(fields[1], 10, 64)
		switch fields[0] {
		case "VmRSS:":
			rss = kb << 10
		case "VmHWM:":
			peak = kb << 10
		}
	}
	return rss, peak
}

// keepCalling calls add(3, 4) in a loop until stop is closed and reports
// how many calls were made and how many failed.
func keepCalling(t *testing.T, url string, stop <-chan struct{}) func() (calls, failures int64) {
	c := dial(t, url)
	var n, bad atomic.Int64
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			var got any
			if err := c.Call("add", []any{3, 4}, &got); err != nil || got != int64(7) {
				bad.Add(1)
			}
			n.Add(1)
		}
	}()
	return func() (int64, int64) { wg.Wait(); return n.Load(), bad.Load() }
}

func hostileDir(t *testing.T) string {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "add.wasm"), readFile(t, "plugins/add.wasm"))
	writeFile(t, filepath.Join(dir, "hostile.wasm"), readFile(t, "host/testdata/hostile.wasm"))
	return dir
}

func TestSpinningAndMemoryBombsDoNotStopOtherCalls(t *testing.T) {
	dir := hostileDir(t)
	writeFile(t, filepath.Join(dir, "spinner.wasm"), readFile(t, "host/testdata/hostile.wasm"))
	// A per-plugin limit from the configuration file: spinner gets 1 s,
	// everything else keeps the default 5 s.
	config := filepath.Join(t.TempDir(), "config.yaml")
	writeFile(t, config, []byte("plugin:\n  spinner:\n    call_timeout: 1s\n"))
	s := startServer(t, dir, "RPCHOST_CONFIG="+config)
	stop := make(chan struct{})
	wait := keepCalling(t, s.URL, stop)
	c := dial(t, s.URL)

	start := time.Now()
	msg := wantFault(t, c, -32001, "spinner.spin")
	t.Logf("infinite loop: fault after %v (limit 1 s): %s", time.Since(start).Round(time.Millisecond), msg)

	for i := 0; i < 3; i++ {
		start = time.Now()
		msg = wantFault(t, c, -32005, "hostile.bomb")
		t.Logf("memory bomb %d: fault after %v: %s", i+1, time.Since(start).Round(time.Millisecond), msg)
	}
	rss, peak := procMemory(t, s)
	t.Logf("server memory after the bombs: %d MiB resident, %d MiB peak", rss>>20, peak>>20)
	if peak > memoryBound {
		t.Errorf("peak resident memory %d MiB is over the documented bound of %d MiB", peak>>20, memoryBound>>20)
	}

	time.Sleep(200 * time.Millisecond) // add keeps answering after, too
	close(stop)
	calls, failures := wait()
	if calls == 0 || failures != 0 {
		t.Fatalf("add(3, 4) from another client: %d of %d calls failed during the hostile calls", failures, calls)
	}
	t.Logf("add(3, 4) answered %d times during and after, none failed", calls)
}

// rawExchange writes head (and then body, if any) on a fresh connection and
// returns the status line and the response's body, tolerating a server that
// answers and closes before the body is all sent.
func rawExchange(t *testing.T, serverURL, head string, body func(w *bufio.Writer) error) (status, reply string) {
	t.Helper()
	u, _ := url.Parse(serverURL)
	conn, err := net.DialTimeout("tcp", u.Host, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(60 * time.Second))
	w := bufio.NewWriterSize(conn, 64<<10)
	_, _ = w.WriteString(head)
	if body != nil {
		_ = body(w) // the server may stop reading and answer early
	}
	_ = w.Flush()
	r := bufio.NewReader(conn)
	status, err = r.ReadString('\n')
	if err != nil {
		t.Fatalf("no response: %v", err)
	}
	rest := new(strings.Builder)
	buf := make([]byte, 32<<10)
	for rest.Len() < 1<<20 {
		n, err := r.Read(buf)
		rest.Write(buf[:n])
		if err != nil || strings.Contains(rest.String(), "</methodResponse>") {
			break
		}
	}
	return strings.TrimSpace(status), rest.String()
}

func post(path string, length int64, extra string) string {
	cl := ""
	if length >= 0 {
		cl = fmt.Sprintf("Content-Length: %d\r\n", length)
	}
	return "POST " + path + " HTTP/1.1\r\nHost: rpchost\r\nConnection: close\r\nContent-Type: text/xml\r\n" + cl + extra + "\r\n"
}

func TestHostileRequestsAreRefusedQuicklyWithBoundedMemory(t *testing.T) {
	s := startServer(t, hostileDir(t))
	stop := make(chan struct{})
	wait := keepCalling(t, s.URL, stop)

	nested := strings.Repeat("<value><array><data>", 100000) + strings.Repeat("</data></array></value>", 100000)
	laughs := `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">` +
		`<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>` +
		`<methodCall><methodName>add</methodName><params><param><value><string>&lol3;</string></value></param></params></methodCall>`
	small := func(doc string) (string, func(*bufio.Writer) error) {
		return post("/", int64(len(doc)), ""), func(w *bufio.Writer) error { _, err := w.WriteString(doc); return err }
	}
	zeros := func(n int64) func(*bufio.Writer) error {
		return func(w *bufio.Writer) error {
			chunk := make([]byte, 64<<10)
			for sent := int64(0); sent < n; sent += int64(len(chunk)) {
				if _, err := w.Write(chunk); err != nil {
					return err
				}
			}
			return nil
		}
	}
	chunked := func(n int64) func(*bufio.Writer) error {
		return func(w *bufio.Writer) error {
			chunk := strings.Repeat("a", 64<<10)
			for sent := int64(0); sent < n; sent += int64(len(chunk)) {
				if _, err := fmt.Fprintf(w, "%x\r\n%s\r\n", len(chunk), chunk); err != nil {
					return err
				}
			}
			_, err := w.WriteString("0\r\n\r\n")
			return err
		}
	}
	cases := []struct {
		name, head string
		body       func(*bufio.Writer) error
		want       string // in the status line or the reply
	}{
		{"1 GB body, Content-Length", post("/", 1<<30, ""), zeros(1 << 30), "<int>-32600</int>"},
		{"1 GB body, chunked", post("/", -1, "Transfer-Encoding: chunked\r\n"), chunked(1 << 30), "<int>-32600</int>"},
	}
	for _, doc := range []struct{ name, doc, want string }{
		{"billion laughs", laughs, "<int>-32600</int>"},
		{"100,000 nested arrays", `<?xml version="1.0"?><methodCall><methodName>add</methodName><params><param>` + nested + `</param></params></methodCall>`, "<int>-32600</int>"},
		{"invalid UTF-8", "<?xml version=\"1.0\"?><methodCall><methodName>add</methodName><params><param><value><string>\xff\xfe</string></value></param></params></methodCall>", "<int>-32702</int>"},
		{"unknown type", `<methodCall><methodName>add</methodName><params><param><value><ex:serializable>rO0AB</ex:serializable></value></param></params></methodCall>`, "<int>-32600</int>"},
		{"wrong root", `<methodResponse/>`, "<int>-32600</int>"},
		{"duplicate member", `<methodCall><methodName>add</methodName><params><param><value><struct><member><name>a</name><value>1</value></member><member><name>a</name><value>2</value></member></struct></value></param></params></methodCall>`, "<int>-32600</int>"},
	} {
		head, body := small(doc.doc)
		cases = append(cases, struct {
			name, head string
			body       func(*bufio.Writer) error
			want       string
		}{doc.name, head, body, doc.want})
	}
	cases = append(cases, struct {
		name, head string
		body       func(*bufio.Writer) error
		want       string
	}{"GET", "GET / HTTP/1.1\r\nHost: rpchost\r\nConnection: close\r\n\r\n", nil, "405"})

	for _, tc := range cases {
		start := time.Now()
		status, reply := rawExchange(t, s.URL, tc.head, tc.body)
		took := time.Since(start).Round(time.Millisecond)
		if !strings.Contains(status+reply, tc.want) {
			t.Errorf("%s: %s %q; want %s", tc.name, status, reply, tc.want)
			continue
		}
		t.Logf("%-24s → %s in %v", tc.name, tc.want, took)
	}
	rss, peak := procMemory(t, s)
	t.Logf("server memory: %d MiB resident, %d MiB peak", rss>>20, peak>>20)
	if peak > memoryBound {
		t.Errorf("peak resident memory %d MiB is over the documented bound of %d MiB", peak>>20, memoryBound>>20)
	}
	close(stop)
	if calls, failures := wait(); calls == 0 || failures != 0 {
		t.Errorf("add(3, 4) from another client: %d of %d calls failed", failures, calls)
	}
}

func TestSlowHeadersAreCutOff(t *testing.T) {
	s := startServer(t, hostileDir(t), "RPCHOST_HTTP_READ_HEADER_TIMEOUT=1s")
	u, _ := url.Parse(s.URL)
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	_, _ = conn.Write([]byte("POST / HTTP/1.1\r\nHost: rpchost\r\n")) // and never the rest
	_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	b := make([]byte, 512)
	for {
		if _, err := conn.Read(b); err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				t.Fatal("the server kept a connection with unfinished headers open for 30 s")
			}
			break
		}
	}
	t.Logf("a connection that never finished its headers was closed after %v (read_header_timeout 1s)", time.Since(start).Round(time.Millisecond))
}
