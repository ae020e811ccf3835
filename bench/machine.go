package main

import (
	"context"
	"os"
	"os/exec"
	"runtime"
	"strings"
)

// machine describes where the numbers were taken.
type machine struct {
	Host      string
	CPUs      int    // online CPUs, what nproc prints
	CPUModel  string // "model name" of /proc/cpuinfo
	MemTotal  string // MemTotal of /proc/meminfo
	Kernel    string
	Go        string
	Python    string
	LoadStart string // /proc/loadavg when the run started: how busy the shared machine was
	LoadEnd   string
}

func describeMachine(ctx context.Context, python string) machine {
	m := machine{
		CPUs:      runtime.NumCPU(),
		CPUModel:  procField("/proc/cpuinfo", "model name"),
		MemTotal:  procField("/proc/meminfo", "MemTotal"),
		Kernel:    readTrimmed("/proc/sys/kernel/osrelease"),
		Go:        runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH,
		LoadStart: loadAverage(),
	}
	m.Host, _ = os.Hostname()
	if python != "" {
		if out, err := exec.CommandContext(ctx, python, "--version").CombinedOutput(); err == nil {
			m.Python = strings.TrimSpace(string(out))
		}
	}
	return m
}

// procField returns the value of the first "name : value" line of a /proc file.
func procField(path, name string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "unknown"
	}
	for line := range strings.Lines(string(b)) {
		k, v, ok := strings.Cut(line, ":")
		if ok && strings.TrimSpace(k) == name {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

func readTrimmed(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(b))
}

// loadAverage is the 1, 5 and 15 minute load averages.
func loadAverage() string {
	f := strings.Fields(readTrimmed("/proc/loadavg"))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
