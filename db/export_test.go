package db

// Unexported helpers the external tests exercise.
var (
	RawObject    = rawObject
	TagsFromJSON = tagsFromJSON
	StringList   = stringList
)
