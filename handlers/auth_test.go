package handlers

import (
	"testing"
)

func TestSafeNextStaysOnSite(t *testing.T) {
	cases := map[string]string{
		"/agents?tag=1":               "/agents?tag=1",
		"/agents?q=foo%20bar&tag=1,2": "/agents?q=foo%20bar&tag=1,2",
		"/agents/42/card#skills":      "/agents/42/card#skills",
		"/":                           "/",
		"":                            "",
		"https://evil.test/":          "",
		"//evil.test/":                "",
		"/\\evil.test":                "",
		"javascript:alert(1)":         "",
		"evil.test":                   "",
		"\t/evil.test":                "",
		" /agents":                    "",
		"/\t/evil.example":            "", // next=/%09/evil.example, decoded by the query parser
		"/\n/evil.example":            "",
		"/\r\n/evil.example":          "",
		"/%09/evil.example":           "", // decoded once more by someone
		"/%2F/evil.example":           "",
		"/%2f%2fevil.example":         "",
		"/%5Cevil.example":            "",
		"/%5cevil.example":            "",
		"/%0a/evil.example":           "",
		"/%zz":                        "",
		"/\\/evil.example":            "",
		"/x\\y":                       "",
		"/\x00/evil.example":          "",
		"/\x7f/evil.example":          "",
		"/\u00a0/evil.example":        "",
		"/\u2028/evil.example":        "",
		"/\u3000/evil.example":        "",
		"/\u200b/evil.example":        "",
		"/\ufeff/evil.example":        "",
		"/agents?next=//evil.example": "/agents?next=//evil.example", // a query is not a host
		"/agents?back=\t":             "",
		"https:/\t/evil.example":      "",
		"/ /evil.example":             "",
		"///evil.example":             "",
		"/.//evil.example":            "/.//evil.example", // path-relative: stays on this origin
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
