package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// clockTicks is USER_HZ, the unit of /proc/<pid>/stat's CPU times: 100 on
// every Linux architecture Go supports.
const clockTicks = 100

// memory is a process's resident memory from /proc/<pid>/status.
type memory struct {
	RSS  int64 // VmRSS: resident now, bytes
	Peak int64 // VmHWM: the most it has been resident, bytes
}

// readMemory reads VmRSS and VmHWM of a process.
func readMemory(pid int) (memory, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return memory{}, fmt.Errorf("resident memory of %d: %w", pid, err)
	}
	var m memory
	for line := range strings.Lines(string(b)) {
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		var dst *int64
		switch name {
		case "VmRSS":
			dst = &m.RSS
		case "VmHWM":
			dst = &m.Peak
		default:
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(value), "kB")), 10, 64)
		if err != nil {
			return memory{}, fmt.Errorf("resident memory of %d: %s: %w", pid, name, err)
		}
		*dst = kb << 10
	}
	if m.RSS == 0 {
		return memory{}, fmt.Errorf("resident memory of %d: no VmRSS in /proc/%d/status", pid, pid)
	}
	return m, nil
}

// readCPUTime returns the user plus system CPU time a process has used, all
// its threads included, from /proc/<pid>/stat (10 ms resolution).
func readCPUTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, fmt.Errorf("CPU time of %d: %w", pid, err)
	}
	// The command name, field 2, is in parentheses and may hold spaces:
	// count fields from the last ')'.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("CPU time of %d: malformed /proc/%d/stat", pid, pid)
	}
	fields := strings.Fields(string(b[i+1:]))
	// After the name come state (field 3) ... utime (14) and stime (15).
	const utime, stime = 14 - 3, 15 - 3
	if len(fields) <= stime {
		return 0, fmt.Errorf("CPU time of %d: /proc/%d/stat has %d fields", pid, pid, len(fields)+2)
	}
	var ticks int64
	for _, f := range []string{fields[utime], fields[stime]} {
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("CPU time of %d: %w", pid, err)
		}
		ticks += n
	}
	return time.Duration(ticks) * time.Second / clockTicks, nil
}

// selfCPUTime is the CPU time the harness itself (the load generator) has
// used, at microsecond resolution.
func selfCPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// treeCPUTime is the CPU time of a process and of its children (one
// level: PostgreSQL's postmaster and its backends), read from /proc.
func treeCPUTime(pid int) (time.Duration, error) {
	total, err := readCPUTime(pid)
	if err != nil {
		return 0, err
	}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0, err
	}
	for _, e := range entries {
		child, err := strconv.Atoi(e.Name())
		if err != nil || child == pid {
			continue
		}
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", child))
		if err != nil {
			continue // gone
		}
		i := bytes.LastIndexByte(b, ')')
		fields := strings.Fields(string(b[i+1:]))
		if i < 0 || len(fields) < 2 || fields[1] != strconv.Itoa(pid) { // field 4, ppid
			continue
		}
		if cpu, err := readCPUTime(child); err == nil {
			total += cpu
		}
	}
	return total, nil
}

// readCodeRSS is the resident memory of a process's executable mappings,
// from /proc/<pid>/smaps: its own text and, in rpchost, the machine code
// wazero compiled (wazero maps it executable; identical modules share it).
func readCodeRSS(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps", pid))
	if err != nil {
		return 0, fmt.Errorf("mappings of %d: %w", pid, err)
	}
	return codeRSS(string(b))
}

// codeRSS sums the Rss of the executable mappings in smaps text.
func codeRSS(smaps string) (int64, error) {
	var total int64
	exec := false
	for line := range strings.Lines(smaps) {
		fields := strings.Fields(line)
		if len(fields) < 2 {
			continue
		}
		if !strings.HasSuffix(fields[0], ":") {
			// A mapping's header: address range, permissions, ...
			exec = len(fields[1]) == 4 && fields[1][2] == 'x'
			continue
		}
		if fields[0] != "Rss:" || !exec {
			continue
		}
		kb, err := strconv.ParseInt(fields[1], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("smaps: %q: %w", strings.TrimSpace(line), err)
		}
		total += kb << 10
	}
	return total, nil
}

// memAvailable is MemAvailable of /proc/meminfo: what can still be used
// without swapping, in bytes.
func memAvailable() (int64, error) {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "MemAvailable:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	return 0, errors.New("no MemAvailable in /proc/meminfo")
}
