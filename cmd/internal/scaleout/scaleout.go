// Package scaleout runs agentconsole the way a real deployment does, on one machine:
// PgBouncer in transaction mode in front of PostgreSQL, several instances of the real
// binary over it, and HAProxy in front of them. The scale-out test and make bench use
// it. Every daemon binds 127.0.0.1 only, on a free port, and runs as an unprivileged
// user where it refuses root (PgBouncer). .ci/ensure-scaleout installs Debian's
// pgbouncer and haproxy packages when they are missing.
package scaleout

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// Daemon is a process we started; its output goes to a log file.
type Daemon struct {
	Name    string
	LogPath string
	cmd     *exec.Cmd
	done    chan struct{}
	err     error
}

func startDaemon(name, logPath string, cmd *exec.Cmd) (*Daemon, error) {
	f, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = f, f
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true // a Ctrl-C meant for us does not reach it first
	if err := cmd.Start(); err != nil {
		f.Close()
		return nil, fmt.Errorf("scaleout: start %s: %w", name, err)
	}
	d := &Daemon{Name: name, LogPath: logPath, cmd: cmd, done: make(chan struct{})}
	go func() {
		d.err = cmd.Wait()
		f.Close()
		close(d.done)
	}()
	return d, nil
}

// Pid is the daemon's process id.
func (d *Daemon) Pid() int { return d.cmd.Process.Pid }

// Exited reports whether the process has ended.
func (d *Daemon) Exited() bool {
	select {
	case <-d.done:
		return true
	default:
		return false
	}
}

// Log is what the daemon has written so far.
func (d *Daemon) Log() string {
	b, _ := os.ReadFile(d.LogPath)
	return string(b)
}

// Kill ends the process at once (SIGKILL) and waits for it.
func (d *Daemon) Kill() {
	d.cmd.Process.Signal(syscall.SIGKILL)
	<-d.done
}

// Stop asks the process to end (SIGTERM), and kills it after grace.
func (d *Daemon) Stop(grace time.Duration) {
	if d.Exited() {
		return
	}
	d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-d.done:
	case <-time.After(grace):
		d.Kill()
	}
}

// FreePort is a TCP port on 127.0.0.1 nothing listens on right now.
func FreePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// WaitHTTP polls url until it answers 200, until deadline (a guard against hanging,
// not a speed requirement) or until alive says the process is gone.
func WaitHTTP(ctx context.Context, url string, deadline time.Duration, alive func() bool) error {
	end := time.Now().Add(deadline)
	c := &http.Client{Timeout: 5 * time.Second}
	for {
		if resp, err := c.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
		}
		if alive != nil && !alive() {
			return fmt.Errorf("scaleout: %s: the process exited", url)
		}
		if time.Now().After(end) {
			return fmt.Errorf("scaleout: %s not ready after %s", url, deadline)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// lookBin finds a daemon in PATH or /usr/sbin (root's PATH has it, others' may not).
func lookBin(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	p := filepath.Join("/usr/sbin", name)
	if _, err := os.Stat(p); err == nil {
		return p, nil
	}
	return "", fmt.Errorf("scaleout: %s is not installed: run .ci/ensure-scaleout (Debian's %s package)", name, name)
}

// unprivileged is the user a daemon that refuses root runs as when we are root.
func unprivileged() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
	}
	return nil, errors.New("scaleout: running as root needs a postgres or nobody user for PgBouncer")
}

// PgBouncer is a running PgBouncer in transaction pooling mode.
type PgBouncer struct {
	*Daemon
	Port int
}

// StartPgBouncer runs PgBouncer in transaction mode on a free 127.0.0.1 port in front
// of the PostgreSQL server that serverDSN (any database on it) reaches, for every
// database on it; dir holds its configuration and log. Clients log in without a
// password as any role named in roles (the pooler is bound to 127.0.0.1); it logs in
// to PostgreSQL as that role with serverDSN's password, if any. poolSize is the number
// of server connections per database and role.
func StartPgBouncer(ctx context.Context, dir, serverDSN string, roles []string, poolSize int) (*PgBouncer, error) {
	bin, err := lookBin("pgbouncer")
	if err != nil {
		return nil, err
	}
	cfg, err := pgconn.ParseConfig(serverDSN)
	if err != nil {
		return nil, err
	}
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	var users strings.Builder
	for _, r := range roles {
		fmt.Fprintf(&users, "%q %q\n", r, cfg.Password)
	}
	// An unqualified host is a Unix socket folder for PgBouncer as for libpq.
	conf := fmt.Sprintf(`[databases]
* = host=%s port=%d

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = %d
unix_socket_dir =
auth_type = trust
auth_file = %s
pool_mode = transaction
default_pool_size = %d
max_client_conn = 1000
ignore_startup_parameters = extra_float_digits
log_connections = 0
log_disconnections = 0
`, cfg.Host, cfg.Port, port, filepath.Join(dir, "userlist.txt"), poolSize)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	// The unprivileged user must reach these files: the folder and every parent.
	os.Chmod(dir, 0o755)
	if err := os.WriteFile(filepath.Join(dir, "userlist.txt"), []byte(users.String()), 0o644); err != nil {
		return nil, err
	}
	ini := filepath.Join(dir, "pgbouncer.ini")
	if err := os.WriteFile(ini, []byte(conf), 0o644); err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, bin, ini)
	cred, err := unprivileged()
	if err != nil {
		return nil, err
	}
	if cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		cmd.Dir = os.TempDir()
	}
	d, err := startDaemon("pgbouncer", filepath.Join(dir, "pgbouncer.log"), cmd)
	if err != nil {
		return nil, err
	}
	p := &PgBouncer{Daemon: d, Port: port}
	// Ready when it accepts connections; it logs in to PostgreSQL only on demand.
	for end := time.Now().Add(time.Minute); ; {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second)
		if err == nil {
			c.Close()
			return p, nil
		}
		if d.Exited() || time.Now().After(end) {
			d.Stop(time.Second)
			return nil, fmt.Errorf("scaleout: pgbouncer did not start: %s", d.Log())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// DSN is dsn (a direct connection string) pointed at the pooler instead: same role,
// password and database.
func (p *PgBouncer) DSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn
	}
	u.Host = fmt.Sprintf("127.0.0.1:%d", p.Port)
	q := u.Query()
	q.Del("host")
	q.Del("port")
	q.Set("sslmode", "disable")
	u.RawQuery = q.Encode()
	return u.String()
}

// HAProxy is a running HAProxy balancing HTTP round-robin over instances.
type HAProxy struct {
	*Daemon
	URL string
}

// StartHAProxy balances round-robin over backends (host:port), checking each one's
// /readyz every 500 ms; a connection refused by an instance that died is retried on
// another (a request that reached an instance is never sent twice). Each answer says
// which instance gave it in X-Served-By (its index in backends).
func StartHAProxy(ctx context.Context, dir string, backends []string) (*HAProxy, error) {
	bin, err := lookBin("haproxy")
	if err != nil {
		return nil, err
	}
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	var servers strings.Builder
	for i, b := range backends {
		fmt.Fprintf(&servers, "    server i%d %s check inter 500ms fall 2 rise 1\n", i, b)
	}
	conf := fmt.Sprintf(`global
    maxconn 4000

defaults
    mode http
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    retries 3
    option redispatch

frontend console
    bind 127.0.0.1:%d
    default_backend instances

backend instances
    balance roundrobin
    option httpchk GET /readyz
    http-response set-header X-Served-By %%s
%s`, port, servers.String())
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	cfgPath := filepath.Join(dir, "haproxy.cfg")
	if err := os.WriteFile(cfgPath, []byte(conf), 0o644); err != nil {
		return nil, err
	}
	if out, err := exec.CommandContext(ctx, bin, "-c", "-q", "-f", cfgPath).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("scaleout: haproxy configuration: %w: %s", err, out)
	}
	// -db: stay in the foreground, so we own the process and its end.
	d, err := startDaemon("haproxy", filepath.Join(dir, "haproxy.log"), exec.CommandContext(ctx, bin, "-db", "-f", cfgPath))
	if err != nil {
		return nil, err
	}
	h := &HAProxy{Daemon: d, URL: fmt.Sprintf("http://127.0.0.1:%d", port)}
	if err := WaitHTTP(ctx, h.URL+"/healthz", time.Minute, func() bool { return !d.Exited() }); err != nil {
		d.Stop(time.Second)
		return nil, fmt.Errorf("%w: %s", err, d.Log())
	}
	return h, nil
}

// Instance is one running agentconsole server.
type Instance struct {
	*Daemon
	URL  string
	Addr string // host:port, for the balancer
}

// StartInstances starts n instances of bin ("serve" plus args) at once, each on its
// own free port with env added to ours (env[i] too, for instance i), and waits until
// every one answers /readyz.
func StartInstances(ctx context.Context, dir, bin string, n int, args []string, env []string, each func(i int) []string) ([]*Instance, error) {
	out := make([]*Instance, n)
	for i := range out {
		port, err := FreePort()
		if err != nil {
			return nil, err
		}
		cmd := exec.CommandContext(ctx, bin, append([]string{"serve"}, args...)...)
		cmd.Env = append(append(os.Environ(), env...), "PORT="+strconv.Itoa(port))
		if each != nil {
			cmd.Env = append(cmd.Env, each(i)...)
		}
		d, err := startDaemon(fmt.Sprintf("instance %d", i), filepath.Join(dir, fmt.Sprintf("instance%d.log", i)), cmd)
		if err != nil {
			StopAll(out)
			return nil, err
		}
		addr := fmt.Sprintf("127.0.0.1:%d", port)
		out[i] = &Instance{Daemon: d, URL: "http://" + addr, Addr: addr}
	}
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i, in := range out {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Generous: three instances may migrate and seed at once on a loaded machine.
			if err := WaitHTTP(ctx, in.URL+"/readyz", 3*time.Minute, func() bool { return !in.Exited() }); err != nil {
				errs[i] = fmt.Errorf("%s: %w\n%s", in.Name, err, tail(in.Log(), 4000))
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		StopAll(out)
		return nil, err
	}
	return out, nil
}

// StopAll stops every instance still running (SIGTERM: in-flight requests finish).
func StopAll(instances []*Instance) {
	for _, in := range instances {
		if in != nil {
			in.Stop(30 * time.Second)
		}
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
