// Package fetch is the console's only way out to the network: an http.Client for
// hostile input. Only http and https; every address a name resolves to is checked at
// connect time (loopback, private, link-local, multicast, unspecified and every other
// special-purpose range of the IANA IPv4 and IPv6 registries are refused unless the
// operator allows a host or a network), on every redirect, at most 3 redirects; a
// time-out; a body cap; JSON only. The checked address is the one dialled, so DNS
// rebinding cannot slip past the check.
//
// What a failure says is fit for whoever typed the URL: "not allowed" for a refused
// address, "could not fetch" for any network failure — never an address, a port state
// or resolver output, which would map the internal network. The detail goes to the
// server's log (Config.Log).
package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// DefaultTimeout is Config.Timeout when it is not set.
const DefaultTimeout = 5 * time.Second

// Config says what may be reached.
type Config struct {
	Timeout      time.Duration // whole request, redirects included (default 5 s)
	MaxBody      int64         // bytes (default 1 MiB)
	MaxRedirects int           // default 3
	// AllowHosts are host names exempt from the address check (operator's choice):
	// "host:port" allows that port only; a bare "host" only the URL scheme's default
	// port (80 for http, 443 for https). See AllowHostEntry.
	AllowHosts []string
	// AllowNets are networks exempt from the address check (tests reach 127.0.0.1), on
	// any port. An allowed translation prefix (NAT64 64:ff9b::/96 on an IPv6-only
	// network) still has its embedded IPv4 address checked.
	AllowNets []netip.Prefix
	// Log receives the detail of each failure (default slog.Default()).
	Log *slog.Logger
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

// The only things a refused address or a network failure says.
const (
	msgNotAllowed    = "not allowed"
	msgCouldNotFetch = "could not fetch"
)

// Error is a failed fetch with a message fit to show.
type Error struct {
	Kind       Kind
	StatusCode int
	Msg        string
	// Detail is for the server's log only (addresses, resolver and dial errors).
	Detail string
}

func (e *Error) Error() string { return e.Msg }

// AsError finds a fetch error in an error chain (or wraps an unknown one as Network,
// recognising time-outs).
func AsError(err error) *Error {
	var fe *Error
	if errors.As(err, &fe) {
		return fe
	}
	// A time-out and a refused connection read the same: telling them apart is a port scan.
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, context.DeadlineExceeded) {
		return &Error{Kind: Timeout, Msg: msgCouldNotFetch, Detail: "time-out: " + rootCause(err)}
	}
	return &Error{Kind: Network, Msg: msgCouldNotFetch, Detail: rootCause(err)}
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
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MaxBody == 0 {
		cfg.MaxBody = 1 << 20
	}
	if cfg.MaxRedirects == 0 {
		cfg.MaxRedirects = 3
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Resolve == nil {
		cfg.Resolve = func(ctx context.Context, host string) ([]netip.Addr, error) {
			return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
		}
	}
	g := &guard{cfg: cfg, dialer: &net.Dialer{Timeout: cfg.Timeout}}
	for _, h := range cfg.AllowHosts {
		if e, err := AllowHostEntry(h); err == nil {
			g.hosts = append(g.hosts, e)
		} else {
			cfg.Log.Warn("fetch: ignoring an allowed host", "entry", h, "err", err)
		}
	}
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

// AllowedHost is one FETCH_ALLOW_HOSTS entry: a host name, and the one port it may be
// reached on ("" for the URL scheme's default port).
type AllowedHost struct {
	Host string
	Port string
}

// AllowHostEntry parses "host" or "host:port" ("[v6]:port" for an IPv6 literal). A bare
// host may be reached only on the default port of the URL's scheme (80 for http://,
// 443 for https://), so allowing a host does not open its every port; another port must
// be named.
func AllowHostEntry(s string) (AllowedHost, error) {
	s = strings.TrimSpace(s)
	host, port, err := net.SplitHostPort(s)
	if err != nil { // no port (or a bare IPv6 literal)
		host, port = strings.TrimSuffix(strings.TrimPrefix(s, "["), "]"), ""
	} else if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return AllowedHost{}, fmt.Errorf("fetch: allowed host %q: bad port", s)
	}
	host = normalHost(host)
	if _, err := netip.ParseAddr(host); host == "" || strings.ContainsAny(host, "/?#@ ") || strings.Contains(host, ":") && err != nil {
		return AllowedHost{}, fmt.Errorf("fetch: allowed host %q: not a host name", s)
	}
	return AllowedHost{Host: host, Port: port}, nil
}

// normalHost compares names without case or a final dot, and IP literals canonically.
func normalHost(h string) string {
	if ip, err := netip.ParseAddr(h); err == nil {
		return ip.String()
	}
	return strings.ToLower(strings.TrimSuffix(h, "."))
}

var defaultPorts = map[string]string{"http": "80", "https": "443"}

// allows reports whether the entries let host be reached on port for a URL of scheme.
func allows(entries []AllowedHost, scheme, host, port string) bool {
	host = normalHost(host)
	for _, e := range entries {
		if e.Host != host {
			continue
		}
		if e.Port == port || e.Port == "" && defaultPorts[scheme] == port {
			return true
		}
	}
	return false
}

type guard struct {
	cfg    Config
	hosts  []AllowedHost
	dialer *net.Dialer
}

// schemeKey carries the request URL's scheme to the dialer, which sees only host:port.
type schemeKey struct{}

// dial resolves the host, checks every address, and connects to the first allowed one.
// Failures say only "not allowed" or "could not fetch"; the detail is for the log.
func (g *guard) dial(ctx context.Context, network, address string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return nil, &Error{Kind: BadURL, Msg: "not an http(s) URL", Detail: err.Error()}
	}
	var addrs []netip.Addr
	if ip, err := netip.ParseAddr(host); err == nil {
		addrs = []netip.Addr{ip}
	} else if addrs, err = g.cfg.Resolve(ctx, host); err != nil {
		return nil, &Error{Kind: Network, Msg: msgCouldNotFetch, Detail: "resolve " + host + ": " + err.Error()}
	}
	scheme, _ := ctx.Value(schemeKey{}).(string)
	hostAllowed := allows(g.hosts, scheme, host, port)
	last := &Error{Kind: Network, Msg: msgCouldNotFetch}
	var details []string // every address tried, for the log
	for _, ip := range addrs {
		if !hostAllowed && !g.allowedNet(ip) {
			if reason := forbidden(ip); reason != "" {
				last = &Error{Kind: Blocked, Msg: msgNotAllowed}
				details = append(details, fmt.Sprintf("%s refused (%s)", ip, reason))
				continue
			}
		}
		conn, err := g.dialer.DialContext(ctx, network, net.JoinHostPort(ip.Unmap().String(), port))
		if err == nil {
			return conn, nil
		}
		last = AsError(err)
		details = append(details, fmt.Sprintf("%s port %s: %s", ip, port, last.Detail))
	}
	if len(details) == 0 {
		details = append(details, "no address")
	}
	last.Detail = host + ": " + strings.Join(details, "; ")
	return nil, last
}

// allowedNet: the operator allowed the address's network. An allowed translation
// prefix (NAT64) still needs its embedded IPv4 address allowed.
func (g *guard) allowedNet(ip netip.Addr) bool {
	ip = ip.Unmap()
	for _, p := range g.cfg.AllowNets {
		if p.Contains(ip) {
			if v4, _, ok := embeddedIPv4(ip); ok && forbidden(v4) != "" && !g.allowedNet(v4) {
				return false
			}
			return true
		}
	}
	return false
}

// specialNets are the special-purpose ranges netip's helpers do not name: the IANA
// IPv4 and IPv6 Special-Purpose Address Registries (all of them, globally reachable or
// not: a card host has no business on an anycast or documentation address), plus the
// deprecated IPv6 forms (IPv4-compatible, site-local). Anything in IPv6 outside
// 2000::/3 is refused as well (IANA reserved). Most specific first: the first match
// names the reason in the log.
var specialNets = []struct {
	prefix netip.Prefix
	reason string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), "this network"},
	{netip.MustParsePrefix("100.64.0.0/10"), "shared (carrier-grade NAT)"},
	{netip.MustParsePrefix("192.0.0.0/24"), "IETF protocol assignments"},
	{netip.MustParsePrefix("192.0.2.0/24"), "documentation"},
	{netip.MustParsePrefix("192.31.196.0/24"), "AS112"},
	{netip.MustParsePrefix("192.52.193.0/24"), "AMT"},
	{netip.MustParsePrefix("192.88.99.0/24"), "6to4 relay anycast"},
	{netip.MustParsePrefix("192.175.48.0/24"), "AS112 direct delegation"},
	{netip.MustParsePrefix("198.18.0.0/15"), "benchmarking"},
	{netip.MustParsePrefix("198.51.100.0/24"), "documentation"},
	{netip.MustParsePrefix("203.0.113.0/24"), "documentation"},
	{netip.MustParsePrefix("240.0.0.0/4"), "reserved"}, // 255.255.255.255 included

	{netip.MustParsePrefix("::/96"), "IPv4-compatible (deprecated)"},
	{netip.MustParsePrefix("::ffff:0:0:0/96"), "IPv4-translated"},
	{netip.MustParsePrefix("64:ff9b::/96"), "NAT64"},
	{netip.MustParsePrefix("64:ff9b:1::/48"), "local-use NAT64"},
	{netip.MustParsePrefix("100::/64"), "discard-only"},
	{netip.MustParsePrefix("100:0:0:1::/64"), "dummy prefix"},
	{netip.MustParsePrefix("2001::/32"), "Teredo"},
	{netip.MustParsePrefix("2001:2::/48"), "benchmarking"},
	{netip.MustParsePrefix("2001::/23"), "IETF protocol assignments"},
	{netip.MustParsePrefix("2001:db8::/32"), "documentation"},
	{netip.MustParsePrefix("2002::/16"), "6to4"},
	{netip.MustParsePrefix("2620:4f:8000::/48"), "AS112"},
	{netip.MustParsePrefix("3fff::/20"), "documentation"},
	{netip.MustParsePrefix("5f00::/16"), "SRv6 SIDs"},
	{netip.MustParsePrefix("fec0::/10"), "site-local (deprecated)"},
}

var globalUnicast6 = netip.MustParsePrefix("2000::/3")

// forbidden names why an address may not be reached ("" when it may). An IPv4-mapped
// address is its IPv4 address (a dual-stack socket reaches exactly that); the other
// translation prefixes are refused whatever they carry, and the embedded IPv4 address,
// when it is refused too, is named in the reason ("6to4 of loopback").
func forbidden(ip netip.Addr) string {
	if ip.Is4In6() {
		return forbidden(ip.Unmap())
	}
	if v4, name, ok := embeddedIPv4(ip); ok {
		if r := forbidden(v4); r != "" {
			return name + " of " + r + " " + v4.String()
		}
	}
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
	if ip.Is6() && !globalUnicast6.Contains(ip) {
		return "reserved"
	}
	return ""
}

var (
	ipv4Compatible = netip.MustParsePrefix("::/96")
	ipv4Translated = netip.MustParsePrefix("::ffff:0:0:0/96")
	nat64          = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour      = netip.MustParsePrefix("2002::/16")
	teredo         = netip.MustParsePrefix("2001::/32")
)

// embeddedIPv4 is the IPv4 address an IPv6 translation or tunnel prefix carries: the
// last 32 bits (IPv4-compatible, IPv4-translated, NAT64 RFC 6052 /96), bits 16–47
// (6to4), or the client's obfuscated address in the last 32 bits (Teredo). ::/128 and
// ::1 are not IPv4-compatible addresses.
func embeddedIPv4(ip netip.Addr) (netip.Addr, string, bool) {
	if !ip.Is6() || ip.Is4In6() {
		return netip.Addr{}, "", false
	}
	b := ip.As16()
	last := netip.AddrFrom4([4]byte(b[12:16]))
	switch {
	case nat64.Contains(ip):
		return last, "NAT64", true
	case ipv4Translated.Contains(ip):
		return last, "IPv4-translated", true
	case ipv4Compatible.Contains(ip) && !ip.IsUnspecified() && !ip.IsLoopback():
		return last, "IPv4-compatible", true
	case sixToFour.Contains(ip):
		return netip.AddrFrom4([4]byte(b[2:6])), "6to4", true
	case teredo.Contains(ip):
		return netip.AddrFrom4([4]byte{^b[12], ^b[13], ^b[14], ^b[15]}), "Teredo", true
	}
	return netip.Addr{}, "", false
}

// capped refuses non-200 JSON-less answers early and stops reading bodies at the cap.
type capped struct {
	next http.RoundTripper
	max  int64
}

func (c *capped) RoundTrip(req *http.Request) (*http.Response, error) {
	// The dialer checks allowed hosts against the scheme's default port.
	req = req.WithContext(context.WithValue(req.Context(), schemeKey{}, req.URL.Scheme))
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
