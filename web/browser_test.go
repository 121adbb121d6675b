package web_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// browser starts headless Debian Chromium for one test (a fresh profile each time).
func browser(t *testing.T) context.Context {
	t.Helper()
	return browserWithin(t, 3*time.Minute)
}

// browserWithin is browser for a test that needs the browser longer than a minute.
func browserWithin(t *testing.T, limit time.Duration) context.Context {
	t.Helper()
	path := os.Getenv("CHROMIUM")
	if path == "" {
		path = "/usr/bin/chromium"
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.DisableGPU,
		chromedp.NoSandbox,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-quic", true),
		chromedp.WindowSize(1280, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, limit) // whole test; a guard against hanging, not a speed target
	t.Cleanup(func() { cancelTimeout(); cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// settled waits until htmx has no request, swap or settle in flight.
func settled() chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Poll[bool](`document.readyState === "complete" && !document.querySelector(".htmx-request, .htmx-swapping, .htmx-settling")`)(ctx, tg)
		return chromedp.Void{}, err
	}
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

func browserLogin(t *testing.T, ctx context.Context, base, email, password string) {
	t.Helper()
	err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`#email`)),
		chromedp.SendKeys(chromedp.CSS(`#email`), email),
		chromedp.SendKeys(chromedp.CSS(`#password`), password),
		chromedp.Click(chromedp.CSS(`[data-testid=login-form] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=current-role]`)),
		settled(),
	)
	if err != nil {
		t.Fatalf("login as %s: %v", email, err)
	}
}

func TestBrowserRolesAndLogout(t *testing.T) {
	e := start(t)
	ctx := browser(t)
	cases := []struct {
		email, password, role string
		admin                 bool
	}{
		{"admin@demo.test", "demo-admin-pass", "admin", true},
		{"builder@demo.test", "demo-builder-pass", "builder", false},
		{"reviewer@demo.test", "demo-reviewer-pass", "reviewer", false},
	}
	for _, tc := range cases {
		t.Run(tc.role, func(t *testing.T) {
			browserLogin(t, ctx, e.URL, tc.email, tc.password)
			if got := text(t, ctx, `[data-testid=current-role]`); got != tc.role {
				t.Fatalf("role shown: %q", got)
			}
			if err := chromedp.Do(ctx, chromedp.Navigate(e.URL+"/overview"), settled()); err != nil {
				t.Fatal(err)
			}
			nav := text(t, ctx, `[data-testid=main-nav]`)
			if strings.Contains(nav, "Admin") != tc.admin {
				t.Fatalf("Admin in nav for %s: %q", tc.role, nav)
			}
			perms := text(t, ctx, `[data-testid=permissions]`)
			if tc.role == "reviewer" && !strings.Contains(perms, "Read-only") {
				t.Fatalf("reviewer permissions: %q", perms)
			}
			if tc.role == "builder" && !strings.Contains(perms, "org:manage_agents:create") {
				t.Fatalf("builder permissions: %q", perms)
			}
			// The admin pages: shown to admins, refused to everyone else server-side.
			if err := chromedp.Do(ctx, chromedp.Navigate(e.URL+"/admin/users"), settled()); err != nil {
				t.Fatal(err)
			}
			if tc.admin {
				if !strings.Contains(text(t, ctx, `[data-testid=members]`), "reviewer@demo.test") {
					t.Fatal("admin does not see the members")
				}
			} else if got := text(t, ctx, `[data-testid=error-page]`); !strings.Contains(got, "403") {
				t.Fatalf("%s on /admin/users: %q", tc.role, got)
			}
			// Log out: back to the login page, and the console is closed again.
			var loc string
			err := chromedp.Do(ctx,
				chromedp.Navigate(e.URL+"/"),
				chromedp.Click(chromedp.CSS(`[data-testid=logout]`)),
				chromedp.WaitVisible(chromedp.CSS(`[data-testid=login-form]`)),
				chromedp.Navigate(e.URL+"/account"),
				chromedp.WaitVisible(chromedp.CSS(`[data-testid=login-form]`)),
				func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
					var err error
					loc, err = chromedp.Location()(ctx, tg)
					return chromedp.Void{}, err
				},
			)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(loc, "/login?next=%2Faccount") {
				t.Fatalf("after logout /account went to %s", loc)
			}
		})
	}
}

func TestBrowserAdminCreatesTokenShownOnce(t *testing.T) {
	e := start(t)
	ctx := browser(t)
	browserLogin(t, ctx, e.URL, "admin@demo.test", "demo-admin-pass")
	err := chromedp.Do(ctx,
		chromedp.Navigate(e.URL+"/admin/tokens"),
		chromedp.WaitVisible(chromedp.CSS(`#name`)),
		chromedp.SendKeys(chromedp.CSS(`#name`), "deploy bot"),
		chromedp.Submit(chromedp.CSS(`#name`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=token-secret]`)),
		settled(),
	)
	if err != nil {
		t.Fatal(err)
	}
	secret := text(t, ctx, `[data-testid=token-secret]`)
	if code, body := e.api("GET", "/api/me", secret, ""); code != 200 || !strings.Contains(body, "admin@demo.test") {
		t.Fatalf("token from the console does not work: %d %s", code, body)
	}
	// Shown once: reloading the page does not show it again.
	var html string
	if err := chromedp.Do(ctx, chromedp.Navigate(e.URL+"/admin/tokens"), settled(),
		func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
			var err error
			html, err = chromedp.OuterHTML(chromedp.CSS(`body`))(ctx, tg)
			return chromedp.Void{}, err
		}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(html, secret) || !strings.Contains(html, "deploy bot") {
		t.Fatal("token secret shown again, or token missing from the list")
	}
}
