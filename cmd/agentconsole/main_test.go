package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"agentconsole/db"
	"agentconsole/db/catalog"
	"agentconsole/db/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func TestHelpNamesEverySubcommand(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"--help"}, nil, &out); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"serve", "migrate", "seed", "org create", "user create", "user platform-operator", "token create", "catalog import", "agents pull", "agents plan", "agents apply"} {
		if !strings.Contains(out.String(), "agentconsole "+cmd) {
			t.Errorf("--help does not explain %q", cmd)
		}
	}
}

func TestOperatorCommandsAgainstADatabase(t *testing.T) {
	dsn := dbtest.NewDatabase(t)
	t.Setenv("DATABASE_URL", dsn)
	t.Setenv("MIGRATION_DATABASE_URL", dbtest.OwnerDSN(dsn))
	ctx := context.Background()
	var out bytes.Buffer
	steps := [][]string{{"migrate"}, {"seed"}}
	for _, args := range steps {
		if err := run(ctx, args, nil, &out); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
	}
	var agents int
	if m := regexp.MustCompile(`\(created now: true\); added (\d+) agents`).FindStringSubmatch(out.String()); m != nil {
		agents, _ = strconv.Atoi(m[1])
	}
	if agents < 30 {
		t.Fatalf("seed on an empty database: %s", out.String())
	}
	out.Reset()
	if err := run(ctx, []string{"seed"}, nil, &out); err != nil || !strings.Contains(out.String(), "(created now: false); added 0 agents, 0 tags") {
		t.Fatalf("a second seed added something: %q %v", out.String(), err)
	}
	out.Reset()
	if err := run(ctx, []string{"user", "create", "--email", "ops@demo.test", "--name", "Ops", "--role", "reviewer"}, strings.NewReader("a-long-password\n"), &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "ops@demo.test (reviewer)") {
		t.Fatalf("user create: %s", out.String())
	}
	// The store's user rules, named by the flag they came from.
	for _, c := range []struct {
		args     []string
		password string
		want     string
	}{
		{[]string{"--email", "long@demo.test", "--name", "Long"}, strings.Repeat("p", 73), "the password (from $PASSWORD or stdin): Use at most 72 bytes"},
		{[]string{"--email", "name@demo.test", "--name", strings.Repeat("n", 201)}, "a-long-password", "--name: Use a name of at most 200 characters."},
		{[]string{"--email", strings.Repeat("e", 250) + "@demo.test", "--name", "E"}, "a-long-password", "--email: Use an email address of at most 254 characters."},
	} {
		err := run(ctx, append([]string{"user", "create"}, c.args...), strings.NewReader(c.password), &out)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("user create %v: %v, want %q", c.args, err, c.want)
		}
	}
	out.Reset()
	if err := run(ctx, []string{"token", "create", "--email", "ops@demo.test", "--name", "ci"}, nil, &out); err != nil || !strings.HasPrefix(out.String(), "acon_") {
		t.Fatalf("token create: %q %v", out.String(), err)
	}
	var f map[string]any
	json.Unmarshal(catalog.Bundled, &f)
	f["catalogVersion"] = "cli-test"
	delete(f["native"].(map[string]any), "get_weather")
	raw, _ := json.Marshal(f)
	path := filepath.Join(t.TempDir(), "catalog.json")
	os.WriteFile(path, raw, 0o644)
	out.Reset()
	if err := run(ctx, []string{"catalog", "import", path}, nil, &out); err != nil || !strings.Contains(out.String(), "removed [get_weather]") {
		t.Fatalf("catalog import: %q %v", out.String(), err)
	}
	if err := run(ctx, []string{"catalog", "import", "/nonexistent.json"}, nil, &out); err == nil {
		t.Fatal("importing a missing file succeeded")
	}
	// Organisations and platform operators come from the CLI only.
	out.Reset()
	if err := run(ctx, []string{"org", "create", "Acme Inc."}, nil, &out); err != nil || !strings.Contains(out.String(), "acme-inc (Acme Inc.)") {
		t.Fatalf("org create: %q %v", out.String(), err)
	}
	if err := run(ctx, []string{"org", "create", "Acme Again", "--slug", "acme-inc"}, nil, &out); err == nil || !strings.Contains(err.Error(), "exists already") {
		t.Fatalf("a duplicate slug: %v", err)
	}
	if err := run(ctx, []string{"org", "create", "--slug", "Bad Slug", "Bad"}, nil, &out); err == nil {
		t.Fatal("a bad slug was accepted")
	}
	out.Reset()
	if err := run(ctx, []string{"user", "create", "--org", "acme-inc", "--email", "ops@acme.test", "--name", "Ops", "--role", "admin", "--platform-operator"},
		strings.NewReader("a-long-password\n"), &out); err != nil || !strings.Contains(out.String(), "(admin) in acme-inc, platform operator") {
		t.Fatalf("user create --platform-operator: %q %v", out.String(), err)
	}
	store, err := db.Open(ctx, os.Getenv("DATABASE_URL"), 2)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if a, err := store.ActorByEmail(ctx, "ops@acme.test"); err != nil || !a.PlatformOperator || a.OrgName != "Acme Inc." {
		t.Fatalf("operator in the new organisation: %+v %v", a, err)
	}
	out.Reset()
	if err := run(ctx, []string{"user", "platform-operator", "ops@acme.test", "off"}, nil, &out); err != nil || !strings.Contains(out.String(), "no longer") {
		t.Fatalf("platform-operator off: %q %v", out.String(), err)
	}
	if a, _ := store.ActorByEmail(ctx, "ops@acme.test"); a.PlatformOperator {
		t.Fatal("the flag is still on")
	}
	if a, _ := store.ActorByEmail(ctx, "admin@demo.test"); a.PlatformOperator {
		t.Fatal("the demo admin is a platform operator")
	}
	if err := run(ctx, []string{"user", "platform-operator", "ops@acme.test", "maybe"}, nil, &out); err == nil {
		t.Fatal("platform-operator accepted neither on nor off")
	}
	out.Reset()
	if err := run(ctx, []string{"token", "create", "--email", "ops@acme.test", "--name", "short", "--expires", "1h"}, nil, &out); err != nil || !strings.HasPrefix(out.String(), "acon_") {
		t.Fatalf("token create --expires: %q %v", out.String(), err)
	}
	if err := run(ctx, []string{"frobnicate"}, nil, &out); err == nil {
		t.Fatal("unknown command accepted")
	}
}
