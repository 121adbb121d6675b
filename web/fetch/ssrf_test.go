package fetch

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestSpecialPurposeAddressesAreRefused(t *testing.T) {
	for _, c := range []struct {
		addr    string
		refused bool
	}{
		{"8.8.8.8", false},
		{"1.1.1.1", false},
		{"2606:4700:4700::1111", false},
		{"::ffff:8.8.8.8", false}, // IPv4-mapped: the IPv4 address itself
		{"::ffff:127.0.0.1", true},
		{"::ffff:10.0.0.1", true},
		{"::ffff:169.254.169.254", true},
		{"::127.0.0.1", true}, // IPv4-compatible (deprecated)
		{"::7f00:1", true},
		{"::a00:1", true},
		{"::8.8.8.8", true},
		{"::ffff:0:7f00:1", true}, // IPv4-translated
		{"64:ff9b::7f00:1", true}, // NAT64 of loopback
		{"64:ff9b::a9fe:a9fe", true},
		{"64:ff9b::808:808", true}, // NAT64 of a public address: special-purpose still
		{"64:ff9b:1::1", true},
		{"2002:7f00:1::1", true}, // 6to4 of loopback
		{"2002:a00:1::", true},
		{"2002:808:808::1", true},
		{"2001:0:4136:e378:8000:63bf:80ff:fffe", true}, // Teredo, client 127.0.0.1
		{"2001:0:4136:e378:8000:63bf:f7f7:f7f7", true}, // Teredo, client 8.8.8.8
		{"2001:2::1", true},
		{"2001:db8::1", true},
		{"2001:20::1", true},
		{"2620:4f:8000::1", true},
		{"3fff::1", true},
		{"5f00::1", true},
		{"100::1", true},
		{"fc00::1", true},
		{"fd12:3456::1", true},
		{"fe80::1", true},
		{"fec0::1", true},
		{"ff02::1", true},
		{"::", true},
		{"::1", true},
		{"4000::1", true}, // outside 2000::/3: IANA reserved
		{"0.0.0.0", true},
		{"0.1.2.3", true},
		{"10.1.2.3", true},
		{"100.64.0.1", true},
		{"127.0.0.1", true},
		{"169.254.169.254", true},
		{"172.16.0.1", true},
		{"192.0.0.9", true},
		{"192.0.2.1", true},
		{"192.31.196.1", true},
		{"192.52.193.1", true},
		{"192.88.99.1", true},
		{"192.168.1.1", true},
		{"192.175.48.1", true},
		{"198.18.0.1", true},
		{"198.51.100.1", true},
		{"203.0.113.1", true},
		{"224.0.0.1", true},
		{"240.0.0.1", true},
		{"255.255.255.255", true},
	} {
		reason := forbidden(netip.MustParseAddr(c.addr))
		if (reason != "") != c.refused {
			t.Errorf("%s: reason %q, want refused %v", c.addr, reason, c.refused)
		}
	}
	// The embedded address is named in the log's reason.
	if r := forbidden(netip.MustParseAddr("2002:7f00:1::1")); !strings.Contains(r, "loopback 127.0.0.1") {
		t.Errorf("6to4 of loopback: %q", r)
	}
	if r := forbidden(netip.MustParseAddr("2001:0:4136:e378:8000:63bf:80ff:fffe")); !strings.Contains(r, "127.0.0.1") {
		t.Errorf("Teredo of loopback: %q", r)
	}
}

func TestAllowedNetsStillCheckTheEmbeddedIPv4(t *testing.T) {
	// An IPv6-only deployment behind DNS64 allows the NAT64 prefix: public IPv4 hosts
	// then work, internal ones stay refused.
	g := &guard{cfg: Config{AllowNets: []netip.Prefix{netip.MustParsePrefix("64:ff9b::/96")}}}
	for addr, want := range map[string]bool{"64:ff9b::808:808": true, "64:ff9b::7f00:1": false, "64:ff9b::a00:5": false} {
		if got := g.allowedNet(netip.MustParseAddr(addr)); got != want {
			t.Errorf("%s allowed %v, want %v", addr, got, want)
		}
	}
}

func TestAllowedHostEntries(t *testing.T) {
	entries := []AllowedHost{}
	for _, s := range []string{"Cards.Internal", "api.internal:8443", "[fd00::5]:9000", "10.0.0.7"} {
		e, err := AllowHostEntry(s)
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		entries = append(entries, e)
	}
	for _, bad := range []string{"", "host:0", "host:99999", "host:http", "http://host", "a b", "user@host"} {
		if _, err := AllowHostEntry(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	for _, c := range []struct {
		scheme, host, port string
		want               bool
	}{
		{"https", "cards.internal", "443", true},
		{"http", "cards.internal", "80", true},
		{"https", "CARDS.internal.", "443", true},
		{"http", "cards.internal", "443", false}, // a bare host: only its scheme's default port
		{"https", "cards.internal", "80", false},
		{"https", "cards.internal", "8443", false},
		{"http", "cards.internal", "22", false},
		{"", "cards.internal", "443", false},
		{"https", "api.internal", "8443", true}, // host:port: that port, any scheme
		{"http", "api.internal", "8443", true},
		{"https", "api.internal", "443", false},
		{"http", "fd00::5", "9000", true},
		{"http", "fd00::5", "80", false},
		{"http", "FD00:0::5", "9000", true},
		{"http", "10.0.0.7", "80", true},
		{"http", "10.0.0.7", "6379", false},
		{"https", "other.internal", "443", false},
	} {
		if got := allows(entries, c.scheme, c.host, c.port); got != c.want {
			t.Errorf("%s://%s:%s allowed %v, want %v", c.scheme, c.host, c.port, got, c.want)
		}
	}
}

// TestAllowedHostIsReachableOnlyOnItsPort: real HTTP on loopback. "cards.internal"
// resolves to the test server; a bare entry does not open the server's random port, a
// host:port entry opens that port and no other.
func TestAllowedHostIsReachableOnlyOnItsPort(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"other":true}`))
	}))
	defer other.Close()
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	otherPort := other.Listener.Addr().(*net.TCPAddr).Port
	resolve := func(ctx context.Context, host string) ([]netip.Addr, error) {
		return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
	}
	url := func(p int) string { return "http://cards.internal:" + itoa(p) + "/card.json" }
	for _, c := range []struct {
		allow []string
		url   string
		ok    bool
	}{
		{[]string{"cards.internal"}, url(port), false},
		{[]string{"cards.internal:" + itoa(port)}, url(port), true},
		{[]string{"cards.internal:" + itoa(port)}, url(otherPort), false},
		{[]string{"cards.internal:" + itoa(otherPort)}, url(otherPort), true},
		{[]string{"other.internal:" + itoa(port)}, url(port), false},
	} {
		client := NewClient(Config{Timeout: 30 * time.Second, AllowHosts: c.allow, Resolve: resolve})
		resp, err := client.Get(c.url)
		if err == nil {
			resp.Body.Close()
		}
		var fe *Error
		switch {
		case c.ok && err != nil:
			t.Errorf("allow %v, %s: %v", c.allow, c.url, err)
		case !c.ok && (!errors.As(err, &fe) || fe.Kind != Blocked):
			t.Errorf("allow %v, %s: want refused, got %v", c.allow, c.url, err)
		}
	}
	// A bare host on the scheme's default port: the dialer learns the scheme from the
	// request (the test server's port stands in for 80, which a test cannot bind).
	saved := defaultPorts["http"]
	defaultPorts["http"] = itoa(port)
	bare := NewClient(Config{Timeout: 30 * time.Second, AllowHosts: []string{"cards.internal"}, Resolve: resolve})
	if resp, err := bare.Get(url(port)); err != nil {
		t.Errorf("bare host on the default port: %v", err)
	} else {
		resp.Body.Close()
	}
	if _, err := bare.Get(url(otherPort)); err == nil {
		t.Errorf("bare host on another port was allowed")
	}
	defaultPorts["http"] = saved

	// A redirect from the allowed port to another port of the same host is refused.
	hop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, url(otherPort), http.StatusFound)
	}))
	defer hop.Close()
	hopPort := hop.Listener.Addr().(*net.TCPAddr).Port
	client := NewClient(Config{Timeout: 30 * time.Second, AllowHosts: []string{"cards.internal:" + itoa(hopPort)}, Resolve: resolve})
	_, err := client.Get(url(hopPort))
	if fe := (*Error)(nil); !errors.As(err, &fe) || fe.Kind != Blocked {
		t.Errorf("redirect to another port: %v", err)
	}
}

// TestFailuresSayNothingAboutTheNetwork: what a refused address, a closed port, an
// unknown name or a silent host say is "not allowed" or "could not fetch", with no
// address, port state or resolver output; the detail is in the log.
func TestFailuresSayNothingAboutTheNetwork(t *testing.T) {
	closed, _ := net.Listen("tcp", "127.0.0.1:0")
	closedAddr := closed.Addr().String()
	closed.Close() // nothing listens there now: connection refused
	silent, _ := net.Listen("tcp", "127.0.0.1:0")
	defer silent.Close() // accepts (backlog) and never answers
	var logs syncBuffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	resolve := func(ctx context.Context, host string) ([]netip.Addr, error) {
		switch host {
		case "metadata.internal":
			return []netip.Addr{netip.MustParseAddr("169.254.169.254")}, nil
		case "db.internal":
			return []netip.Addr{netip.MustParseAddr("10.20.30.40"), netip.MustParseAddr("fd00::40")}, nil
		}
		return nil, &net.DNSError{Err: "no such host", Name: host, Server: "10.0.0.53:53", IsNotFound: true}
	}
	f := NewCardFetcher(Config{Timeout: 2 * time.Second, Log: log, Resolve: resolve,
		AllowNets: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})
	for _, c := range []struct {
		url, msg string
		kind     Kind
	}{
		{"http://metadata.internal/latest/meta-data/", "not allowed", Blocked},
		{"http://db.internal:5432/card.json", "not allowed", Blocked},
		{"http://[::ffff:10.0.0.1]/card.json", "not allowed", Blocked},
		{"http://[64:ff9b::a00:1]/card.json", "not allowed", Blocked},
		{"http://nowhere.internal/card.json", "could not fetch", Network},
		{"http://" + closedAddr + "/card.json", "could not fetch", Network},
		{"http://" + silent.Addr().String() + "/card.json", "could not fetch", Timeout},
	} {
		_, err := f.FetchCard(context.Background(), c.url, "")
		var fe *Error
		if !errors.As(err, &fe) || fe.Kind != c.kind || fe.Error() != c.msg {
			t.Errorf("%s: %v (%+v), want %s %q", c.url, err, fe, c.kind, c.msg)
			continue
		}
		if !strings.Contains(logs.String(), c.url) {
			t.Errorf("%s: not logged", c.url)
		}
	}
	for _, detail := range []string{"169.254.169.254", "10.20.30.40", "no such host", "refused"} {
		if !strings.Contains(logs.String(), detail) {
			t.Errorf("the log lacks %q: %s", detail, logs.String())
		}
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func itoa(n int) string { return strconv.Itoa(n) }
