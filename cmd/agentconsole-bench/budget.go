package main

import (
	"fmt"
	"os/exec"
	"regexp"
	"runtime"
	"strconv"

	"agentconsole/cmd/internal/proc"
)

// The CPU budget of a scenario: where the machine's CPU time went while wrk drove the
// route, and while pgbench ran the route's SQL, per request (per transaction). The
// ratio route/pgbench on 2 shared cores is roughly PostgreSQL's CPU ÷ everyone's per
// request, so the budget says what bounds it: the server's own CPU, more PostgreSQL
// work per request under the route than under pgbench (planning, another protocol),
// the load generator, other processes on the machine, or idle CPU (a latency or
// concurrency bound, not a CPU one). CPU times, not wall time: they hold on a busy
// machine, except idle and other, which are the machine's.

// cpuPIDs are the processes whose CPU the budget reads from /proc.
type cpuPIDs struct{ server, postmaster int }

// cpuSample is one reading, right before or right after a load run.
type cpuSample struct {
	server, postgres float64 // the server's and the cluster's (postmaster tree) CPU, s
	busy, idle       float64 // the machine's, over all CPUs, s
	ok               bool
}

func sampleCPU(p cpuPIDs) cpuSample {
	var s cpuSample
	var err1, err2, err3 error
	s.server, err1 = proc.TreeCPU(p.server)
	s.postgres, err2 = proc.TreeCPU(p.postmaster)
	s.busy, s.idle, err3 = proc.MachineCPU()
	s.ok = p.postmaster > 0 && err1 == nil && err2 == nil && err3 == nil
	return s
}

// budget is one run's CPU per request or transaction, in ms: server + postgres + client
// (wrk or pgbench) + other (the rest of the machine's busy time: other processes, this
// command) + idle = total (CPUs × wall time).
type budget struct{ server, postgres, client, other, idle float64 }

func (b budget) total() float64 { return b.server + b.postgres + b.client + b.other + b.idle }

// newBudget divides what the run used between two samples by its requests; client is
// the load generator's own CPU (its rusage), s. The zero budget when a figure is missing.
func newBudget(before, after cpuSample, client, requests float64) budget {
	if !before.ok || !after.ok || requests <= 0 {
		return budget{}
	}
	ms := 1000 / requests
	b := budget{
		server:   (after.server - before.server) * ms,
		postgres: (after.postgres - before.postgres) * ms,
		client:   client * ms,
		idle:     (after.idle - before.idle) * ms,
	}
	b.other = (after.busy-before.busy)*ms - b.server - b.postgres - b.client
	return b
}

// medianBudget is the field-by-field median of the runs' budgets.
func medianBudget(bs []budget) budget {
	med := func(get func(budget) float64) float64 {
		v := make([]float64, len(bs))
		for i, b := range bs {
			v[i] = get(b)
		}
		return median(v)
	}
	return budget{
		server:   med(func(b budget) float64 { return b.server }),
		postgres: med(func(b budget) float64 { return b.postgres }),
		client:   med(func(b budget) float64 { return b.client }),
		other:    med(func(b budget) float64 { return b.other }),
		idle:     med(func(b budget) float64 { return b.idle }),
	}
}

// clientCPU is a finished child's user+system CPU in seconds (all its threads).
func clientCPU(cmd *exec.Cmd) float64 {
	if cmd.ProcessState == nil {
		return 0
	}
	return (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds()
}

var (
	wrkCountRE     = regexp.MustCompile(`(\d+) requests in `)
	pgbenchCountRE = regexp.MustCompile(`number of transactions actually processed: (\d+)`)
)

// count is the first number re finds in out, else fallback (rate × seconds).
func count(re *regexp.Regexp, out []byte, fallback float64) float64 {
	if m := re.FindSubmatch(out); m != nil {
		if n, err := strconv.ParseFloat(string(m[1]), 64); err == nil {
			return n
		}
	}
	return fallback
}

// reportBudget prints each scenario's budget for the route and for pgbench, with
// PostgreSQL's CPU under pgbench -M simple (which plans every statement, as a route
// reading with the simple protocol would).
func reportBudget(results []result) {
	fmt.Printf("\nCPU budget per request / per pgbench transaction (ms of CPU time: /proc for the server and PostgreSQL's postmaster tree, rusage for wrk and pgbench, /proc/stat for the rest; %d CPUs × wall time = total; medians of the runs):\n", numCPU())
	for _, r := range results {
		if r.budget.total() == 0 {
			continue
		}
		a := r.budget
		line := fmt.Sprintf("  %-30.30s server %5.2f + postgres %5.2f + wrk %4.2f + other %5.2f + idle %5.2f = %5.2f",
			r.name, a.server, a.postgres, a.client, a.other, a.idle, a.total())
		if l := r.limitBudget; l.total() > 0 {
			line += fmt.Sprintf(" | pgbench: postgres %5.2f + client %4.2f + other %5.2f + idle %5.2f = %5.2f | postgres route/pgbench %.2f×",
				l.postgres, l.client, l.other+l.server, l.idle, l.total(), a.postgres/l.postgres)
			if s := r.simpleBudget; s.total() > 0 {
				line += fmt.Sprintf(" (simple: postgres %.2f)", s.postgres)
			}
		}
		fmt.Println(line)
	}
}

func numCPU() int { return runtime.NumCPU() }
