package db

import "encoding/json"

// Opt is a field of a partial update: absent, explicitly null, or set to a value.
// Seed 003's PUT takes every field as optional, and seed 001 lets emailSlug be null.
type Opt[T any] struct {
	Set  bool // the field was present in the request
	Null bool // it was present as null
	V    T
}

// Some is a present, non-null value.
func Some[T any](v T) Opt[T] { return Opt[T]{Set: true, V: v} }

// UnmarshalJSON records presence and nullness.
func (o *Opt[T]) UnmarshalJSON(b []byte) error {
	o.Set = true
	if string(b) == "null" {
		o.Null = true
		return nil
	}
	return json.Unmarshal(b, &o.V)
}

// Has reports a present, non-null value.
func (o Opt[T]) Has() bool { return o.Set && !o.Null }
