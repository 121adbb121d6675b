package web

import (
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
