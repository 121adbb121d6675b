package db

import "agentconsole/db/agentspec"

// Version sources, as the store's callers have always named them; the list lives in
// agentspec.VersionSources.
const (
	SourceCreate        = agentspec.SourceCreate
	SourceUpdate        = agentspec.SourceUpdate
	SourceClone         = agentspec.SourceClone
	SourceRestore       = agentspec.SourceRestore
	SourcePublish       = agentspec.SourcePublish
	SourceImport        = agentspec.SourceImport
	SourceTags          = agentspec.SourceTags
	SourceSync          = agentspec.SourceSync
	SourceCapability    = agentspec.SourceCapability
	SourceCardRefresh   = agentspec.SourceCardRefresh
	SourceChangeRequest = agentspec.SourceChangeRequest
)

// VersionSources is agentspec.VersionSources: every source a version may have.
var VersionSources = agentspec.VersionSources
