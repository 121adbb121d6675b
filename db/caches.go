package db

import (
	"context"
	"sync"

	"agentconsole/db/catalog"
)

// Caches of what pages read on every view and rarely changes: the tool catalog and the
// model registry (platform-wide, changed only by an operator) and each organisation's
// tag list. Migration 033 keeps a change counter for each, bumped by triggers in the
// writing transaction; the session query reads them with the actor (Actor.Seen). A
// cache answers from memory when what it holds was read at or after the counter the
// request saw, so a change committed through any instance shows on the next request
// of every instance, and checking costs no round trip of its own.

// ChangeCounters are the change counters a request saw (zero: unknown, read fresh).
type ChangeCounters struct {
	Tags    int64 // the actor's organisation's tags
	Catalog int64 // catalog_tools
	Models  int64 // models
}

// maxCachedOrgs bounds the tag cache; past it the cache starts again (a tag list is
// one cheap query away).
const maxCachedOrgs = 10000

// counted is one cached value and the counter it is at least as new as.
type counted[T any] struct {
	at  int64
	val T
}

// counterCache holds values by key, each labelled with a counter.
type counterCache[K comparable, T any] struct {
	mu sync.Mutex
	m  map[K]counted[T]
}

// get answers the value for key when it is at least as new as seen (seen > 0), else
// loads it and keeps it under seen: loaded after the counter was read, it is at least
// that new.
func (c *counterCache[K, T]) get(key K, seen int64, load func() (T, error)) (T, error) {
	if seen > 0 {
		c.mu.Lock()
		e, ok := c.m[key]
		c.mu.Unlock()
		if ok && e.at >= seen {
			return e.val, nil
		}
	}
	v, err := load()
	if err != nil || seen <= 0 {
		return v, err
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxCachedOrgs {
		c.m = map[K]counted[T]{}
	}
	if e, ok := c.m[key]; !ok || e.at < seen {
		c.m[key] = counted[T]{at: seen, val: v}
	}
	c.mu.Unlock()
	return v, nil
}

// storeCaches are the Store's counter-checked caches.
type storeCaches struct {
	tags    counterCache[int64, []TagRef]
	catalog counterCache[struct{}, []EditorTool]
	models  counterCache[struct{}, []Model]
}

// EditorTool is a catalog tool as the agent editor shows it: the tool and its config
// schema's form fields (parsed once per catalog change, not per view).
type EditorTool struct {
	CatalogTool
	ConfigFields []catalog.ConfigField
}

// TagsSeen is the organisation's tags (as Tags), from the cache when it is as new as
// the actor's counter. The slice is shared: read it, never change it.
func (s *Store) TagsSeen(ctx context.Context, a *Actor) ([]TagRef, error) {
	return s.caches.tags.get(a.OrgID, a.Seen.Tags, func() ([]TagRef, error) { return s.Tags(ctx, a.OrgID) })
}

// ModelsSeen is the model registry (as Models), cached as TagsSeen is. Shared: read only.
func (s *Store) ModelsSeen(ctx context.Context, a *Actor) ([]Model, error) {
	return s.caches.models.get(struct{}{}, a.Seen.Models, func() ([]Model, error) { return s.Models(ctx) })
}

// EditorCatalog is the tool catalog with each tool's config form fields, cached as
// TagsSeen is. Shared: read only.
func (s *Store) EditorCatalog(ctx context.Context, a *Actor) ([]EditorTool, error) {
	return s.caches.catalog.get(struct{}{}, a.Seen.Catalog, func() ([]EditorTool, error) {
		tools, err := s.CatalogTools(ctx)
		if err != nil {
			return nil, err
		}
		out := make([]EditorTool, len(tools))
		for i, t := range tools {
			out[i] = EditorTool{CatalogTool: t, ConfigFields: catalog.ConfigFields(t.ConfigSchema)}
		}
		return out, nil
	})
}
