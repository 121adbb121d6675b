// Package cardsvc refreshes external agents' cards: it asks the store which card to
// refresh, fetches it through a Fetcher (web/fetch implements it, with the SSRF
// checks), and hands the result to the store, which records it in one transaction.
// The store never reaches the network, and the fetcher never sees the store.
package cardsvc

import (
	"context"
	"errors"
	"time"

	"agentconsole/db"
	"agentconsole/db/cards"
)

// Fetcher fetches one card URL (a 404 is cards.ErrNotFound).
type Fetcher interface {
	FetchCard(ctx context.Context, rawURL, etag string) (*cards.Fetched, error)
}

// ErrBusy is a fetch that did not get its turn: too many were waiting on remote hosts
// already. It says nothing about the card's host, so a refresh that meets it records
// nothing (no failure, no back-off).
var ErrBusy = errors.New("too many card fetches are in progress; try again shortly")

// FetchFirst tries the URLs in order, moving on only when one answers 404.
func FetchFirst(ctx context.Context, f Fetcher, urls []string, etag string) (*cards.Fetched, error) {
	if len(urls) == 0 {
		return nil, errors.New("no card URL: set externalConfig.agentCardUrl or externalConfig.endpointUrl")
	}
	var err error
	for _, u := range urls {
		var got *cards.Fetched
		if got, err = f.FetchCard(ctx, u, etag); err == nil {
			return got, nil
		}
		if !errors.Is(err, cards.ErrNotFound) {
			return nil, err
		}
	}
	return nil, err
}

// Service refreshes cards over a store and a fetcher.
type Service struct {
	Store   *db.Store
	Fetcher Fetcher
}

// Refresh fetches an external agent's card and stores it (db.Store.StoreCardRefresh);
// a failed fetch is recorded, keeps the cached card and answers a
// *db.CardRefreshError. actor nil means the scheduler.
func (s Service) Refresh(ctx context.Context, actor *db.Actor, orgID, agentID int64) (*db.RefreshOutcome, error) {
	return s.refresh(ctx, actor, orgID, agentID, nil)
}

// RefreshClaimed is the scheduler's refresh of a card it claimed; the history entry
// keeps the claim time (card_refreshes.claimed_at).
func (s Service) RefreshClaimed(ctx context.Context, d db.DueCard) (*db.RefreshOutcome, error) {
	return s.refresh(ctx, nil, d.OrgID, d.AgentID, &d.ClaimedAt)
}

func (s Service) refresh(ctx context.Context, actor *db.Actor, orgID, agentID int64, claimedAt *time.Time) (*db.RefreshOutcome, error) {
	a, etag, err := s.Store.CardToRefresh(ctx, orgID, agentID)
	if err != nil {
		return nil, err
	}
	got, fetchErr := FetchFirst(ctx, s.Fetcher, db.CardURLs(a.ExternalConfig), etag)
	if errors.Is(fetchErr, ErrBusy) {
		return nil, fetchErr
	}
	return s.Store.StoreCardRefresh(ctx, actor, a, got, fetchErr, claimedAt)
}
