package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// browserPage is one console page timed in Chromium.
type browserPage struct {
	name, path string
	loads      []float64 // ms from navigation start to the end of the load event, per load
}

// browserLoads is scenario 8: what a person feels. Headless Chromium (CHROMIUM, default
// /usr/bin/chromium), signed in with the bench's session cookie, loads each page
// `loads` times after one warm-up load (static assets cached, as for anyone who has
// used the console once) and reads the Navigation Timing entry: the time from the
// navigation's start to the end of its load event, which includes the server's
// answer, parsing, CSS, htmx and the page's scripts.
func browserLoads(ctx context.Context, base, cookieHeader string, pages []browserPage, loads int, phase func(string)) ([]browserPage, error) {
	path := env("CHROMIUM", "/usr/bin/chromium")
	dir, err := os.MkdirTemp("", "acbench-chromium")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.DisableGPU, chromedp.NoSandbox,
		chromedp.UserDataDir(dir), chromedp.Flag("disable-component-update", true), chromedp.WindowSize(1366, 900))
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	bctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	bctx, cancelTimeout := context.WithTimeout(bctx, 5*time.Minute) // a guard against a hang, not a target
	defer cancelTimeout()
	for _, kv := range strings.Split(cookieHeader, "; ") {
		name, value, _ := strings.Cut(kv, "=")
		if _, err := chromedp.Call(bctx, network.SetCookie, network.SetCookieParams{Name: name, Value: value, URL: base}); err != nil {
			return nil, fmt.Errorf("chromium (%s): %w", path, err)
		}
	}
	for i := range pages {
		p := &pages[i]
		phase("8. " + p.name)
		for n := 0; n <= loads; n++ {
			if err := chromedp.Do(bctx, chromedp.Navigate(base+p.path)); err != nil {
				return nil, fmt.Errorf("%s: %w", p.name, err)
			}
			// Navigate returns once the load event fired; its end is set just after.
			var t navTiming
			for tries := 0; tries < 100; tries++ {
				var err error
				t, err = chromedp.Run(bctx, chromedp.Evaluate[navTiming](`(() => { const e = performance.getEntriesByType('navigation')[0]; return {ms: e.loadEventEnd > 0 ? e.loadEventEnd - e.startTime : -1, status: e.responseStatus || 0, url: location.pathname} })()`))
				if err != nil {
					return nil, fmt.Errorf("%s: %w", p.name, err)
				}
				if t.MS >= 0 {
					break
				}
				time.Sleep(10 * time.Millisecond)
			}
			if (t.Status != 0 && t.Status != 200) || t.URL == "/login" {
				return nil, fmt.Errorf("%s: status %d at %s", p.name, t.Status, t.URL)
			}
			ms := t.MS
			if n > 0 { // the first load warms the cache
				p.loads = append(p.loads, ms)
			}
		}
	}
	return pages, nil
}

// navTiming is what the page's Navigation Timing entry says about its load.
type navTiming struct {
	MS     float64 `json:"ms"` // navigation start to the end of the load event; -1 until it ended
	Status int     `json:"status"`
	URL    string  `json:"url"`
}

func reportBrowser(pages []browserPage) {
	fmt.Printf("\n8. time to the load event in headless Chromium (median of %d loads per page after one warm-up; target ≤ 150 ms each)\n", len(pages[0].loads))
	for _, p := range pages {
		fmt.Printf("   %-44s %7.1f ms  (spread %s ms)\n", p.name, median(p.loads), spread(p.loads, "%.0f"))
	}
}
