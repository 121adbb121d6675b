package fetch

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/a2aproject/a2a-go/v2/a2a"
	"github.com/a2aproject/a2a-go/v2/a2aclient/agentcard"

	"agentconsole/db/cards"
)

// CardFetcher fetches A2A agent cards through a2a-go's resolver, over the guarded
// client (the resolver itself reads bodies without a cap).
type CardFetcher struct {
	Client *http.Client
	log    *slog.Logger
}

// NewCardFetcher builds a card fetcher on a guarded client.
func NewCardFetcher(cfg Config) *CardFetcher {
	c := NewClient(cfg)
	c.Transport = &recording{next: c.Transport}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	return &CardFetcher{Client: c, log: cfg.Log}
}

type recorderKey struct{}

// recorder keeps what the resolver does not return: the final URL and the ETag.
type recorder struct {
	url, etag string
}

type recording struct{ next http.RoundTripper }

func (r *recording) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.next.RoundTrip(req)
	if rec, ok := req.Context().Value(recorderKey{}).(*recorder); ok && err == nil {
		rec.url, rec.etag = req.URL.String(), resp.Header.Get("ETag")
	}
	return resp, err
}

// FetchCard fetches and parses one card URL. A 404 is cards.ErrNotFound, so the
// caller can fall back to the older well-known path. A failure's message is fit to
// show; its detail (addresses, dial and resolver errors) goes to the log only.
func (f *CardFetcher) FetchCard(ctx context.Context, rawURL, etag string) (*cards.Fetched, error) {
	got, err := f.fetchCard(ctx, rawURL, etag)
	if fe := (*Error)(nil); errors.As(err, &fe) {
		f.log.Warn("card fetch failed", "url", rawURL, "kind", fe.Kind, "error", fe.Msg, "detail", fe.Detail)
	}
	return got, err
}

func (f *CardFetcher) fetchCard(ctx context.Context, rawURL, etag string) (*cards.Fetched, error) {
	if err := CheckURL(rawURL); err != nil {
		return nil, err
	}
	u, _ := url.Parse(rawURL)
	base := u.Scheme + "://" + u.Host
	path := u.EscapedPath()
	if u.RawQuery != "" {
		path += "?" + u.RawQuery
	}
	rec := &recorder{}
	ctx = context.WithValue(ctx, recorderKey{}, rec)
	var body []byte
	resolver := &agentcard.Resolver{Client: f.Client, CardParser: func(b []byte) (*a2a.AgentCard, error) {
		body = b
		return cards.Parse(b)
	}}
	opts := []agentcard.ResolveOption{agentcard.WithPath(path), agentcard.WithRequestHeader("Accept", "application/json"),
		agentcard.WithRequestHeader("A2A-Version", "1.0")}
	if etag != "" {
		opts = append(opts, agentcard.WithRequestHeader("If-None-Match", etag))
	}
	card, err := resolver.Resolve(ctx, base, opts...)
	var status *agentcard.ErrStatusNotOK
	switch {
	case errors.As(err, &status) && status.StatusCode == http.StatusNotModified:
		return &cards.Fetched{URL: rec.url, ETag: etag, NotModified: true}, nil
	case errors.As(err, &status) && status.StatusCode == http.StatusNotFound:
		return nil, cards.ErrNotFound
	case errors.As(err, &status):
		return nil, &Error{Kind: Status, StatusCode: status.StatusCode, Msg: "the card URL answered " + status.Status}
	case err != nil && strings.Contains(err.Error(), "card parsing failed"):
		return nil, &Error{Kind: Invalid, Msg: strings.TrimPrefix(err.Error(), "card parsing failed: ")}
	case err != nil:
		return nil, AsError(err)
	}
	return &cards.Fetched{Body: body, Card: card, URL: rec.url, ETag: rec.etag}, nil
}
