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

func TestContextDocsLinesRoundTrip(t *testing.T) {
	text := "googleDocs | doc-1 | Runbook | text/plain\nnotion | page-9"
	docs := parseContextDocs(text + "\n\n")
	if len(docs) != 2 || docs[0].Name != "Runbook" || docs[1].Provider != "notion" || docs[1].ID != "page-9" || docs[1].Name != "" {
		t.Fatalf("parse: %+v", docs)
	}
	if got := formatContextDocs(docs); got != text {
		t.Fatalf("format: %q", got)
	}
}
