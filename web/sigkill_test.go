package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"agentconsole/db"
	"agentconsole/db/dbtest"
)

// TestServerKilledMidSyncLeavesNoPartialSync builds and runs the real binary, starts a
// sync made slow by a trigger, kills the process with SIGKILL in the middle, and checks
// that no agent changed and no version was written.
func TestServerKilledMidSyncLeavesNoPartialSync(t *testing.T) {
	ctx := context.Background()
	bin := filepath.Join(t.TempDir(), "agentconsole")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/agentconsole").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	dsn := dbtest.NewDatabase(t)
	store, err := db.Open(ctx, dsn, 4)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	store.SeedDemo(ctx)
	admin, _ := store.ActorByEmail(ctx, "admin@demo.test")
	for i := 0; i < 100; i++ {
		if _, err := store.SaveAgent(ctx, admin, &db.AgentPatch{Name: db.Some(fmt.Sprintf("a%d", i)),
			Tools: db.Some(map[string]json.RawMessage{"web_search": json.RawMessage(`{}`)})}, db.SourceCreate); err != nil {
			t.Fatal(err)
		}
	}
	e := &env{t: t, Store: store}
	bumpCatalog(t, e, "2029.1", "web_search")
	_, secret, _ := store.CreateToken(ctx, admin, admin.UserID, "kill")
	// The sync's first version waits on an advisory lock this test holds, so the server is
	// killed in the middle of the sync however slow the machine is (a sleep in the
	// trigger and a sleep here raced on a loaded machine).
	const gateKey = 0x6b696c6c // "kill"
	gate, err := store.DB.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer gate.Close()
	if _, err := gate.ExecContext(ctx, "SELECT pg_advisory_lock(?)", gateKey); err != nil {
		t.Fatal(err)
	}
	owner := dbtest.Owner(t, store) // the server's role may not create triggers
	for _, q := range []string{`CREATE FUNCTION gate_sync() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN IF NEW.source = 'sync' THEN PERFORM pg_advisory_xact_lock_shared(` + fmt.Sprint(gateKey) + `); END IF; RETURN NEW; END $$`,
		`CREATE TRIGGER gate_sync BEFORE INSERT ON agent_versions FOR EACH ROW EXECUTE FUNCTION gate_sync()`} {
		if _, err := owner.DB.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}

	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	port := fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(), "DATABASE_URL="+dsn, "MIGRATION_DATABASE_URL="+dbtest.OwnerDSN(dsn), "PORT="+port, "LOG_LEVEL=warn", "CARD_REFRESH_TICK=0")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	base := "http://127.0.0.1:" + port
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(time.Minute); !cond(); time.Sleep(25 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("never: %s", what)
			}
		}
	}
	waitFor("server ready", func() bool {
		resp, err := http.Get(base + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})
	go func() {
		req, _ := http.NewRequest("POST", base+"/api/agents/sync-tools", nil)
		req.Header.Set("Authorization", "Bearer "+secret)
		http.DefaultClient.Do(req)
	}()
	waitFor("the sync held at its first version", func() bool {
		var held int
		// Waiting for the gate, whatever the statement's text (pg_stat_activity cuts it at 1 KB).
		store.DB.NewRaw(`SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND classid = 0 AND objid = ? AND objsubid = 1`,
			gateKey).Scan(ctx, &held)
		return held == 1
	})
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	// Let the orphaned statement go on: PostgreSQL rolls the transaction back when it
	// next talks to the client and finds it gone.
	if _, err := gate.ExecContext(ctx, "SELECT pg_advisory_unlock(?)", gateKey); err != nil {
		t.Fatal(err)
	}
	waitFor("the killed server's transaction ended", func() bool {
		var active int
		store.DB.NewRaw(`SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state <> 'idle'
			AND pid <> pg_backend_pid()`).Scan(ctx, &active) // the gate's connection is idle now
		return active == 0
	})
	var versions int
	store.DB.NewRaw("SELECT count(*) FROM agent_versions WHERE source = 'sync'").Scan(ctx, &versions)
	outdated, _ := store.OutdatedAgents(ctx, admin.OrgID)
	if versions != 0 || outdated != 100 {
		t.Fatalf("after SIGKILL mid-sync: %d sync versions, %d of 100 agents outdated", versions, outdated)
	}
}
