package proc

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/prometheus/procfs"
)

// TreeCPU is the CPU time, in seconds, that the process pid and every process below it
// have used so far: each live process's utime+stime (/proc/<pid>/stat fields 14–15)
// plus its cutime+cstime (16–17), where the kernel adds a child's whole time when the
// process reaps it. So a PostgreSQL postmaster's figure holds its backends, the live
// ones directly and the exited ones through the postmaster's cutime/cstime; the
// difference of two readings is the CPU the tree used in between, whatever else the
// machine ran. Resolution is the kernel's clock tick (10 ms) per process.
func TreeCPU(pid int) (float64, error) {
	fs, err := procfs.NewDefaultFS()
	if err != nil {
		return 0, err
	}
	// A child reaped between reading the root and scanning /proc would be counted
	// nowhere (or, the other way round, twice): read the root again after the scan
	// and start over when its reaped-children time moved meanwhile.
	for range 10 {
		root, err := reaped(fs, pid)
		if err != nil {
			return 0, err
		}
		sum, err := descendantsCPU(fs, pid)
		if err != nil {
			return 0, err
		}
		again, err := reaped(fs, pid)
		if err != nil {
			return 0, err
		}
		if again == root {
			return sum, nil
		}
	}
	return 0, errors.New("proc: children kept exiting while the tree was read")
}

// reaped is a process's cutime+cstime in clock ticks.
func reaped(fs procfs.FS, pid int) (int, error) {
	p, err := fs.Proc(pid)
	if err != nil {
		return 0, err
	}
	st, err := p.Stat()
	if err != nil {
		return 0, err
	}
	return st.CUTime + st.CSTime, nil
}

// descendantsCPU sums utime+stime+cutime+cstime over pid and its descendants, read in
// one scan of /proc.
func descendantsCPU(fs procfs.FS, pid int) (float64, error) {
	procs, err := fs.AllProcs()
	if err != nil {
		return 0, err
	}
	ticks := map[int]float64{}
	children := map[int][]int{}
	for _, p := range procs {
		st, err := p.Stat()
		if err != nil {
			continue // exited since the listing
		}
		ticks[p.PID] = float64(st.UTime+st.STime) + float64(st.CUTime+st.CSTime)
		children[st.PPID] = append(children[st.PPID], p.PID)
	}
	if _, ok := ticks[pid]; !ok {
		return 0, os.ErrNotExist
	}
	var sum float64
	for queue := []int{pid}; len(queue) > 0; queue = queue[1:] {
		sum += ticks[queue[0]]
		queue = append(queue, children[queue[0]]...)
	}
	return sum / userHZ, nil
}

// userHZ is the unit of /proc/<pid>/stat's times (USER_HZ, 100 on Linux, as procfs
// assumes too).
const userHZ = 100

// MachineCPU is the whole machine's CPU time so far from /proc/stat, in seconds: busy
// (every state but idle and iowait) and idle (idle and iowait), summed over all CPUs.
func MachineCPU() (busy, idle float64, err error) {
	fs, err := procfs.NewDefaultFS()
	if err != nil {
		return 0, 0, err
	}
	st, err := fs.Stat()
	if err != nil {
		return 0, 0, err
	}
	c := st.CPUTotal
	// guest time is already inside user and nice.
	return c.User + c.Nice + c.System + c.IRQ + c.SoftIRQ + c.Steal, c.Idle + c.Iowait, nil
}

// PostmasterPID is the pid on the first line of a PostgreSQL data folder's
// postmaster.pid.
func PostmasterPID(dataDir string) (int, error) {
	data, err := os.ReadFile(filepath.Join(dataDir, "postmaster.pid"))
	if err != nil {
		return 0, err
	}
	line, _, _ := strings.Cut(string(data), "\n")
	return strconv.Atoi(strings.TrimSpace(line))
}
