package handlers

import "testing"

func TestSafeNextStaysOnSite(t *testing.T) {
	cases := map[string]string{
		"/agents?tag=1":       "/agents?tag=1",
		"":                    "",
		"https://evil.test/":  "",
		"//evil.test/":        "",
		"/\\evil.test":        "",
		"javascript:alert(1)": "",
	}
	for in, want := range cases {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}
