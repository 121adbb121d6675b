package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"agentconsole/cmd/agentconsole/internal/apiclient"
	"agentconsole/db/versiondiff"
)

// exitError ends the command with a given exit code (plan: 2 when there are changes).
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

// agentsOptions are the flags of agents pull | plan | apply.
type agentsOptions struct {
	url, output, message string
	force, prune, dryRun bool
	dir                  string
}

// agentsCommand runs `agentconsole agents pull|plan|apply DIR` against a server.
func agentsCommand(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New("agents: give pull, plan or apply (see agentconsole --help)")
	}
	verb := args[0]
	fs := flag.NewFlagSet("agents "+verb, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	o := agentsOptions{}
	defURL := os.Getenv("AGENTCONSOLE_URL")
	if defURL == "" {
		defURL = "http://localhost:8080"
	}
	fs.StringVar(&o.url, "url", defURL, "the console's URL")
	fs.StringVar(&o.output, "output", "text", "text or json")
	fs.StringVar(&o.message, "message", "", "version message stored with each saved agent (apply)")
	fs.BoolVar(&o.force, "force", false, "apply over changes made on the server since the pull")
	fs.BoolVar(&o.prune, "prune", false, "delete agents whose file was deleted (plan shows them, apply deletes)")
	fs.BoolVar(&o.dryRun, "dry-run", false, "apply: only show what would be done")
	// The directory may come before or after the flags.
	rest := args[1:]
	var positional []string
	for {
		if err := fs.Parse(rest); err != nil {
			return fmt.Errorf("agents %s: %w", verb, err)
		}
		if fs.NArg() == 0 {
			break
		}
		positional, rest = append(positional, fs.Arg(0)), fs.Args()[1:]
	}
	if len(positional) != 1 {
		return fmt.Errorf("agents %s: give one directory: agentconsole agents %s DIR", verb, verb)
	}
	if o.output != "text" && o.output != "json" {
		return fmt.Errorf("agents %s: --output is text or json", verb)
	}
	o.dir = positional[0]
	token := os.Getenv("AGENTCONSOLE_TOKEN")
	if token == "" {
		return errors.New("agents: set AGENTCONSOLE_TOKEN to an API token (agentconsole token create, or the console's Tokens page)")
	}
	c, err := newAPI(o.url, token)
	if err != nil {
		return err
	}
	switch verb {
	case "pull":
		return c.pull(ctx, o, stdout)
	case "plan":
		return c.plan(ctx, o, stdout)
	case "apply":
		return c.apply(ctx, o, stdout)
	}
	return fmt.Errorf("agents: unknown command %q: pull, plan or apply", verb)
}

// api is the generated client with the caller's organisation.
type api struct {
	c       *apiclient.ClientWithResponses
	orgUUID string
}

func newAPI(baseURL, token string) (*api, error) {
	server := strings.TrimSuffix(baseURL, "/") + "/api"
	c, err := apiclient.NewClientWithResponses(server,
		apiclient.WithHTTPClient(&http.Client{Timeout: 60 * time.Second}),
		apiclient.WithRequestEditorFn(func(_ context.Context, r *http.Request) error {
			r.Header.Set("Authorization", "Bearer "+token)
			return nil
		}))
	if err != nil {
		return nil, err
	}
	return &api{c: c}, nil
}

// apiError says what an unexpected answer was: the server's message when it gave one.
func apiError(what string, status int, body []byte) error {
	var e struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(body, &e) == nil && e.Error != "" {
		return fmt.Errorf("%s: %d %s", what, status, e.Error)
	}
	return fmt.Errorf("%s: HTTP %d", what, status)
}

func (a *api) me(ctx context.Context) error {
	r, err := a.c.GetMeWithResponse(ctx)
	if err != nil {
		return err
	}
	if r.JSON200 == nil {
		return apiError("who am I", r.StatusCode(), r.Body)
	}
	a.orgUUID = r.JSON200.Organization.Uuid.String()
	return nil
}

// serverAgent is a live agent as the list answers it.
type serverAgent struct {
	UUID, Name string
	Version    int
}

// agents lists the organisation's live agents by UUID, every page.
func (a *api) agents(ctx context.Context) (map[string]serverAgent, error) {
	out := map[string]serverAgent{}
	perPage, sort := 100, apiclient.ListAgentsParamsSort("name")
	for page := 1; ; page++ {
		p := page
		r, err := a.c.ListAgentsWithResponse(ctx, &apiclient.ListAgentsParams{Page: &p, PerPage: &perPage, Sort: &sort})
		if err != nil {
			return nil, err
		}
		if r.JSON200 == nil {
			return nil, apiError("list agents", r.StatusCode(), r.Body)
		}
		for _, ag := range r.JSON200.Agents {
			v := 0
			if ag.PublishedVersionId != nil {
				v = *ag.PublishedVersionId
			}
			out[ag.Uuid.String()] = serverAgent{UUID: ag.Uuid.String(), Name: ag.Name, Version: v}
		}
		if page*perPage >= r.JSON200.Total || len(r.JSON200.Agents) == 0 {
			return out, nil
		}
	}
}

// export reads one agent's export document as a file (nil when it does not exist).
func (a *api) export(ctx context.Context, id string) (*agentFile, error) {
	r, err := a.c.ExportAgentWithResponse(ctx, id)
	if err != nil {
		return nil, err
	}
	if r.StatusCode() == http.StatusNotFound {
		return nil, nil
	}
	if r.JSON200 == nil {
		return nil, apiError("export "+id, r.StatusCode(), r.Body)
	}
	return fileFromExport(r.JSON200)
}

// pull writes one file per live agent and the state file; files are rewritten only
// when their content changed, and files of agents pulled before and since deleted on
// the server are removed.
func (a *api) pull(ctx context.Context, o agentsOptions, stdout io.Writer) error {
	if err := os.MkdirAll(o.dir, 0o755); err != nil {
		return err
	}
	if err := a.me(ctx); err != nil {
		return err
	}
	// The version is read before the content: if a save lands in between, the state
	// names an older version than the file holds, and apply refuses rather than
	// overwriting a change nobody pulled.
	live, err := a.agents(ctx)
	if err != nil {
		return err
	}
	state, err := readState(o.dir)
	if err != nil {
		return err
	}
	versions := state.org(a.orgUUID)
	type pulled struct {
		File    string `json:"file"`
		UUID    string `json:"uuid"`
		Name    string `json:"name"`
		Version int    `json:"versionId"`
		Written bool   `json:"written"`
	}
	var report []pulled
	for _, ag := range sortedAgents(live) {
		f, err := a.export(ctx, ag.UUID)
		if err != nil {
			return err
		}
		if f == nil {
			continue // deleted in between
		}
		body, err := marshalAgentFile(f)
		if err != nil {
			return err
		}
		name := ag.UUID + ".yaml"
		written, err := writeIfChanged(filepath.Join(o.dir, name), body)
		if err != nil {
			return err
		}
		versions[ag.UUID] = ag.Version
		report = append(report, pulled{name, ag.UUID, ag.Name, ag.Version, written})
	}
	var removed []string
	for id := range versions {
		if _, ok := live[id]; !ok {
			delete(versions, id)
			if err := os.Remove(filepath.Join(o.dir, id+".yaml")); err == nil {
				removed = append(removed, id+".yaml")
			}
		}
	}
	sort.Strings(removed)
	if err := writeState(o.dir, state); err != nil {
		return err
	}
	if o.output == "json" {
		return json.NewEncoder(stdout).Encode(map[string]any{"agents": report, "removed": nonNilStrings(removed)})
	}
	written := 0
	for _, p := range report {
		if p.Written {
			written++
			fmt.Fprintf(stdout, "wrote %s  %s\n", p.File, p.Name)
		}
	}
	for _, r := range removed {
		fmt.Fprintf(stdout, "removed %s (deleted on the server)\n", r)
	}
	fmt.Fprintf(stdout, "pulled %d agents into %s: %d files written, %d removed\n", len(report), o.dir, written, len(removed))
	return nil
}

func sortedAgents(m map[string]serverAgent) []serverAgent {
	out := make([]serverAgent, 0, len(m))
	for _, a := range m {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name+out[i].UUID < out[j].Name+out[j].UUID })
	return out
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// change is one agent plan or apply deals with.
type change struct {
	Action string            `json:"action"` // create, update, delete, unchanged, untracked
	File   string            `json:"file,omitempty"`
	UUID   string            `json:"uuid"`
	Name   string            `json:"name"`
	Diff   *versiondiff.Diff `json:"diff,omitempty"`
	// Pulled is the version the file was read at; Live, the server's now. They differ
	// when someone saved the agent since: apply refuses it unless --force.
	Pulled int `json:"pulledVersionId,omitempty"`
	Live   int `json:"liveVersionId,omitempty"`
	// Result is what apply did: created, updated, deleted, refused, invalid, failed.
	Result  string   `json:"result,omitempty"`
	Error   string   `json:"error,omitempty"`
	Details []string `json:"details,omitempty"`
	Version int      `json:"versionId,omitempty"`

	file *agentFile
}

// stale tells whether the agent changed on the server since the file was pulled.
func (c *change) stale() bool { return c.Action != "create" && c.Live != c.Pulled }

// planChanges compares every file with the server.
func (a *api) planChanges(ctx context.Context, o agentsOptions) ([]*change, *syncState, error) {
	files, err := loadAgentFiles(o.dir)
	if err != nil {
		return nil, nil, err
	}
	if err := a.me(ctx); err != nil {
		return nil, nil, err
	}
	live, err := a.agents(ctx)
	if err != nil {
		return nil, nil, err
	}
	state, err := readState(o.dir)
	if err != nil {
		return nil, nil, err
	}
	versions := state.org(a.orgUUID)
	var out []*change
	inDir := map[string]bool{}
	for _, lf := range files {
		f := lf.Agent
		inDir[f.UUID] = true
		c := &change{File: lf.Path, UUID: f.UUID, Name: f.Name, Pulled: versions[f.UUID], file: f}
		srv, ok := live[f.UUID]
		if !ok {
			c.Action = "create"
			c.Diff, err = diffFiles(&agentFile{}, f)
			if err != nil {
				return nil, nil, err
			}
			out = append(out, c)
			continue
		}
		c.Live = srv.Version
		current, err := a.export(ctx, f.UUID)
		if err != nil {
			return nil, nil, err
		}
		if current == nil {
			return nil, nil, fmt.Errorf("%s: agent %s disappeared while planning; run plan again", lf.Path, f.UUID)
		}
		if c.Diff, err = diffFiles(current, f); err != nil {
			return nil, nil, err
		}
		c.Action = "update"
		if c.Diff.Empty() {
			c.Action, c.Diff = "unchanged", nil
		}
		out = append(out, c)
	}
	for _, srv := range sortedAgents(live) {
		if inDir[srv.UUID] {
			continue
		}
		c := &change{UUID: srv.UUID, Name: srv.Name, Live: srv.Version, Action: "untracked"}
		if pulled, ok := versions[srv.UUID]; ok {
			// Pulled from here and its file deleted since: a deletion, done only with --prune.
			c.Action, c.Pulled = "delete", pulled
		}
		out = append(out, c)
	}
	return orderChanges(out), state, nil
}

// orderChanges puts creations first, each after the agents of this directory it calls
// (call_agent resolves callable agents by name, so they must exist), then updates, then
// deletions; names break ties.
func orderChanges(cs []*change) []*change {
	rank := map[string]int{"create": 0, "update": 1, "unchanged": 2, "delete": 3, "untracked": 4}
	sort.SliceStable(cs, func(i, j int) bool {
		if rank[cs[i].Action] != rank[cs[j].Action] {
			return rank[cs[i].Action] < rank[cs[j].Action]
		}
		return cs[i].Name+cs[i].UUID < cs[j].Name+cs[j].UUID
	})
	var creates []*change
	for _, c := range cs {
		if c.Action == "create" {
			creates = append(creates, c)
		}
	}
	byName := map[string]*change{}
	for _, c := range creates {
		byName[c.Name] = c
	}
	var ordered []*change
	done, visiting := map[*change]bool{}, map[*change]bool{}
	var visit func(c *change)
	visit = func(c *change) {
		if done[c] || visiting[c] { // a cycle: strict import names the unresolved reference
			return
		}
		visiting[c] = true
		for _, name := range calledAgents(c.file) {
			if dep := byName[name]; dep != nil {
				visit(dep)
			}
		}
		visiting[c], done[c] = false, true
		ordered = append(ordered, c)
	}
	for _, c := range creates {
		visit(c)
	}
	return append(ordered, cs[len(creates):]...)
}

// calledAgents are the agent names a file's tool configs refer to.
func calledAgents(f *agentFile) []string {
	var out []string
	if f == nil {
		return nil
	}
	for _, t := range f.Tools {
		if names, ok := t.Config["callableAgentNames"].([]any); ok {
			for _, n := range names {
				if s, ok := n.(string); ok {
					out = append(out, s)
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

// todo tells whether a change is something plan or apply would do.
func (c *change) todo(o agentsOptions) bool {
	switch c.Action {
	case "create", "update":
		return true
	case "delete":
		return o.prune
	}
	return false
}

// plan prints the changes apply would make; exit 0 when there are none, 2 when there are.
func (a *api) plan(ctx context.Context, o agentsOptions, stdout io.Writer) error {
	cs, _, err := a.planChanges(ctx, o)
	if err != nil {
		return err
	}
	n := printPlan(cs, o, stdout)
	if n > 0 {
		return &exitError{code: 2}
	}
	return nil
}

func printPlan(cs []*change, o agentsOptions, stdout io.Writer) int {
	n := 0
	for _, c := range cs {
		if c.todo(o) {
			n++
		}
	}
	if o.output == "json" {
		json.NewEncoder(stdout).Encode(map[string]any{"changes": cs, "toDo": n})
		return n
	}
	for _, c := range cs {
		printChange(stdout, c, o)
	}
	if n == 0 {
		fmt.Fprintln(stdout, "No changes: the server matches", o.dir)
	} else {
		fmt.Fprintf(stdout, "%d agent(s) to change\n", n)
	}
	return n
}

func printChange(w io.Writer, c *change, o agentsOptions) {
	switch c.Action {
	case "unchanged":
		return
	case "untracked":
		fmt.Fprintf(w, "? %s (%s): on the server, not in this directory (pull to track it)\n", c.Name, c.UUID)
		return
	case "delete":
		if o.prune {
			fmt.Fprintf(w, "- %s (%s): deleted\n", c.Name, c.UUID)
		} else {
			fmt.Fprintf(w, "- %s (%s): file deleted; the agent is kept unless --prune\n", c.Name, c.UUID)
		}
		return
	case "create":
		fmt.Fprintf(w, "+ %s (%s): created\n", c.Name, c.File)
	default:
		fmt.Fprintf(w, "~ %s (%s): changed\n", c.Name, c.File)
	}
	if c.stale() {
		fmt.Fprintf(w, "    ! changed on the server since the pull (version %d, now %d): apply refuses it unless --force\n", c.Pulled, c.Live)
	}
	d := c.Diff
	if d == nil {
		return
	}
	for _, f := range d.Fields {
		fmt.Fprintf(w, "    %s: %s → %s\n", f.Field, quoteOrNone(f.Before), quoteOrNone(f.After))
	}
	if !d.PromptSame {
		fmt.Fprintln(w, "    systemPrompt:")
		for _, l := range d.Prompt {
			switch l.Op {
			case "-":
				fmt.Fprintf(w, "      - %s\n", l.Old)
			case "+":
				fmt.Fprintf(w, "      + %s\n", l.New)
			case "~":
				fmt.Fprintf(w, "      - %s\n      + %s\n", l.Old, l.New)
			}
		}
	}
	for _, t := range d.ToolsAdded {
		fmt.Fprintf(w, "    tools: + %s\n", t)
	}
	for _, t := range d.ToolsRemoved {
		fmt.Fprintf(w, "    tools: - %s\n", t)
	}
	for _, t := range d.ToolsChanged {
		for _, p := range append(t.Schema, t.Config...) {
			fmt.Fprintf(w, "    tools: ~ %s config%s: %s → %s\n", t.Name, p.Path, quoteOrNone(p.Before), quoteOrNone(p.After))
		}
	}
}

func quoteOrNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return strconv.Quote(s)
}

// apply saves every changed agent (one API call, one transaction each), deletes pruned
// ones, goes on after a failure, reports each and fails if any failed.
func (a *api) apply(ctx context.Context, o agentsOptions, stdout io.Writer) error {
	cs, state, err := a.planChanges(ctx, o)
	if err != nil {
		return err
	}
	if o.dryRun {
		printPlan(cs, o, stdout)
		return nil
	}
	versions := state.org(a.orgUUID)
	failed := 0
	for _, c := range cs {
		if !c.todo(o) {
			continue
		}
		switch c.Action {
		case "create":
			a.create(ctx, c, o)
		case "update":
			a.update(ctx, c, o)
		case "delete":
			a.remove(ctx, c, o)
		}
		switch c.Result {
		case "created", "updated":
			versions[c.UUID] = c.Version
		case "deleted":
			delete(versions, c.UUID)
		default:
			failed++
		}
	}
	if err := writeState(o.dir, state); err != nil {
		return err
	}
	if o.output == "json" {
		json.NewEncoder(stdout).Encode(map[string]any{"changes": cs, "failed": failed})
	} else {
		done := 0
		for _, c := range cs {
			if c.Result == "" {
				continue
			}
			where := c.File
			if where == "" {
				where = c.UUID
			}
			if c.Error == "" {
				done++
				fmt.Fprintf(stdout, "%s %s (%s) → version %d\n", c.Result, c.Name, where, c.Version)
				continue
			}
			fmt.Fprintf(stdout, "%s %s (%s): %s\n", c.Result, c.Name, where, c.Error)
			for _, d := range c.Details {
				fmt.Fprintf(stdout, "    %s: %s\n", where, d)
			}
		}
		fmt.Fprintf(stdout, "applied %d, failed %d\n", done, failed)
	}
	if failed > 0 {
		return &exitError{code: 1, msg: fmt.Sprintf("agents apply: %d agent(s) failed", failed)}
	}
	return nil
}

func (a *api) create(ctx context.Context, c *change, o agentsOptions) {
	body, err := c.file.importBody(o.message)
	if err != nil {
		c.Result, c.Error = "failed", err.Error()
		return
	}
	strict := true
	r, err := a.c.ImportAgentWithResponse(ctx, &apiclient.ImportAgentParams{Strict: &strict}, body)
	if err != nil {
		c.Result, c.Error = "failed", err.Error()
		return
	}
	if r.JSON200 == nil {
		c.refused(r.StatusCode(), r.Body)
		return
	}
	c.Result, c.Version = "created", derefInt(r.JSON200.Agent.PublishedVersionId)
}

func (a *api) update(ctx context.Context, c *change, o agentsOptions) {
	if c.Pulled == 0 && !o.force {
		c.Result, c.Error = "refused", "the agent exists on the server but was not pulled from this organisation: pull first, or --force"
		return
	}
	body, err := c.file.importBody(o.message)
	if err != nil {
		c.Result, c.Error = "failed", err.Error()
		return
	}
	strict := true
	params := &apiclient.ImportIntoAgentParams{Strict: &strict}
	if !o.force { // the pulled version is a precondition: a newer one answers 412
		m := strconv.Quote(strconv.Itoa(c.Pulled))
		params.IfMatch = &m
	}
	r, err := a.c.ImportIntoAgentWithResponse(ctx, c.UUID, params, body)
	if err != nil {
		c.Result, c.Error = "failed", err.Error()
		return
	}
	if r.JSON200 == nil {
		c.refused(r.StatusCode(), r.Body)
		return
	}
	c.Result, c.Version = "updated", derefInt(r.JSON200.Agent.PublishedVersionId)
}

func (a *api) remove(ctx context.Context, c *change, o agentsOptions) {
	if c.stale() && !o.force {
		c.Result, c.Error = "refused", fmt.Sprintf("changed on the server since the pull (version %d, now %d); pull, or --force", c.Pulled, c.Live)
		return
	}
	r, err := a.c.DeleteAgentWithResponse(ctx, c.UUID, nil)
	if err != nil {
		c.Result, c.Error = "failed", err.Error()
		return
	}
	if r.StatusCode() != http.StatusOK {
		c.refused(r.StatusCode(), r.Body)
		return
	}
	c.Result = "deleted"
}

// refused records the server's answer: its message, and each detail with its field path.
func (c *change) refused(status int, body []byte) {
	var e struct {
		Error   string `json:"error"`
		Details []struct {
			Message string `json:"message"`
			Path    []any  `json:"path"`
		} `json:"details"`
	}
	json.Unmarshal(body, &e)
	c.Result = "failed"
	if status == http.StatusAccepted { // the review policy protects the agent: nothing changed yet
		var cr struct {
			ID int64 `json:"id"`
		}
		json.Unmarshal(body, &cr)
		c.Result, c.Error = "proposed", fmt.Sprintf("protected by the review policy: change request #%d awaits review (nothing changed yet)", cr.ID)
		return
	}
	switch status {
	case http.StatusPreconditionFailed:
		c.Result = "refused"
	case http.StatusBadRequest:
		c.Result = "invalid"
	}
	c.Error = e.Error
	if c.Error == "" {
		c.Error = fmt.Sprintf("HTTP %d", status)
	}
	for _, d := range e.Details {
		path := d.Path
		if len(path) > 0 && path[0] == "agent" { // the import document's agent is the file
			path = path[1:]
		}
		parts := make([]string, len(path))
		for i, p := range path {
			parts[i] = fmt.Sprint(p)
		}
		c.Details = append(c.Details, strings.Join(parts, ".")+": "+d.Message)
	}
}

func derefInt(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}
