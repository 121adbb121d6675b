// Package proc reads what the benchmark and the soak report about the server process.
package proc

import "github.com/prometheus/procfs"

// PeakRSS is a process's peak resident set size in bytes (VmHWM), 0 when unknown.
func PeakRSS(pid int) int64 {
	p, err := procfs.NewProc(pid)
	if err != nil {
		return 0
	}
	st, err := p.NewStatus()
	if err != nil {
		return 0
	}
	return int64(st.VmHWM)
}
