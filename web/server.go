// Package web is the Fiber application: configuration, routes, middleware, the error
// path, static files, and the start and stop of the server.
package web

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"agentconsole/db"
	"agentconsole/handlers"
	"agentconsole/web/fetch"
)

// Config is the server's configuration, read from the environment by cmd.
type Config struct {
	Addr string // listen address, e.g. ":8080"
	// MetricsAddr, when set, is the only address /metrics is served on (e.g.
	// "127.0.0.1:9090", reachable by Prometheus but not by the public); unset, /metrics is
	// on Addr with everything else.
	MetricsAddr   string
	SecureCookies bool          // Secure cookie flag and HSTS: set when served over TLS
	SessionTTL    time.Duration // absolute session lifetime
	TrustProxy    bool          // trust X-Forwarded-For from a load balancer
	EmailDomain   string        // agents' email addresses are slug@EmailDomain
	// Outbound card fetching and the background refresh.
	Fetch           fetch.Config
	CardTick        time.Duration // how often the scheduler looks for due cards (0: no scheduler)
	SessionPurge    time.Duration // how often the same scheduler deletes expired sessions
	CardUnit        time.Duration // one "minute" of refreshIntervalMinutes (tests shorten it)
	CardConcurrency int
	// Login throttling (per account and per client address, over the window).
	LoginMaxPerAccount int
	LoginMaxPerIP      int
	LoginWindow        time.Duration
	// MaxInFlight is how many requests run their handlers at once; the rest wait in
	// arrival order (see admission). 0: no limit.
	MaxInFlight int
	// Card fetches of requests (refresh, preview), which hold no admission slot while
	// they wait on the remote host: at most MaxFetches at once and MaxFetchesPerHost to
	// one host (≤ 0: the defaults); one queued longer than FetchWait (0: the fetch
	// time-out) is refused with 503.
	MaxFetches        int
	MaxFetchesPerHost int
	FetchWait         time.Duration
}

// DefaultConfig is the configuration with nothing set.
func DefaultConfig() Config {
	return Config{Addr: ":8080", EmailDomain: "agents.example.com", CardTick: 15 * time.Second, SessionPurge: 10 * time.Minute, CardUnit: time.Minute, CardConcurrency: 4, SessionTTL: 12 * time.Hour, LoginMaxPerAccount: 5, LoginMaxPerIP: 50, LoginWindow: 15 * time.Minute,
		MaxInFlight: DefaultMaxInFlight(0), MaxFetches: DefaultMaxFetches, MaxFetchesPerHost: DefaultMaxFetchesPerHost}
}

// Server is the console: the Fiber app and what it needs.
type Server struct {
	App      *fiber.App
	cfg      Config
	log      *slog.Logger
	store    *db.Store
	sessions *sessionBridge
	metrics  *metrics
	cards    *cardScheduler
	admit    *admission
	fetches  *outbound // card fetches of requests
}

// New builds the app with every route mounted.
func New(ctx context.Context, cfg Config, store *db.Store, log *slog.Logger) (*Server, error) {
	sessions, err := newSessionBridge(ctx, store, cfg.SecureCookies, cfg.SessionTTL)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, log: log, store: store, sessions: sessions, metrics: newMetrics(), admit: newAdmission(cfg.MaxInFlight)}
	if cfg.Fetch.Log == nil {
		cfg.Fetch.Log = log // refused addresses and dial errors are logged, never shown
	}
	fetcher := fetch.NewCardFetcher(cfg.Fetch)
	s.fetches = newOutbound(cfg.MaxFetches, cfg.MaxFetchesPerHost, cmp.Or(cfg.FetchWait, cfg.Fetch.Timeout, fetch.DefaultTimeout))
	s.metrics.registry.MustRegister(gateMetrics(s.admit, s.fetches)...)
	s.cards = &cardScheduler{store: store, fetcher: fetcher, tick: cfg.CardTick, unit: cfg.CardUnit, concurrency: max(cfg.CardConcurrency, 1),
		log: log, kick: make(chan struct{}, 1), purgeEvery: cfg.SessionPurge}
	fcfg := fiber.Config{
		AppName:               "agentconsole",
		DisableStartupMessage: true,
		ErrorHandler:          s.handleError,
		ReadTimeout:           30 * time.Second,
		WriteTimeout:          60 * time.Second,
		IdleTimeout:           120 * time.Second,
		BodyLimit:             4 << 20,
		ReadBufferSize:        16 << 10, // room for long cookies and HTMX headers
	}
	if cfg.TrustProxy {
		fcfg.ProxyHeader = fiber.HeaderXForwardedFor
	}
	s.App = fiber.New(fcfg)
	// Requests fetch through the gates; the scheduler (above) fetches directly.
	s.routes(handlers.Base{Store: store, Sessions: sessions}, gatedFetcher{next: fetcher, admit: s.admit, out: s.fetches})
	return s, nil
}

// Listen serves until ctx ends, then shuts down gracefully: in-flight requests finish
// (up to 20 s), new connections are refused. With MetricsAddr set, /metrics is served
// there, and only there.
func (s *Server) Listen(ctx context.Context) error {
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return err
	}
	if s.cfg.MetricsAddr != "" {
		mln, err := net.Listen("tcp", s.cfg.MetricsAddr)
		if err != nil {
			ln.Close()
			return fmt.Errorf("METRICS_ADDR: %w", err)
		}
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		merr := make(chan error, 1)
		go func() { merr <- s.ServeMetrics(ctx, mln) }()
		defer func() { cancel(); <-merr }()
	}
	return s.Serve(ctx, ln)
}

// ServeMetrics serves the Prometheus metrics on ln (at /metrics) until ctx ends. It is
// a plain net/http server of its own: nothing of the console is reachable through it.
func (s *Server) ServeMetrics(ctx context.Context, ln net.Listener) error {
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(s.metrics.registry, promhttp.HandlerOpts{}))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(shutdownCtx)
}

// Serve is Listen on an open listener (tests pass one on a free port). Background work
// (the card scheduler) runs while it serves.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	if s.cfg.CardTick > 0 {
		bg, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { defer close(done); s.cards.run(bg) }()
		defer func() { stop(); <-done }()
	}
	errc := make(chan error, 1)
	go func() { errc <- s.App.Listener(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return s.App.ShutdownWithContext(shutdownCtx)
}
