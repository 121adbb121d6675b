package proc

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/procfs"
)

// spinTree is a shell with a child that burns CPU, and a subshell whose own child (the
// shell's grandchild) burns CPU, until the stop file exists; then the shell reaps them
// and waits on its stdin.
const spinTree = `
spin() { while [ ! -e "$STOP" ]; do :; done; }
spin &
( sh -c 'while [ ! -e "$STOP" ]; do :; done'; true ) &
wait
read x || true
`

// TestTreeCPU checks TreeCPU against a real process tree: while the children run it
// holds at least their own CPU (read per process), after they exited and were reaped
// it still does (through cutime/cstime), and it never exceeds what wait4 reports for
// the whole tree when the shell ends.
func TestTreeCPU(t *testing.T) {
	stop := filepath.Join(t.TempDir(), "stop")
	cmd := exec.Command("sh", "-c", spinTree)
	cmd.Env = append(os.Environ(), "STOP="+stop)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	root := cmd.Process.Pid

	// Poll until the three processes below the shell exist and have used 0.3 s.
	var seen float64
	poll(t, "the children to burn CPU", func() bool {
		pids := descendants(t, root)
		seen = 0
		for _, pid := range pids {
			seen += ownCPU(pid)
		}
		return len(pids) == 3 && seen >= 0.3
	})
	live, err := TreeCPU(root)
	if err != nil {
		t.Fatal(err)
	}
	if live < seen {
		t.Fatalf("TreeCPU with live children %.2f s < their own CPU read before %.2f s", live, seen)
	}

	if err := os.WriteFile(stop, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	poll(t, "the shell to reap its children", func() bool { return len(descendants(t, root)) == 0 })
	reapedCPU, err := TreeCPU(root)
	if err != nil {
		t.Fatal(err)
	}
	if reapedCPU < live {
		t.Fatalf("TreeCPU after the children were reaped %.2f s < with them live %.2f s: reaped time lost", reapedCPU, live)
	}
	if own := ownCPU(root); reapedCPU-own < seen {
		t.Fatalf("TreeCPU %.2f s holds %.2f s of reaped children, less than they used (%.2f s)", reapedCPU, reapedCPU-own, seen)
	}

	stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	rusage := (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds()
	// /proc truncates to clock ticks, wait4 does not: the tree read never exceeds it.
	if reapedCPU > rusage+0.01 {
		t.Fatalf("TreeCPU %.2f s > wait4's rusage for the tree %.2f s", reapedCPU, rusage)
	}
	if _, err := TreeCPU(root); err == nil {
		t.Fatal("TreeCPU of an ended process: no error")
	}
}

func TestMachineCPUAndPostmasterPID(t *testing.T) {
	busy, idle, err := MachineCPU()
	if err != nil || busy <= 0 || idle <= 0 {
		t.Fatalf("MachineCPU = %v, %v, %v", busy, idle, err)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "postmaster.pid"), []byte("4242\n/var/lib/pg/data\n1700000000\n5432\n"), 0o600)
	if pid, err := PostmasterPID(dir); err != nil || pid != 4242 {
		t.Fatalf("PostmasterPID = %d, %v; want 4242", pid, err)
	}
}

func poll(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// descendants lists the processes below pid, live or not yet reaped.
func descendants(t *testing.T, pid int) []int {
	var out []int
	for queue := []int{pid}; len(queue) > 0; queue = queue[1:] {
		kids, err := children(queue[0])
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, kids...)
		queue = append(queue, kids...)
	}
	return out
}

// ownCPU is one process's utime+stime in seconds (0 once it is gone).
func ownCPU(pid int) float64 {
	p, err := procfs.NewProc(pid)
	if err != nil {
		return 0
	}
	st, err := p.Stat()
	if err != nil {
		return 0
	}
	return st.CPUTime()
}

// children are the pids whose parent is pid (only the test needs them one parent at a
// time; descendantsCPU reads the whole tree in one scan).
func children(pid int) ([]int, error) {
	procs, err := procfs.AllProcs()
	if err != nil {
		return nil, err
	}
	var out []int
	for _, p := range procs {
		if st, err := p.Stat(); err == nil && st.PPID == pid {
			out = append(out, p.PID)
		}
	}
	return out, nil
}
