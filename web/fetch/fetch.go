// Package fetch is the console's only way out to the network: an http.Client for
// hostile input. Only http and https; every address a name resolves to is checked at
// connect time (loopback, private, link-local, multicast, unspecified and other
// special ranges are refused unless the operator allows a host or a network), on every
// redirect, at most 3 redirects; a time-out; a body cap; JSON only. The checked address
// is the one dialled, so DNS rebinding cannot slip past the check.
package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"
)

// Config says what may be reached.
type Config struct {
	Timeout      time.Duration  // whole request, redirects included (default 5 s)
	MaxBody      int64          // bytes (default 1 MiB)
	MaxRedirects int            // default 3
	AllowHosts   []string       // host names exempt from the address check (operator's choice)
	AllowNets    []netip.Prefix // networks exempt from the address check (tests reach 127.0.0.1)
	// Resolve looks up a host's addresses (default: the system resolver).
	Resolve func(ctx context.Context, host string) ([]netip.Addr, error)
}

// Kind classifies a failure for people and for the refresh history.
type Kind string

// Failure kinds.
const (
	Blocked  Kind = "blocked"   // address not allowed
	Timeout  Kind = "timeout"   // no answer in time
	Status   Kind = "status"    // HTTP status not 200
	TooLarge Kind = "too_large" // body over the cap
	NotJSON  Kind = "not_json"  // content type is not JSON
	Network  Kind = "network"   // connection refused, reset, DNS failure…
	BadURL   Kind = "bad_url"   // not an http(s) URL
	Invalid  Kind = "invalid"   // the body is not a valid agent card
)

// Error is a failed fetch with a message fit to show.
type Error struct {
	Kind       Kind
	StatusCode int
	Msg        string
}

func (e *Error) Error() string { return e.Msg }

// AsError finds a fetch error in an error chain (or wraps an unknown one as Network,
// recognising time-outs).
func AsError(err error) *Error {
	var fe *Error
	if errors.As(err, &fe) {
		return fe
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, context.DeadlineExceeded) {
		return &Error{Kind: Timeout, Msg: "the host did not answer in time"}
	}
	return &Error{Kind: Network, Msg: "could not reach the host: " + rootCause(err)}
}

func rootCause(err error) string {
	for {
		u := errors.Unwrap(err)
		if u == nil {
			return err.Error()
		}
		err = u
	}
}

// NewClient builds the guarded client.
func NewClient(cfg Config) *http.Client {
	if cfg.Timeout == 0 {
		cfg.Timeout = 5 * time.Second
	}
	if cfg.MaxBody == 0 {
		cfg.MaxBody = 1 << 20
	}
	if cfg.MaxRedirects == 0 {
		cfg.MaxRedirects = 3
	}
	if cfg.Resolve == nil {
		cfg.Resolve = func(ctx context.Context, host string) ([]netip.Addr, error) {
			return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
		}
	}
	g := &guard{cfg: cfg, dialer: &net.Dialer{Timeout: cfg.Timeout}}
	transport := &http.Transport{
		Proxy:                 nil, // never through a proxy: the check must see the real address
		DialContext:           g.dial,
		TLSHandshakeTimeout:   cfg.Timeout,
		ResponseHeaderTimeout: cfg.Timeout,
		MaxIdleConns:          20,
		IdleConnTimeout:       30 * time.Second,
		DisableCompression:    false,
	}
	return &http.Client{
		Timeout:   cfg.Timeout,
		Transport: &capped{next: transport, max: cfg.MaxBody},
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > cfg.MaxRedirects {
				return &Error{Kind: Blocked, Msg: fmt.Sprintf("more than %d redirects", cfg.MaxRedirects)}
			}
			if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
				return &Error{Kind: BadURL, Msg: "redirect to a non-HTTP URL: " + req.URL.Scheme}
			}
			return nil
		},
	}
}

// CheckURL refuses anything but an absolute http(s) URL with a host.
func CheckURL(raw string) error {
	req, err := http.NewRequest(http.MethodGet, raw, nil)
	if err != nil || (req.URL.Scheme != "http" && req.URL.Scheme != "https") || req.URL.Host == "" {
		return &Error{Kind: BadURL, Msg: "not an http(s) URL"}
	}
	return nil
}

type guard struct {
	cfg    Config
	dialer *net.Dialer
}

// dial resolves the host, checks every address, and connects to the first allowed one.
func (g *guard) dial(ctx context.Context, network, address string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return nil, err
	}
	var addrs []netip.Addr
	if ip, err := netip.ParseAddr(host); err == nil {
		addrs = []netip.Addr{ip}
	} else if addrs, err = g.cfg.Resolve(ctx, host); err != nil {
		return nil, &Error{Kind: Network, Msg: "could not resolve " + host}
	}
	hostAllowed := false
	for _, h := range g.cfg.AllowHosts {
		hostAllowed = hostAllowed || strings.EqualFold(h, host)
	}
	var lastErr error = &Error{Kind: Network, Msg: "no address for " + host}
	for _, ip := range addrs {
		ip = ip.Unmap()
		if !hostAllowed && !g.allowedNet(ip) {
			if reason := forbidden(ip); reason != "" {
				lastErr = &Error{Kind: Blocked, Msg: fmt.Sprintf("refused to connect to %s (%s): %s addresses are not allowed", host, ip, reason)}
				continue
			}
		}
		conn, err := g.dialer.DialContext(ctx, network, net.JoinHostPort(ip.String(), port))
		if err == nil {
			return conn, nil
		}
		lastErr = err
	}
	return nil, lastErr
}

func (g *guard) allowedNet(ip netip.Addr) bool {
	for _, p := range g.cfg.AllowNets {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

var specialNets = []struct {
	prefix netip.Prefix
	reason string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), "unspecified"},
	{netip.MustParsePrefix("100.64.0.0/10"), "shared (carrier-grade NAT)"},
	{netip.MustParsePrefix("192.0.0.0/24"), "IETF protocol"},
	{netip.MustParsePrefix("198.18.0.0/15"), "benchmarking"},
	{netip.MustParsePrefix("240.0.0.0/4"), "reserved"},
	{netip.MustParsePrefix("64:ff9b::/96"), "NAT64"},
}

// forbidden names why an address may not be reached ("" when it may).
func forbidden(ip netip.Addr) string {
	switch {
	case ip.IsLoopback():
		return "loopback"
	case ip.IsPrivate():
		return "private"
	case ip.IsLinkLocalUnicast(), ip.IsLinkLocalMulticast():
		return "link-local"
	case ip.IsMulticast(), ip.IsInterfaceLocalMulticast():
		return "multicast"
	case ip.IsUnspecified():
		return "unspecified"
	}
	for _, n := range specialNets {
		if n.prefix.Contains(ip) {
			return n.reason
		}
	}
	return ""
}

// capped refuses non-200 JSON-less answers early and stops reading bodies at the cap.
type capped struct {
	next http.RoundTripper
	max  int64
}

func (c *capped) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := c.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode >= 300 && resp.StatusCode < 400 || resp.StatusCode == http.StatusNotModified {
		return resp, nil
	}
	if ct := resp.Header.Get("Content-Type"); ct != "" && resp.StatusCode == http.StatusOK {
		mt, _, _ := mime.ParseMediaType(ct)
		if mt != "application/json" && !strings.HasSuffix(mt, "+json") {
			resp.Body.Close()
			return nil, &Error{Kind: NotJSON, Msg: "the answer is not JSON (Content-Type " + mt + ")"}
		}
	}
	if resp.ContentLength > c.max {
		resp.Body.Close()
		return nil, &Error{Kind: TooLarge, Msg: fmt.Sprintf("the answer is larger than %d bytes", c.max)}
	}
	resp.Body = &limitedBody{r: resp.Body, left: c.max}
	return resp, nil
}

type limitedBody struct {
	r    io.ReadCloser
	left int64
}

func (l *limitedBody) Read(p []byte) (int, error) {
	if l.left <= 0 {
		// One more byte would exceed the cap: find out whether there is one.
		var one [1]byte
		if n, _ := l.r.Read(one[:]); n > 0 {
			return 0, &Error{Kind: TooLarge, Msg: "the answer is larger than the size cap"}
		}
		return 0, io.EOF
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}

func (l *limitedBody) Close() error { return l.r.Close() }
