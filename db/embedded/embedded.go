// Package embedded runs a private PostgreSQL cluster from the machine's own binaries:
// the default database of `make run`, the test harness and the benchmarks.
//
// The cluster listens only on a Unix socket in a short private directory, so it never
// collides with another server's TCP port, and initdb/pg_ctl run as the postgres user
// when we are root (initdb refuses root).
package embedded

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Cluster is a running private PostgreSQL server.
type Cluster struct {
	DataDir   string
	SocketDir string
	bin       string
	runAs     *user.User // nil when we are not root
	tempRoot  string     // removed by Stop when StartTemp made it
	attached  bool       // the server was running already: Stop leaves it running
}

// Options tune a cluster for its use.
type Options struct {
	// Fast trades durability for speed (fsync off): for tests and benchmarks only.
	Fast bool
	// Settings are extra postgresql.conf lines, e.g. "max_connections = 200".
	Settings []string
}

// BinDir finds the newest PostgreSQL server binaries on the machine (PG_BIN overrides).
func BinDir() (string, error) {
	if dir := os.Getenv("PG_BIN"); dir != "" {
		return dir, nil
	}
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		return filepath.Dir(p), nil
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_ctl")
	if len(matches) == 0 {
		return "", errors.New("embedded: PostgreSQL server binaries not found (install postgresql or set PG_BIN)")
	}
	sort.Slice(matches, func(i, j int) bool { return pgMajor(matches[i]) > pgMajor(matches[j]) })
	return filepath.Dir(matches[0]), nil
}

func pgMajor(path string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(path))))
	return n
}

// Start initialises dataDir if it holds no cluster yet and starts the server. A data
// folder the postgres user cannot reach (root-owned parents without search permission)
// is replaced by one under the system temp folder, keyed by the requested path.
func Start(ctx context.Context, dataDir string, opt Options) (*Cluster, error) {
	bin, err := BinDir()
	if err != nil {
		return nil, err
	}
	c := &Cluster{bin: bin}
	if os.Geteuid() == 0 {
		if c.runAs, err = user.Lookup("postgres"); err != nil {
			return nil, fmt.Errorf("embedded: running as root needs a postgres user: %w", err)
		}
	}
	if dataDir, err = filepath.Abs(dataDir); err != nil {
		return nil, err
	}
	if c.runAs != nil && !c.reachable(filepath.Dir(dataDir)) {
		dataDir = filepath.Join(os.TempDir(), "agentconsole-pg-"+strconv.FormatUint(uint64(hash(dataDir)), 36))
	}
	c.DataDir = dataDir
	// A short socket folder derived from the data folder: Unix socket paths are limited
	// to ~100 bytes, and a second command (seed, user create) finds a running server.
	c.SocketDir = filepath.Join(os.TempDir(), "acpg-"+strconv.FormatUint(uint64(hash(dataDir)), 36))
	if _, err := os.Stat(filepath.Join(dataDir, "PG_VERSION")); errors.Is(err, os.ErrNotExist) {
		if err := c.initdb(ctx, opt); err != nil {
			return nil, err
		}
	}
	if c.pgctl(ctx, "status") == nil {
		if _, err := os.Stat(filepath.Join(c.SocketDir, ".s.PGSQL.5432")); err == nil {
			c.attached = true
			return c, nil
		}
		// Running, but not where we can reach it (left by a killed parent): restart.
		_ = c.pgctl(ctx, "stop", "-m", "fast", "-w")
	}
	if err := os.MkdirAll(c.SocketDir, 0o700); err != nil {
		return nil, err
	}
	if err := c.chown(c.SocketDir); err != nil {
		return nil, err
	}
	if err := c.pgctl(ctx, "start", "-w", "-t", "60", "-l", filepath.Join(dataDir, "server.log"),
		"-o", c.serverOptions()); err != nil {
		log, _ := os.ReadFile(filepath.Join(dataDir, "server.log"))
		return nil, fmt.Errorf("embedded: start: %w\n%s", err, tail(string(log), 2000))
	}
	return c, nil
}

// StartTemp starts a throw-away cluster in a new temporary folder; Stop removes it.
func StartTemp(ctx context.Context, opt Options) (*Cluster, error) {
	dir, err := os.MkdirTemp("", "acpgdata")
	if err != nil {
		return nil, err
	}
	// MkdirTemp makes the folder 0700; the postgres user must be able to enter it.
	if err := os.Chmod(dir, 0o755); err != nil {
		return nil, err
	}
	c, err := Start(ctx, filepath.Join(dir, "data"), opt)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if c.DataDir == filepath.Join(dir, "data") {
		c.tempRoot = dir
	} else {
		os.RemoveAll(dir)
	}
	return c, nil
}

// DSN is a connection string for database name on this cluster.
func (c *Cluster) DSN(name string) string {
	return fmt.Sprintf("postgres://postgres@/%s?host=%s&sslmode=disable", name, c.SocketDir)
}

func (c *Cluster) serverOptions() string {
	return fmt.Sprintf("-k %s -c listen_addresses=''", c.SocketDir)
}

// Stop shuts the server down (fast mode: open sessions are rolled back), unless it was
// already running when Start found it.
func (c *Cluster) Stop() error {
	if c.attached {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := c.pgctl(ctx, "stop", "-m", "fast", "-w")
	os.RemoveAll(c.SocketDir)
	if c.tempRoot != "" {
		os.RemoveAll(c.tempRoot)
	}
	return err
}

// Pause stops the server and keeps the data (fault tests: the database goes away).
func (c *Cluster) Pause(ctx context.Context) error {
	return c.pgctl(ctx, "stop", "-m", "fast", "-w")
}

// Resume starts a paused server again.
func (c *Cluster) Resume(ctx context.Context) error {
	return c.pgctl(ctx, "start", "-w", "-t", "60", "-l", filepath.Join(c.DataDir, "server.log"), "-o", c.serverOptions())
}

// Restart stops and starts the server with the same data: used by fault tests.
func (c *Cluster) Restart(ctx context.Context) error {
	if err := c.pgctl(ctx, "restart", "-m", "fast", "-w", "-o", c.serverOptions()); err != nil {
		return fmt.Errorf("embedded: restart: %w", err)
	}
	return nil
}

func (c *Cluster) initdb(ctx context.Context, opt Options) error {
	// Parents must stay searchable by the postgres user; the data folder is private.
	if err := os.MkdirAll(filepath.Dir(c.DataDir), 0o755); err != nil {
		return err
	}
	if err := os.Mkdir(c.DataDir, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		return err
	}
	if err := c.chown(c.DataDir); err != nil {
		return err
	}
	if err := c.run(ctx, "initdb", "-D", c.DataDir, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "-N"); err != nil {
		return fmt.Errorf("embedded: initdb: %w", err)
	}
	conf := []string{"", "# agentconsole private cluster", "max_connections = 200", "shared_buffers = 128MB"}
	if opt.Fast {
		conf = append(conf, "fsync = off", "synchronous_commit = off", "full_page_writes = off")
	}
	conf = append(conf, opt.Settings...)
	f, err := os.OpenFile(filepath.Join(c.DataDir, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = f.WriteString(strings.Join(conf, "\n") + "\n")
	return err
}

func (c *Cluster) pgctl(ctx context.Context, args ...string) error {
	return c.run(ctx, "pg_ctl", append([]string{"-D", c.DataDir}, args...)...)
}

func (c *Cluster) run(ctx context.Context, name string, args ...string) error {
	cmd := exec.CommandContext(ctx, filepath.Join(c.bin, name), args...)
	if c.runAs != nil {
		uid, _ := strconv.Atoi(c.runAs.Uid)
		gid, _ := strconv.Atoi(c.runAs.Gid)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}
		cmd.Dir = os.TempDir()
	}
	// Its own process group: Ctrl-C in the terminal reaches us, and we stop the server
	// cleanly instead of the signal killing it mid-way.
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %w: %s", name, err, tail(string(out), 2000))
	}
	return nil
}

func (c *Cluster) chown(dir string) error {
	if c.runAs == nil {
		return nil
	}
	uid, _ := strconv.Atoi(c.runAs.Uid)
	gid, _ := strconv.Atoi(c.runAs.Gid)
	return os.Chown(dir, uid, gid)
}

// reachable reports whether the postgres user can search every folder down to dir.
func (c *Cluster) reachable(dir string) bool {
	for d := dir; ; d = filepath.Dir(d) {
		st, err := os.Stat(d)
		if err == nil && st.Mode().Perm()&0o001 == 0 {
			return false
		}
		if d == filepath.Dir(d) {
			return true
		}
	}
}

func hash(s string) uint32 {
	var h uint32 = 2166136261
	for i := 0; i < len(s); i++ {
		h = (h ^ uint32(s[i])) * 16777619
	}
	return h
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
