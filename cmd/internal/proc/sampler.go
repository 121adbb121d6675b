package proc

import (
	"sync"
	"time"

	"github.com/prometheus/procfs"
)

// Sampler polls a process's resident memory and keeps, per phase, the peak of its
// anonymous part (heap, stacks: what the program allocates) and of its file-backed part
// (pages of the executable and of mapped files, which grow as more code runs). VmHWM
// gives only their peak sum; the split says which of the two a peak is made of.
type Sampler struct {
	mu    sync.Mutex
	phase string
	order []string
	peaks map[string]*Peak
	stop  chan struct{}
	done  chan struct{}
}

// Peak is the largest anonymous and file-backed resident sizes seen in a phase, in bytes.
type Peak struct{ Anon, File, Total int64 }

// Sample starts polling pid every interval until Stop.
func Sample(pid int, interval time.Duration) *Sampler {
	s := &Sampler{phase: "start", peaks: map[string]*Peak{}, stop: make(chan struct{}), done: make(chan struct{})}
	s.order = []string{"start"}
	s.peaks["start"] = &Peak{}
	go func() {
		defer close(s.done)
		p, err := procfs.NewProc(pid)
		if err != nil {
			return
		}
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			if st, err := p.NewStatus(); err == nil {
				s.record(int64(st.RssAnon), int64(st.RssFile)+int64(st.RssShmem))
			}
			select {
			case <-s.stop:
				return
			case <-t.C:
			}
		}
	}()
	return s
}

func (s *Sampler) record(anon, file int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	pk := s.peaks[s.phase]
	pk.Anon, pk.File, pk.Total = max(pk.Anon, anon), max(pk.File, file), max(pk.Total, anon+file)
}

// Phase names what the process does from now on (a scenario).
func (s *Sampler) Phase(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.phase = name
	if s.peaks[name] == nil {
		s.peaks[name] = &Peak{}
		s.order = append(s.order, name)
	}
}

// Stop ends the polling and returns the phases in order with their peaks.
func (s *Sampler) Stop() ([]string, map[string]Peak) {
	close(s.stop)
	<-s.done
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]Peak{}
	for k, v := range s.peaks {
		out[k] = *v
	}
	return s.order, out
}
