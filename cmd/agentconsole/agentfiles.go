package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/google/uuid"
	"gopkg.in/yaml.v3"

	"agentconsole/cmd/agentconsole/internal/apiclient"
	"agentconsole/db/versiondiff"
)

// agentFile is one agent as `agents pull` writes it: the export document's content
// (references by name, no integer ids, no email slug, no secrets), one YAML file per
// agent named by its UUID. Tools keep only their config: definitions come from the
// catalog on every save. The system prompt is last, as a block scalar, so a review
// reads it line by line. JSON names are the API's, so diffs name fields as the
// console does.
type agentFile struct {
	UUID                 string              `yaml:"uuid" json:"-"`
	Name                 string              `yaml:"name" json:"name"`
	Description          *string             `yaml:"description,omitempty" json:"description"`
	AgentType            string              `yaml:"agentType" json:"agentType"`
	Stage                string              `yaml:"stage" json:"stage"`
	Model                *string             `yaml:"model,omitempty" json:"model"`
	MaxToolRoundtrips    *int                `yaml:"maxToolRoundtrips,omitempty" json:"maxToolRoundtrips"`
	PlanningMode         *string             `yaml:"planningMode,omitempty" json:"planningMode"`
	ShowInChat           bool                `yaml:"showInChat" json:"showInChat"`
	LogoURL              *string             `yaml:"logoUrl,omitempty" json:"logoUrl"`
	Tags                 []string            `yaml:"tags,omitempty" json:"tags"`
	ConversationStarters []string            `yaml:"conversationStarters,omitempty" json:"conversationStarters"`
	Tools                map[string]fileTool `yaml:"tools,omitempty" json:"tools"`
	MCPServers           []fileMCPServer     `yaml:"mcpServers,omitempty" json:"mcpServers"`
	Integrations         []string            `yaml:"integrations,omitempty" json:"integrations"`
	ContextDocs          []fileContextDoc    `yaml:"contextDocs,omitempty" json:"contextDocs"`
	ExternalConfig       *fileExternalConfig `yaml:"externalConfig,omitempty" json:"externalConfig"`
	Inputs               []fileInput         `yaml:"inputs,omitempty" json:"inputs"`
	TinesStoryImportID   *string             `yaml:"tinesStoryImportId,omitempty" json:"tinesStoryImportId"`
	SystemPrompt         *string             `yaml:"systemPrompt,omitempty" json:"systemPrompt"`
}

type fileTool struct {
	Config map[string]any `yaml:"config,omitempty" json:"config,omitempty"`
}

type fileMCPServer struct {
	Name string `yaml:"name" json:"name"`
	URL  string `yaml:"url" json:"url"`
}

type fileContextDoc struct {
	Provider string `yaml:"provider" json:"provider"`
	ID       string `yaml:"id" json:"id"`
	Name     string `yaml:"name,omitempty" json:"name,omitempty"`
	MimeType string `yaml:"mimeType,omitempty" json:"mimeType,omitempty"`
}

type fileExternalConfig struct {
	AgentCardURL           string `yaml:"agentCardUrl,omitempty" json:"agentCardUrl,omitempty"`
	EndpointURL            string `yaml:"endpointUrl,omitempty" json:"endpointUrl,omitempty"`
	RefreshIntervalMinutes int    `yaml:"refreshIntervalMinutes,omitempty" json:"refreshIntervalMinutes,omitempty"`
}

type fileInput struct {
	Type        string `yaml:"type" json:"type"`
	Name        string `yaml:"name" json:"name"`
	Description string `yaml:"description,omitempty" json:"description,omitempty"`
	Required    bool   `yaml:"required,omitempty" json:"required,omitempty"`
}

// exportFormat is the export document's format, as the server names it.
const exportFormat = "agentconsole.agent/v1"

// fileFromExport turns the server's export document into the file's shape. The two
// share JSON names, so the conversion is a JSON round trip and then normalisation.
func fileFromExport(doc *apiclient.AgentExport) (*agentFile, error) {
	raw, err := json.Marshal(doc.Agent)
	if err != nil {
		return nil, err
	}
	f := new(agentFile)
	if err := json.Unmarshal(raw, f); err != nil {
		return nil, fmt.Errorf("export of %s: %w", doc.Agent.Name, err)
	}
	if doc.Agent.Uuid != nil {
		f.UUID = doc.Agent.Uuid.String()
	}
	f.normalize()
	return f, nil
}

// importBody is the file as the import API takes it (the export document plus the
// version message).
func (f *agentFile) importBody(message string) (apiclient.AgentImport, error) {
	var body apiclient.AgentImport
	raw, err := json.Marshal(f)
	if err != nil {
		return body, err
	}
	if err := json.Unmarshal(raw, &body.Agent); err != nil {
		return body, err
	}
	if id, err := uuid.Parse(f.UUID); err == nil {
		body.Agent.Uuid = &id
	}
	body.Format = exportFormat
	if message != "" {
		body.Message = &message
	}
	return body, nil
}

// normalize makes equal content compare equal: empty lists are no lists, tags and MCP
// servers are sets (sorted), tools without config are {}.
func (f *agentFile) normalize() {
	if len(f.Tags) == 0 {
		f.Tags = nil
	}
	sort.Slice(f.Tags, func(i, j int) bool { return strings.ToLower(f.Tags[i]) < strings.ToLower(f.Tags[j]) })
	sort.Slice(f.MCPServers, func(i, j int) bool {
		return strings.ToLower(f.MCPServers[i].Name) < strings.ToLower(f.MCPServers[j].Name)
	})
	if len(f.MCPServers) == 0 {
		f.MCPServers = nil
	}
	if len(f.ConversationStarters) == 0 {
		f.ConversationStarters = nil
	}
	if len(f.Integrations) == 0 {
		f.Integrations = nil
	}
	if len(f.ContextDocs) == 0 {
		f.ContextDocs = nil
	}
	if len(f.Inputs) == 0 {
		f.Inputs = nil
	}
	if len(f.Tools) == 0 {
		f.Tools = nil
	}
	for name, t := range f.Tools {
		if len(t.Config) == 0 {
			f.Tools[name] = fileTool{}
		}
	}
}

// snapshot is the file's content as JSON, the input of versiondiff.Compare.
func (f *agentFile) snapshot() []byte {
	b, _ := json.Marshal(f)
	return b
}

// diffFiles is the console's semantic diff between what the server has and the file.
func diffFiles(server, file *agentFile) (*versiondiff.Diff, error) {
	return versiondiff.Compare(server.snapshot(), file.snapshot(), versiondiff.Names{})
}

// marshalAgentFile writes the file: a header comment, fields in a fixed order, the
// system prompt as a literal block scalar.
func marshalAgentFile(f *agentFile) ([]byte, error) {
	var node yaml.Node
	if err := node.Encode(f); err != nil {
		return nil, err
	}
	for i := 0; i+1 < len(node.Content); i += 2 {
		if v := node.Content[i+1]; v.Kind == yaml.ScalarNode && strings.Contains(v.Value, "\n") {
			v.Style = yaml.LiteralStyle // multi-line text reads line by line in a diff
		}
	}
	var buf bytes.Buffer
	buf.WriteString("# agentconsole agent: edit, commit, then `agentconsole agents plan` / `apply`.\n")
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&node); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

var uuidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// loadedFile is an agent file read from the directory.
type loadedFile struct {
	Path  string // relative to the directory
	Agent *agentFile
}

// loadAgentFiles reads every *.yaml file of dir (dot files are state, not agents).
// Unknown fields, a missing or malformed uuid and two files for one agent are errors
// naming the file.
func loadAgentFiles(dir string) ([]loadedFile, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []loadedFile
	var problems []string
	byUUID := map[string]string{}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || strings.HasPrefix(name, ".") || !(strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml")) {
			continue
		}
		raw, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		f := new(agentFile)
		dec := yaml.NewDecoder(bytes.NewReader(raw))
		dec.KnownFields(true) // a misspelt field is an error, not silently nothing
		if err := dec.Decode(f); err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", name, strings.TrimPrefix(err.Error(), "yaml: ")))
			continue
		}
		switch {
		case !uuidRE.MatchString(f.UUID):
			problems = append(problems, fmt.Sprintf("%s: uuid: required, a UUID (a new agent needs one too, e.g. from uuidgen)", name))
			continue
		case byUUID[strings.ToLower(f.UUID)] != "":
			problems = append(problems, fmt.Sprintf("%s: uuid: %s is also the uuid of %s", name, f.UUID, byUUID[strings.ToLower(f.UUID)]))
			continue
		}
		f.UUID = strings.ToLower(f.UUID)
		byUUID[f.UUID] = name
		f.normalize()
		out = append(out, loadedFile{Path: name, Agent: f})
	}
	if len(problems) > 0 {
		return nil, errors.New(strings.Join(problems, "\n"))
	}
	return out, nil
}

// stateFile records, per organisation, the version each agent was pulled (or last
// applied) at: apply sends it as If-Match, so a change made on the server since is
// refused instead of overwritten.
const stateFile = ".agentconsole-state.yaml"

type syncState struct {
	// Organizations maps an organisation's UUID to agent UUID → version id.
	Organizations map[string]map[string]int `yaml:"organizations"`
}

func readState(dir string) (*syncState, error) {
	s := &syncState{Organizations: map[string]map[string]int{}}
	raw, err := os.ReadFile(filepath.Join(dir, stateFile))
	if errors.Is(err, os.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return nil, err
	}
	if err := yaml.Unmarshal(raw, s); err != nil {
		return nil, fmt.Errorf("%s: %w", stateFile, err)
	}
	if s.Organizations == nil {
		s.Organizations = map[string]map[string]int{}
	}
	return s, nil
}

func (s *syncState) org(orgUUID string) map[string]int {
	m := s.Organizations[orgUUID]
	if m == nil {
		m = map[string]int{}
		s.Organizations[orgUUID] = m
	}
	return m
}

func writeState(dir string, s *syncState) error {
	for k, m := range s.Organizations {
		if len(m) == 0 {
			delete(s.Organizations, k)
		}
	}
	var buf bytes.Buffer
	buf.WriteString("# Written by agentconsole agents pull and apply: the version each agent was read at,\n" +
		"# per organisation. apply sends it as If-Match. Commit it with the agent files.\n")
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(s); err != nil { // map keys are sorted: the same state writes the same bytes
		return err
	}
	if err := enc.Close(); err != nil {
		return err
	}
	_, err := writeIfChanged(filepath.Join(dir, stateFile), buf.Bytes())
	return err
}

// writeIfChanged writes a file only when its content differs, so a second pull leaves
// every file (and its modification time) alone.
func writeIfChanged(path string, content []byte) (bool, error) {
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, content) {
		return false, nil
	}
	return true, os.WriteFile(path, content, 0o644)
}
