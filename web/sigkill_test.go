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
	// 100 sync versions × 30 ms: the sync takes about 3 s.
	store.DB.ExecContext(ctx, `CREATE FUNCTION slow_sync() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN IF NEW.source = 'sync' THEN PERFORM pg_sleep(0.03); END IF; RETURN NEW; END $$`)
	store.DB.ExecContext(ctx, `CREATE TRIGGER slow_sync BEFORE INSERT ON agent_versions FOR EACH ROW EXECUTE FUNCTION slow_sync()`)

	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	port := fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(), "DATABASE_URL="+dsn, "PORT="+port, "LOG_LEVEL=warn", "CARD_REFRESH_TICK=0")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	base := "http://127.0.0.1:" + port
	for i := 0; ; i++ {
		if resp, err := http.Get(base + "/readyz"); err == nil && resp.StatusCode == 200 {
			resp.Body.Close()
			break
		}
		if i > 200 {
			t.Fatal("server not ready")
		}
		time.Sleep(25 * time.Millisecond)
	}
	go func() {
		req, _ := http.NewRequest("POST", base+"/api/agents/sync-tools", nil)
		req.Header.Set("Authorization", "Bearer "+secret)
		http.DefaultClient.Do(req)
	}()
	time.Sleep(1200 * time.Millisecond) // well inside the sync
	var inFlight int
	store.DB.NewRaw(`SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%INSERT INTO agent_versions%' AND pid <> pg_backend_pid()`).Scan(ctx, &inFlight)
	if inFlight != 1 {
		t.Fatalf("the sync is not running when the server is killed (%d)", inFlight)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	// PostgreSQL rolls the transaction back once it notices the client is gone.
	deadline := time.Now().Add(15 * time.Second)
	for {
		var active int
		store.DB.NewRaw(`SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state <> 'idle' AND pid <> pg_backend_pid()`).Scan(ctx, &active)
		if active == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the killed server's transaction is still running")
		}
		time.Sleep(100 * time.Millisecond)
	}
	var versions int
	store.DB.NewRaw("SELECT count(*) FROM agent_versions WHERE source = 'sync'").Scan(ctx, &versions)
	outdated, _ := store.OutdatedAgents(ctx, admin.OrgID)
	if versions != 0 || outdated != 100 {
		t.Fatalf("after SIGKILL mid-sync: %d sync versions, %d of 100 agents outdated", versions, outdated)
	}
}
