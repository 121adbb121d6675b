package db_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"agentconsole/db"
	"agentconsole/db/dbtest"
)

// TestCachesFollowChangeCounters: two stores on one database stand for two instances.
// What one caches (tags, models, catalog) answers from memory while nothing changed (no
// statement), and a change written through the other — or straight in SQL — shows on
// the first's next request, whose session read carries the new counters.
func TestCachesFollowChangeCounters(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := dbtest.NewDatabase(t)
	open := func() *db.Store {
		s, err := db.OpenWith(ctx, dsn, db.Options{MaxConns: 4, Statements: dbtest.Statements(t)})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	one, other := open(), open()
	if _, err := one.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	admin, err := one.ActorByEmail(ctx, "admin@demo.test")
	if err != nil {
		t.Fatal(err)
	}
	sid, err := one.CreateSession(ctx, admin, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	actor := func() *db.Actor {
		a, err := one.ActorBySession(ctx, sid)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	counter := &dbtest.QueryCounter{}
	one.AddQueryHook(counter)
	read := func(a *db.Actor) (tags []string, models []string, desc string) {
		ts, err := one.TagsSeen(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		ms, err := one.ModelsSeen(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		cat, err := one.EditorCatalog(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		for _, tg := range ts {
			tags = append(tags, tg.Name)
		}
		for _, m := range ms {
			models = append(models, m.ID)
		}
		for _, c := range cat {
			if c.Name == "web_search" {
				desc = c.Description
			}
		}
		return tags, models, desc
	}

	a := actor()
	if a.Seen.Tags == 0 || a.Seen.Catalog == 0 || a.Seen.Models == 0 {
		t.Fatalf("the session read carries no change counters: %+v", a.Seen)
	}
	tags, models, _ := read(a)
	before := counter.Count()
	read(a)
	if n := counter.Count() - before; n != 0 {
		t.Fatalf("nothing changed, yet the caches sent %d statements", n)
	}

	// The other instance changes each one.
	if _, err := other.SaveTag(ctx, admin, 0, db.TagInput{Name: db.Some("cache probe")}); err != nil {
		t.Fatal(err)
	}
	op, err := other.ActorByEmail(ctx, "operator@demo.test")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.AddModel(ctx, op, "probe:cache-model", "Cache probe model"); err != nil {
		t.Fatal(err)
	}
	if _, err := other.DB.ExecContext(ctx, "UPDATE catalog_tools SET description = 'changed elsewhere' WHERE name = 'web_search'"); err != nil {
		t.Fatal(err)
	}
	a2 := actor()
	if a2.Seen.Tags <= a.Seen.Tags || a2.Seen.Models <= a.Seen.Models || a2.Seen.Catalog <= a.Seen.Catalog {
		t.Fatalf("counters did not move: %+v then %+v", a.Seen, a2.Seen)
	}
	tags2, models2, desc2 := read(a2)
	if !slices.Contains(tags2, "cache probe") || len(tags2) != len(tags)+1 {
		t.Errorf("tags after the other instance added one: %v", tags2)
	}
	if !slices.Contains(models2, "probe:cache-model") || len(models2) != len(models)+1 {
		t.Errorf("models after the other instance added one: %v", models2)
	}
	if desc2 != "changed elsewhere" {
		t.Errorf("catalog after a change elsewhere: web_search reads %q", desc2)
	}

	// A deleted tag goes too.
	var id int64
	if err := other.DB.NewRaw("SELECT id FROM tags WHERE org_id = ? AND name = 'cache probe'", admin.OrgID).Scan(ctx, &id); err != nil {
		t.Fatal(err)
	}
	if _, err := other.DeleteTag(ctx, admin, id); err != nil {
		t.Fatal(err)
	}
	if tags3, _, _ := read(actor()); slices.Contains(tags3, "cache probe") {
		t.Errorf("a deleted tag still listed: %v", tags3)
	}
	// Without counters (an API token's actor) every read is fresh.
	before = counter.Count()
	read(&db.Actor{OrgID: admin.OrgID})
	if n := counter.Count() - before; n != 3 {
		t.Errorf("an actor without counters read %d statements, want 3", n)
	}
}
