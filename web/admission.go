package web

import (
	"runtime"
	"sync/atomic"

	"github.com/gofiber/fiber/v2"
)

// admission lets at most n requests run their handlers at once and queues the rest in
// arrival order. Sized to at most the connection pool, no running request waits for a
// pooled connection (each holds one at a time), so database/sql's random hand-off of a
// released connection to one of its waiters never decides who is served next; and what
// requests keep alive while they run (rows, encoded bodies) is bounded by n, not by the
// number of client connections, which keeps the heap the collector marks small.
type admission struct {
	slots   chan struct{}
	waiting atomic.Int64 // requests queued at the gate now
}

// DefaultMaxInFlight is how many requests run at once unless MAX_REQUESTS_IN_FLIGHT
// says: no more than the pool has connections (poolSize ≤ 0: the store's default, 20),
// so a running request never waits for one, and no more than 4 per CPU, since beyond
// that requests only share the CPU more finely while each keeps its rows and response
// alive. On 2 CPUs with 32 client connections, the console list's p99 was 1.0–1.1×
// pgbench's in the same run with a gate of 8, 16 or 20 (six runs) against 1.2–1.7×
// without one (five of six runs), and the heap the collector marks fell from ~12 MB to
// ~9 (16) or ~8 (8); 16 pages of long prompts and tool schemas at once (make bench's
// scale-out phase) held the runtime 10 MiB over its limit, 8 held it 5 over.
func DefaultMaxInFlight(poolSize int) int {
	if poolSize <= 0 {
		poolSize = 20
	}
	return max(1, min(poolSize, 4*runtime.GOMAXPROCS(0)))
}

// newAdmission is a gate for n requests at once; n ≤ 0 is none (nil).
func newAdmission(n int) *admission {
	if n <= 0 {
		return nil
	}
	return &admission{slots: make(chan struct{}, n)}
}

// handler is the middleware. A send to a full buffered channel parks the goroutine in
// the channel's FIFO queue of senders, and a freed slot goes straight to the first of
// them (the buffer stays full, so a later arrival cannot take it): first come, first
// served.
func (a *admission) handler(c *fiber.Ctx) error {
	if a == nil {
		return c.Next()
	}
	select {
	case a.slots <- struct{}{}:
	default:
		a.waiting.Add(1)
		select {
		case a.slots <- struct{}{}:
			a.waiting.Add(-1)
		case <-c.Context().Done(): // the server is shutting down
			a.waiting.Add(-1)
			return fiber.ErrServiceUnavailable
		}
	}
	defer func() { <-a.slots }()
	return c.Next()
}
