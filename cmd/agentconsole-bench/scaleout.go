package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"agentconsole/cmd/internal/scaleout"
	"agentconsole/db"
	"agentconsole/db/embedded"
)

// scaleOutResult is scenario 7: the API list (scenario 2) through HAProxy over two more
// instances of the binary, on a direct connection and then through PgBouncer.
type scaleOutResult struct {
	baseline float64 // scenario 2: one instance, direct
	direct   result  // two instances behind HAProxy, each straight to PostgreSQL
	pooled   result  // the same over PgBouncer in transaction mode (statements: describe, detected)
}

// benchScaleOut runs scenario 7. On one 2-core machine a second instance cannot add
// CPU: the figures show what the balancer and the pooler cost, not a gain.
func benchScaleOut(ctx context.Context, dsn, ownerDSN, path, auth string, conns int) (direct, pooled result, err error) {
	dir, err := os.MkdirTemp("", "acbench-scale")
	if err != nil {
		return direct, pooled, err
	}
	defer os.RemoveAll(dir)
	os.Chmod(dir, 0o755) // PgBouncer runs as an unprivileged user when we are root
	env := []string{"MIGRATION_DATABASE_URL=" + ownerDSN, "LOG_LEVEL=warn", "CARD_REFRESH_TICK=0", "LOGIN_MAX_PER_IP=100000",
		fmt.Sprintf("DB_MAX_CONNS=%d", conns/2)} // the single instance has conns in all
	run := func(name, appDSN string) (result, error) {
		sub := filepath.Join(dir, name)
		os.MkdirAll(sub, 0o755)
		instances, err := scaleout.StartInstances(ctx, sub, binary, 2, nil, append(env, "DATABASE_URL="+appDSN), nil)
		if err != nil {
			return result{}, err
		}
		defer scaleout.StopAll(instances)
		lb, err := scaleout.StartHAProxy(ctx, filepath.Join(sub, "haproxy"), []string{instances[0].Addr, instances[1].Addr})
		if err != nil {
			return result{}, err
		}
		defer lb.Stop(10 * time.Second)
		r, err := runWrk(ctx, lb.URL+path, conns, auth, "")
		r.conns = conns
		return r, err
	}
	logf("running 7. two instances behind HAProxy…")
	if direct, err = run("direct", dsn); err != nil {
		return direct, pooled, err
	}
	pgb, err := scaleout.StartPgBouncer(ctx, filepath.Join(dir, "pgbouncer"), dsn, []string{db.AppRole, embedded.OwnerRole}, conns)
	if err != nil {
		return direct, pooled, err
	}
	defer pgb.Stop(10 * time.Second)
	logf("running 7b. the same over PgBouncer (transaction mode)…")
	pooled, err = run("pooled", pgb.DSN(dsn))
	return direct, pooled, err
}

func reportScaleOut(s scaleOutResult) {
	fmt.Printf("\n7. scale-out on this machine: GET /api/agents (50), %d conns, wrk through HAProxy (round robin) to two instances\n", s.direct.conns)
	row := func(name string, r result) {
		ratio := "-"
		if s.baseline > 0 {
			ratio = fmt.Sprintf("%.2f", r.rps/s.baseline)
		}
		fmt.Printf("   %-58s %7.0f req/s  p50 %7.2f ms  p99 %7.2f ms  errors %d  ratio to one instance %s\n", name, r.rps, r.p50, r.p99, r.errors, ratio)
	}
	fmt.Printf("   %-58s %7.0f req/s (scenario 2)\n", "one instance, direct", s.baseline)
	row("7. two instances behind HAProxy, direct to PostgreSQL", s.direct)
	row("7b. the same through PgBouncer (transaction mode, describe)", s.pooled)
}

// baselineOf is the req/s of the scenario whose name starts with prefix.
func baselineOf(results []result, prefix string) float64 {
	for _, r := range results {
		if strings.HasPrefix(r.name, prefix) {
			return r.rps
		}
	}
	return 0
}
