package cards

import (
	"errors"

	"github.com/a2aproject/a2a-go/v2/a2a"
)

// Fetched is a card body as fetched (parsed by the fetcher with Parse). It lives here,
// not in the store, so the guarded fetcher (web/fetch) needs nothing heavier than this
// package and a2a-go.
type Fetched struct {
	Body        []byte
	Card        *a2a.AgentCard
	URL         string // the URL it came from, after redirects
	ETag        string
	NotModified bool // the host answered 304 to our If-None-Match
}

// ErrNotFound is a 404 from the card host (the caller may try the older well-known path).
var ErrNotFound = errors.New("the card URL answered 404 Not Found")
