// Package openapi embeds the API's OpenAPI 3.1 description, served at /api/openapi.yaml
// and checked against real responses by the tests.
package openapi

import _ "embed"

// YAML is the OpenAPI document.
//
//go:embed openapi.yaml
var YAML []byte
