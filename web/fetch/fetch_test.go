package fetch

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"
)

func TestRefusesInternalAddressesByDefault(t *testing.T) {
	c := NewClient(Config{Timeout: 2 * time.Second})
	for _, u := range []string{"http://127.0.0.1:1/x", "http://10.1.2.3/x", "http://169.254.169.254/latest/meta-data/", "http://[::1]:1/x",
		"http://0.0.0.0:1/", "http://[fe80::1]/", "http://192.168.1.1/", "http://100.64.0.1/"} {
		_, err := c.Get(u)
		var fe *Error
		if !errors.As(err, &fe) || fe.Kind != Blocked {
			t.Errorf("%s: %v", u, err)
		}
	}
}

func TestRedirectToAnInternalAddressIsRefused(t *testing.T) {
	internal := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"secret":1}`)) }))
	defer internal.Close()
	public := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, internal.URL+"/meta", http.StatusFound)
	}))
	defer public.Close()
	port := public.Listener.Addr().(interface{ String() string }).String()
	port = port[strings.LastIndex(port, ":"):]
	// "public.example" resolves to the test server and is allowed by name, as an
	// operator might allow a host; the redirect target is a bare loopback address.
	c := NewClient(Config{AllowHosts: []string{"public.example" + port}, Resolve: func(ctx context.Context, host string) ([]netip.Addr, error) {
		return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
	}})
	_, err := c.Get("http://public.example" + port + "/card")
	var fe *Error
	if !errors.As(err, &fe) || fe.Kind != Blocked {
		t.Fatalf("redirect to loopback: %v", err)
	}
}

func TestCapsTimeoutsAndContentType(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/big":
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`"`))
			chunk := []byte(strings.Repeat("a", 64<<10))
			for i := 0; i < 160; i++ { // 10 MiB, no Content-Length
				w.Write(chunk)
			}
		case "/slow": // answers only long after the client must have given up
			select {
			case <-r.Context().Done():
			case <-time.After(60 * time.Second):
			}
		case "/html":
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte("<html>"))
		case "/loop":
			http.Redirect(w, r, "/loop", http.StatusFound)
		}
	}))
	defer srv.Close()
	// The time-out is shown by the kind of error, not by a duration: a loaded machine may
	// take any time, so only /slow gets a short time-out, and the other cases (which must
	// fail for their own reason) get one they cannot reach.
	allow := []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	short := NewClient(Config{Timeout: 500 * time.Millisecond, AllowNets: allow})
	patient := NewClient(Config{Timeout: 30 * time.Second, AllowNets: allow})
	cases := map[string]Kind{"/big": TooLarge, "/slow": Timeout, "/html": NotJSON, "/loop": Blocked}
	for path, want := range cases {
		c := patient
		if want == Timeout {
			c = short
		}
		resp, err := c.Get(srv.URL + path)
		if err == nil {
			_, err = readAll(resp)
		}
		if got := AsError(err); err == nil || got.Kind != want {
			t.Errorf("%s: %v (kind %v), want %s", path, err, got, want)
		}
	}
}

func readAll(resp *http.Response) ([]byte, error) {
	defer resp.Body.Close()
	var buf strings.Builder
	b := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(b)
		buf.Write(b[:n])
		if err != nil {
			if err.Error() == "EOF" {
				return []byte(buf.String()), nil
			}
			return nil, err
		}
	}
}
