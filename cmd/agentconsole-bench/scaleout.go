package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"agentconsole/cmd/internal/scaleout"
	"agentconsole/db"
	"agentconsole/db/embedded"
)

// scaleOutResult is scenario 7: the API list (scenario 2) on the one instance again,
// then through HAProxy over two more instances of the binary, direct and through
// PgBouncer, back to back so that the machine's other load moves all three alike.
type scaleOutResult struct {
	single result // the bench's own instance, direct (scenario 2 measured again now)
	direct result // two instances behind HAProxy, each straight to PostgreSQL
	pooled result // the same over PgBouncer in transaction mode (statements: describe, detected)
}

// benchScaleOut runs scenario 7 against base (the bench's instance). On one 2-core
// machine a second instance cannot add CPU: the figures show what the balancer and the
// pooler cost, not a gain.
func benchScaleOut(ctx context.Context, base, dsn, ownerDSN, path, auth string, conns int) (out scaleOutResult, err error) {
	dir, err := os.MkdirTemp("", "acbench-scale")
	if err != nil {
		return out, err
	}
	defer os.RemoveAll(dir)
	os.Chmod(dir, 0o755) // PgBouncer runs as an unprivileged user when we are root
	env := []string{"MIGRATION_DATABASE_URL=" + ownerDSN, "LOG_LEVEL=warn", "CARD_REFRESH_TICK=0", "LOGIN_MAX_PER_IP=100000",
		fmt.Sprintf("DB_MAX_CONNS=%d", conns/2)} // the single instance has conns in all
	pgb, err := scaleout.StartPgBouncer(ctx, filepath.Join(dir, "pgbouncer"), dsn, []string{db.AppRole, embedded.OwnerRole}, conns)
	if err != nil {
		return out, err
	}
	defer pgb.Stop(10 * time.Second)
	// Both pairs start first (idle while not measured); all three are warmed for a
	// second first: connections open, statements planned.
	balanced := func(name, appDSN string) (string, func(), error) {
		sub := filepath.Join(dir, name)
		os.MkdirAll(sub, 0o755)
		instances, err := scaleout.StartInstances(ctx, sub, binary, 2, nil, append(env, "DATABASE_URL="+appDSN), nil)
		if err != nil {
			return "", nil, err
		}
		lb, err := scaleout.StartHAProxy(ctx, filepath.Join(sub, "haproxy"), []string{instances[0].Addr, instances[1].Addr})
		if err != nil {
			scaleout.StopAll(instances)
			return "", nil, err
		}
		return lb.URL, func() { lb.Stop(10 * time.Second); scaleout.StopAll(instances) }, nil
	}
	directURL, stopDirect, err := balanced("direct", dsn)
	if err != nil {
		return out, err
	}
	defer stopDirect()
	pooledURL, stopPooled, err := balanced("pooled", pgb.DSN(dsn))
	if err != nil {
		return out, err
	}
	defer stopPooled()
	for _, u := range []string{base, directURL, pooledURL} {
		if _, err := runWrkFor(ctx, u+path, conns, auth, "", 1); err != nil {
			return out, err
		}
	}
	for _, run := range []struct {
		name, url string
		into      *result
	}{{"one instance (scenario 2 again)", base, &out.single}, {"two instances behind HAProxy", directURL, &out.direct}, {"the same through PgBouncer", pooledURL, &out.pooled}} {
		logf("running 7. %s…", run.name)
		if *run.into, err = runWrk(ctx, run.url+path, conns, auth, ""); err != nil {
			return out, err
		}
		run.into.conns = conns
	}
	return out, nil
}

func reportScaleOut(s scaleOutResult) {
	fmt.Printf("\n7. scale-out on this machine: GET /api/agents (50), %d conns, back to back (ratio: to one instance in this scenario)\n", s.single.conns)
	row := func(name string, r result) {
		ratio := "-"
		if s.single.rps > 0 {
			ratio = fmt.Sprintf("%.2f", r.rps/s.single.rps)
		}
		fmt.Printf("   %-62s %7.0f req/s  p50 %7.2f ms  p99 %7.2f ms  errors %d  ratio %s\n", name, r.rps, r.p50, r.p99, r.errors, ratio)
	}
	row("one instance, direct to PostgreSQL", s.single)
	row("two instances behind HAProxy (round robin), direct", s.direct)
	row("two instances behind HAProxy, PgBouncer transaction mode", s.pooled)
}
