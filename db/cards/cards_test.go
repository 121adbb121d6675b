package cards

import (
	"strconv"
	"strings"
	"testing"
)

const v10 = `{"name":"Support","description":"d","version":"1","capabilities":{"streaming":true},"defaultInputModes":["text/plain"],
	"defaultOutputModes":["text/plain"],"supportedInterfaces":[{"url":"https://a.example/a2a","protocolBinding":"JSONRPC","protocolVersion":"1.0"}],
	"skills":[{"id":"tickets","name":"Tickets","description":"Manage tickets","tags":["support"]},{"id":"chat","name":"Chat","description":"Live chat","tags":["chat"]}]}`

const v03 = `{"name":"Support","description":"d","version":"1","protocolVersion":"0.3.0","url":"https://a.example/a2a","preferredTransport":"JSONRPC",
	"capabilities":{},"defaultInputModes":["text/plain"],"defaultOutputModes":["text/plain"],
	"skills":[{"id":"tickets","name":"Tickets","description":"Manage tickets, now faster","tags":["support"]},{"id":"email","name":"Email","description":"Email","tags":[]}]}`

func TestParseBothShapesAndCompare(t *testing.T) {
	a, err := Parse([]byte(v10))
	if err != nil || SpecVersion([]byte(v10)) != "1.0" || len(a.SupportedInterfaces) != 1 {
		t.Fatalf("v1.0: %v", err)
	}
	b, err := Parse([]byte(v03))
	if err != nil || SpecVersion([]byte(v03)) != "0.3.0" || len(b.SupportedInterfaces) != 1 || b.SupportedInterfaces[0].URL != "https://a.example/a2a" {
		t.Fatalf("v0.3: %+v %v", b, err)
	}
	r := Compare(a, b)
	if strings.Join(r.SkillsAdded, ",") != "email" || strings.Join(r.SkillsRemoved, ",") != "chat" || strings.Join(r.SkillsChanged, ",") != "tickets" {
		t.Fatalf("report: %+v", r)
	}
	if r := Compare(nil, a); strings.Join(r.SkillsAdded, ",") != "chat,tickets" {
		t.Fatalf("first fetch: %+v", r)
	}
}

func TestParseRefusesWhatIsNotACard(t *testing.T) {
	for body, want := range map[string]string{
		`not json`:                             "malformed JSON",
		`[]`:                                   "malformed JSON",
		`{"skills":[]}`:                        "no name",
		`{"name":"x"}`:                         "no skills",
		`{"name":"x","skills":[{"name":"a"}]}`: "has no id",
		`{"name":"x","skills":[{"id":"a"},{"id":"a"}]}`: "appears twice",
	} {
		if _, err := Parse([]byte(body)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", body, err, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add(v10)
	f.Add(v03)
	f.Fuzz(func(t *testing.T, s string) {
		if c, err := Parse([]byte(s)); err == nil {
			Compare(c, c)
			SkillDiffs(Normalize(c), Normalize(c))
		}
	})
}

// BenchmarkCompareCards is the change report of a 50-skill card refresh.
func BenchmarkCompareCards(b *testing.B) {
	mk := func(variant string) []byte {
		s := `{"name":"Big","description":"d","version":"1","supportedInterfaces":[{"url":"https://a.example","protocolBinding":"JSONRPC","protocolVersion":"1.0"}],"skills":[`
		for i := 0; i < 50; i++ {
			if i > 0 {
				s += ","
			}
			s += `{"id":"s` + strconv.Itoa(i) + `","name":"Skill","description":"` + variant + `","tags":["a","b"],"examples":["x"]}`
		}
		return []byte(s + `]}`)
	}
	a, _ := Parse(mk("one"))
	c, _ := Parse(mk("two"))
	na, nc := Normalize(a), Normalize(c)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		Compare(a, c)
		SkillDiffs(na, nc)
	}
}
