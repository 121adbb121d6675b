package web

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"agentconsole/db"
	"agentconsole/db/cardsvc"
)

// cardScheduler refreshes external agents' cards in the background. Each tick it claims
// due cards in PostgreSQL (FOR UPDATE SKIP LOCKED, next_refresh_at set to the claim time
// plus the interval in the same statement), so any number of instances claim each card
// at most once per interval, even when ticks come late (see db.ClaimDueCards); at most
// Concurrency refreshes run at once, so a host that hangs holds one slot for at most the
// fetch time-out.
type cardScheduler struct {
	store       *db.Store
	fetcher     cardsvc.Fetcher
	tick        time.Duration
	unit        time.Duration
	concurrency int
	log         *slog.Logger
	kick        chan struct{}
	// Expired sessions are deleted by the same loop, at most once per purgeEvery
	// (every instance may: the DELETE is idempotent and uses the expiry index).
	purgeEvery time.Duration
	lastPurge  time.Time
}

func (s *cardScheduler) run(ctx context.Context) {
	t := time.NewTicker(s.tick)
	defer t.Stop()
	for {
		s.purgeSessions(ctx)
		s.once(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-s.kick:
		}
	}
}

// once claims and refreshes one batch; it returns when the batch is done.
func (s *cardScheduler) once(ctx context.Context) {
	due, err := s.store.ClaimDueCards(ctx, s.concurrency, s.unit)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Warn("card scheduler: claim failed", "err", err)
		}
		return
	}
	var wg sync.WaitGroup
	for _, d := range due {
		wg.Add(1)
		go func(d db.DueCard) {
			defer wg.Done()
			if _, err := (cardsvc.Service{Store: s.store, Fetcher: s.fetcher}).RefreshClaimed(ctx, d); err != nil {
				s.log.Info("card refresh failed", "agent_id", d.AgentID, "err", err)
			}
		}(d)
	}
	wg.Wait()
}

// purgeSessions deletes expired sessions when purgeEvery has passed since the last purge.
func (s *cardScheduler) purgeSessions(ctx context.Context) {
	if s.purgeEvery <= 0 || time.Since(s.lastPurge) < s.purgeEvery {
		return
	}
	s.lastPurge = time.Now()
	n, err := s.store.DeleteExpiredSessions(ctx)
	switch {
	case err != nil && ctx.Err() == nil:
		s.log.Warn("session purge failed", "err", err)
	case n > 0:
		s.log.Info("expired sessions purged", "count", n)
	}
}

// Kick asks for a batch now (after "refresh all").
func (s *cardScheduler) Kick() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}
