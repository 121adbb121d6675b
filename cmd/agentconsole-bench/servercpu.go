package main

import (
	"bufio"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// serverCounters are the server's own CPU and collector counters from its /metrics:
// read before and after a scenario, they give the server's CPU per request and the
// collector's share of it, figures that hold on a busy machine where req/s do not.
type serverCounters struct {
	cpu   float64 // process_cpu_seconds_total
	gcCPU float64 // go_cpu_classes_gc_total_cpu_seconds_total (the runtime's estimate)
	idle  float64 // go_cpu_classes_gc_mark_idle_cpu_seconds_total, part of gcCPU
	gcs   float64 // go_gc_duration_seconds_count: completed collections
}

var counterNames = map[string]func(*serverCounters, float64){
	"process_cpu_seconds_total":                     func(c *serverCounters, v float64) { c.cpu = v },
	"go_cpu_classes_gc_total_cpu_seconds_total":     func(c *serverCounters, v float64) { c.gcCPU = v },
	"go_gc_duration_seconds_count":                  func(c *serverCounters, v float64) { c.gcs = v },
	"go_cpu_classes_gc_mark_idle_cpu_seconds_total": func(c *serverCounters, v float64) { c.idle = v },
}

// readCounters scrapes base/metrics; ok is false when it cannot (then no figures).
func readCounters(base string) (c serverCounters, ok bool) {
	client := http.Client{Timeout: 5 * time.Second}
	resp, err := client.Get(base + "/metrics")
	if err != nil {
		return c, false
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		name, value, found := strings.Cut(sc.Text(), " ")
		if set := counterNames[name]; found && set != nil {
			if v, err := strconv.ParseFloat(value, 64); err == nil {
				set(&c, v)
				ok = true
			}
		}
	}
	return c, ok
}

// perRequest fills r's server figures from the counters before and after its wrk run.
func (r *result) perRequest(before, after serverCounters) {
	requests := r.rps * float64(seconds)
	cpu := after.cpu - before.cpu
	if requests <= 0 || cpu <= 0 {
		return
	}
	r.cpuMs = cpu * 1000 / requests
	// Without the idle mark workers: the runtime counts their wall time on processors
	// the server had no other work for, which on a machine shared with wrk and
	// PostgreSQL is not CPU taken from requests (it read 99% at light load).
	r.gcShare = ((after.gcCPU - after.idle) - (before.gcCPU - before.idle)) / cpu
	r.gcsPer1k = (after.gcs - before.gcs) * 1000 / requests
}
