// Command agentconsole is the web admin console and JSON API for the agents platform,
// and its operator tool: serve, migrate, seed, org create, user create, user
// platform-operator, token create, catalog import; and a client of a running server
// for agents as code: agents pull, plan, apply.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	_ "net/http/pprof"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"agentconsole/db"
	"agentconsole/db/catalog"
	"agentconsole/db/embedded"
	"agentconsole/web"
)

const usage = `agentconsole — admin console and API for the agents platform.

Usage:
  agentconsole serve [--dev]        serve the console and API on $PORT (default 8080);
                                    migrations run first under an advisory lock.
                                    --dev also seeds the demo organisation (as seed does)
                                    and prints its logins. With DATABASE_URL unset, a private
                                    PostgreSQL is started under $DATA_DIR (default .data).
  agentconsole migrate              apply pending database migrations and exit
  agentconsole seed                 create the demo organisation, its users and its content
                                    (agents with history, tags, knowledge bases, MCP
                                    servers, external agents with cached cards); adds
                                    only what is missing, so running it again changes nothing
  agentconsole org create NAME [--slug SLUG]
                                    create an organisation (the slug defaults to one made
                                    from NAME); then add its first admin with user create
  agentconsole user create --org SLUG --email E --name N --role admin|builder|reviewer [--platform-operator]
                                    create a user (password read from $PASSWORD or stdin);
                                    --platform-operator also lets them change platform data
  agentconsole user platform-operator EMAIL on|off
                                    grant or withdraw a user's platform-operator flag. Only
                                    platform operators (and this CLI) change the tool catalog
                                    and the model registry, which every organisation shares;
                                    no organisation role grants it, and no console page or
                                    API route can set it
  agentconsole token create --email E --name N [--expires DURATION]
                                    create an API token acting as that user in their
                                    organisation (expiring after e.g. 720h); prints the
                                    secret once
  agentconsole catalog import FILE  load a newer tool catalog (every schema is checked
                                    first; at most 500 tools, 64 KB of schema per tool);
                                    agents keep their schemas until synced; every
                                    organisation's audit log records the load
  agentconsole agents pull DIR [--url URL] [--output text|json]
                                    write one YAML file per agent (DIR/<uuid>.yaml: references
                                    by name, no ids, no secrets) and the version each was read
                                    at (DIR/.agentconsole-state.yaml); pulling twice changes nothing
  agentconsole agents plan DIR [--prune] [--output json]
                                    show, per agent, what apply would change (created, changed
                                    fields and prompt lines, deleted); exit 0 when nothing, 2 when
                                    there are changes
  agentconsole agents apply DIR [--message MSG] [--force] [--prune] [--dry-run] [--output json]
                                    save each changed agent in one call with MSG on its version;
                                    an agent changed on the server since the pull is refused
                                    and named (--force overwrites); a deleted file deletes its
                                    agent only with --prune; exit 1 if any agent failed
                                    The agents commands talk to a server: --url (default
                                    $AGENTCONSOLE_URL or http://localhost:8080), token from
                                    $AGENTCONSOLE_TOKEN

Environment: DATABASE_URL (the server's least-privileged role), MIGRATION_DATABASE_URL
(the schema owner, a direct connection; default DATABASE_URL), PORT, METRICS_ADDR (serve
/metrics only there), DATA_DIR, LOG_LEVEL (debug|info|warn|error), COOKIE_SECURE,
TRUST_PROXY, SESSION_TTL, DB_MAX_CONNS, MAX_REQUESTS_IN_FLIGHT (requests run at once, the
rest queue in order; default the pool size, at most 4 per CPU; 0: no limit), DATABASE_STATEMENTS (auto|prepared|describe|simple;
describe or simple behind a transaction pooler), LOGIN_MAX_PER_ACCOUNT, LOGIN_MAX_PER_IP.
See README.md.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdin, os.Stdout); err != nil {
		var ee *exitError
		if errors.As(err, &ee) {
			if ee.msg != "" {
				fmt.Fprintln(os.Stderr, "agentconsole:", ee.msg)
			}
			os.Exit(ee.code)
		}
		fmt.Fprintln(os.Stderr, "agentconsole:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, usage)
		return nil
	}
	if args[0] == "agents" { // a client of a server: no database, no server configuration
		return agentsCommand(ctx, args[1:], stdout)
	}
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	log := newLogger(cfg.LogLevel)
	slog.SetDefault(log)

	switch cmd := strings.Join(args[:min(2, len(args))], " "); {
	case args[0] == "serve":
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		dev := fs.Bool("dev", false, "seed the demo organisation and print its logins")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		return serve(ctx, cfg, log, *dev, stdout)
	case args[0] == "migrate":
		return withDatabase(ctx, cfg, func(d dsns) error {
			applied, err := migrate(ctx, d)
			fmt.Fprintf(stdout, "applied %d migrations %v\n", len(applied), applied)
			return err
		})
	case args[0] == "seed":
		return withStore(ctx, cfg, true, func(s *db.Store) error {
			created, added, err := seedDemo(ctx, s)
			if err == nil {
				fmt.Fprintf(stdout, "demo organisation ready (created now: %v); added %d agents, %d tags, %d knowledge bases, %d MCP servers, %d skill rules, %d card refreshes\n",
					created, added.Agents, added.Tags, added.KnowledgeBases, added.MCPServers, added.SkillRules, added.CardRefreshes)
			}
			return err
		})
	case cmd == "org create":
		return orgCreate(ctx, cfg, args[2:], stdout)
	case cmd == "user create":
		return userCreate(ctx, cfg, args[2:], stdin, stdout)
	case cmd == "user platform-operator":
		return userPlatformOperator(ctx, cfg, args[2:], stdout)
	case cmd == "token create":
		return tokenCreate(ctx, cfg, args[2:], stdout)
	case cmd == "catalog import":
		if len(args) != 3 {
			return errors.New("catalog import: give the catalog file: agentconsole catalog import FILE")
		}
		return catalogImport(ctx, cfg, args[2], stdout)
	default:
		return fmt.Errorf("unknown command %q (see agentconsole --help)", strings.Join(args, " "))
	}
}

func serve(ctx context.Context, cfg config, log *slog.Logger, dev bool, stdout io.Writer) error {
	started := time.Now()
	tuneGC()
	// Profiling on a separate, operator-chosen address only (e.g. PPROF_ADDR=127.0.0.1:6060).
	if addr := os.Getenv("PPROF_ADDR"); addr != "" {
		go http.ListenAndServe(addr, nil)
	}
	return withDatabase(ctx, cfg, func(d dsns) error {
		applied, err := migrate(ctx, d)
		if err != nil {
			return err
		}
		if len(applied) > 0 {
			log.Info("migrated", "applied", applied)
		}
		s, err := openApp(ctx, cfg, d.app)
		if err != nil {
			return err
		}
		defer s.Close()
		log.Info("database", "statements", s.Statements(), "proxied", s.Proxied())
		if s.Proxied() && s.Statements() == db.StatementsPrepared {
			log.Warn("DATABASE_STATEMENTS=prepared through a pooler or proxy: a transaction pooler (PgBouncer in transaction mode) loses prepared statements between transactions; use describe or simple there")
		}
		warnings, err := s.PrivilegeWarnings(ctx)
		if err != nil {
			return err
		}
		for _, w := range warnings {
			log.Warn(w+": the audit log can be erased; run the server as a least-privileged role (see MIGRATION_DATABASE_URL)", "role_for_grants", db.AppRole)
		}
		if dev {
			if _, _, err := seedDemo(ctx, s); err != nil {
				return err
			}
		}
		srv, err := web.New(ctx, cfg.Web, s, log)
		if err != nil {
			return err
		}
		log.Info("ready", "addr", cfg.Web.Addr, "startup_ms", time.Since(started).Milliseconds())
		if dev {
			printDemo(stdout, cfg.Web.Addr)
		}
		return srv.Listen(ctx)
	})
}

// tuneGC sets the collector's defaults for a small server (GOGC and GOMEMLIMIT in the
// environment override each): a soft memory limit of 34 MiB as the only trigger (GOGC
// off).
//
// Why GOGC off: with GOGC=100 the heap goal is twice the live heap, which under load is
// 5–12 MB, so the collector ran whenever a few MB had been allocated: in make bench
// (one 6 s run each) 21 collections per 1,000 list requests, 26 API list, 18 editor,
// 29 history, 61 diff, 63 save. The runtime's own overhead takes about 11 MB of the
// limit, so the limit alone puts the goal near 23 MB: 15, 16, 13, 12, 26 and 57 in the
// same run (with requests in flight bounded, see MAX_REQUESTS_IN_FLIGHT). The cost is
// that the runtime sits at its limit under any sustained load, and an idle server keeps
// garbage up to it (no two-minute collection).
//
// Why 34 MiB: the resident set is the runtime's memory plus about 3 MiB the limit does
// not count (the executable's written data pages) plus the executable's pages (about
// 24.5 MiB, statically linked). At 36 MiB make bench peaked at 63.7 MiB (anonymous 39.1,
// in scenario 7 where a slow instance holds heavy API responses), too close to the 64
// MiB target; at 34 it peaked at 57.7 (anonymous 33.0) for about 20% more collections
// than at 36. At 56 MiB long runs let idle heap build up to the limit (81 MiB resident).
func tuneGC() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(34 << 20)
	}
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(-1)
	}
}

// seedDemo creates the demo organisation and its logins, then the demo content
// (agents, tags, cards…) that shows the product on a first run; both are idempotent.
func seedDemo(ctx context.Context, s *db.Store) (created bool, added *db.DemoContent, err error) {
	if created, err = s.SeedDemo(ctx); err != nil {
		return created, nil, err
	}
	added, err = s.SeedDemoContent(ctx)
	return created, added, err
}

func printDemo(w io.Writer, addr string) {
	host := addr
	if strings.HasPrefix(host, ":") {
		host = "localhost" + host
	}
	fmt.Fprintf(w, "\n  agentconsole is running at http://%s\n\n  Demo logins (organisation \"Demo Org\"):\n", host)
	for _, l := range db.DemoLogins {
		note := ""
		if l.PlatformOperator {
			note = "  (platform operator: loads catalogs, adds models)"
		}
		fmt.Fprintf(w, "    %-9s %-20s password: %s%s\n", l.Role, l.Email, l.Password, note)
	}
	fmt.Fprintf(w, "\n  Press Ctrl-C to stop the server (and its private database).\n\n")
}

// dsns are the two ways into the database: the server's least-privileged role (app)
// and the schema owner that migrations run as (owner).
type dsns struct{ app, owner string }

// withDatabase finds the database (starting the private cluster, with its owner and
// app roles, when DATABASE_URL is unset), runs fn, and stops the cluster cleanly.
func withDatabase(ctx context.Context, cfg config, fn func(dsns) error) (err error) {
	if cfg.DatabaseURL != "" {
		return fn(dsns{app: cfg.DatabaseURL, owner: cfg.MigrationURL})
	}
	cluster, err := embedded.Start(ctx, cfg.DataDir+"/pg", embedded.Options{})
	if err != nil {
		return err
	}
	defer func() {
		if stopErr := cluster.Stop(); stopErr != nil && err == nil {
			err = stopErr
		}
	}()
	owner, app, err := cluster.Provision(ctx, "agentconsole")
	if err != nil {
		return err
	}
	slog.Info("using the private PostgreSQL", "data_dir", cluster.DataDir)
	return fn(dsns{app: app, owner: owner})
}

// withStore runs fn on a store connected as the server's role, migrating first (as the
// owner) when asked.
func withStore(ctx context.Context, cfg config, migrateFirst bool, fn func(*db.Store) error) error {
	return withDatabase(ctx, cfg, func(d dsns) error {
		if migrateFirst {
			if _, err := migrate(ctx, d); err != nil {
				return err
			}
		}
		s, err := openApp(ctx, cfg, d.app)
		if err != nil {
			return err
		}
		defer s.Close()
		return fn(s)
	})
}

// openApp connects as the server's role (DATABASE_URL, which may go through a pooler).
func openApp(ctx context.Context, cfg config, dsn string) (*db.Store, error) {
	return db.OpenWith(ctx, dsn, db.Options{MaxConns: cfg.MaxConns, Statements: cfg.Statements})
}

// migrate applies pending migrations over the owner's own connection. That connection
// should be direct: the migration lock is a session advisory lock, which a transaction
// pooler would leave on whichever server connection took it.
func migrate(ctx context.Context, d dsns) ([]string, error) {
	s, err := db.Open(ctx, d.owner, 2)
	if err != nil {
		return nil, fmt.Errorf("MIGRATION_DATABASE_URL: %w", err)
	}
	defer s.Close()
	if s.Proxied() {
		slog.Warn("MIGRATION_DATABASE_URL goes through a pooler or proxy: migrations hold a session advisory lock, so give them a direct connection to PostgreSQL (a transaction pooler breaks the lock)")
	}
	return s.Migrate(ctx)
}

func userCreate(ctx context.Context, cfg config, args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("user create", flag.ContinueOnError)
	org := fs.String("org", "demo", "organisation slug")
	email := fs.String("email", "", "email address (login)")
	name := fs.String("name", "", "display name")
	role := fs.String("role", "builder", "admin, builder or reviewer")
	operator := fs.Bool("platform-operator", false, "let the user change platform data (tool catalog, model registry)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *email == "" || *name == "" {
		return errors.New("user create: --email and --name are required")
	}
	password := os.Getenv("PASSWORD")
	if password == "" {
		b, _ := io.ReadAll(io.LimitReader(stdin, 1024))
		password = strings.TrimSpace(string(b))
	}
	// The store's rules, said here with the flag or source each value came from.
	if issues := db.UserIssues(*email, *name, password); len(issues) > 0 {
		from := map[any]string{"email": "--email", "name": "--name", "password": "the password (from $PASSWORD or stdin)"}[issues[0].Path[0]]
		return fmt.Errorf("user create: %s: %s", from, issues[0].Message)
	}
	return withStore(ctx, cfg, false, func(s *db.Store) error {
		o, err := s.OrganizationBySlug(ctx, *org)
		if err != nil {
			return err
		}
		u, err := s.CreateUser(ctx, o.ID, *email, *name, password, db.Role(*role))
		if err != nil {
			return err
		}
		note := ""
		if *operator {
			if _, err := s.SetPlatformOperator(ctx, u.Email, true); err != nil {
				return err
			}
			note = ", platform operator"
		}
		fmt.Fprintf(stdout, "created user %d %s (%s) in %s%s\n", u.ID, u.Email, *role, o.Slug, note)
		return s.Audit(ctx, s.DB, &db.Actor{OrgID: o.ID, Email: "cli", Via: "cli"}, "member.added", "user", u.ID, u.Email+" as "+*role)
	})
}

// orgCreate is `org create NAME [--slug SLUG]` (the name may come before or after flags).
func orgCreate(ctx context.Context, cfg config, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("org create", flag.ContinueOnError)
	slug := fs.String("slug", "", "URL-friendly id (default: made from NAME)")
	var name string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if name == "" && fs.NArg() > 0 {
		name = fs.Arg(0)
	}
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 200 {
		return errors.New("org create: give the organisation's name (at most 200 characters): agentconsole org create NAME [--slug SLUG]")
	}
	if *slug == "" {
		*slug = db.OrgSlugFrom(name)
	}
	if !db.ValidOrgSlug(*slug) {
		return fmt.Errorf("org create: slug %q must be lowercase letters, digits and -, at most 63 characters", *slug)
	}
	// Migrations run as the owner (MIGRATION_DATABASE_URL), never on the server's role.
	return withStore(ctx, cfg, true, func(s *db.Store) error {
		o, err := s.CreateOrganization(ctx, s.DB, name, *slug)
		if errors.Is(err, db.ErrSlugTaken) {
			return fmt.Errorf("org create: an organisation with slug %q exists already (choose another with --slug)", *slug)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "created organisation %d %s (%s); add its first admin with: agentconsole user create --org %s --email E --name N --role admin\n",
			o.ID, o.Slug, o.Name, o.Slug)
		return s.Audit(ctx, s.DB, &db.Actor{OrgID: o.ID, Email: "cli", Via: "cli"}, "org.created", "organization", o.ID, o.Name)
	})
}

// userPlatformOperator is `user platform-operator EMAIL on|off`.
func userPlatformOperator(ctx context.Context, cfg config, args []string, stdout io.Writer) error {
	if len(args) != 2 || args[1] != "on" && args[1] != "off" {
		return errors.New("user platform-operator: agentconsole user platform-operator EMAIL on|off")
	}
	on := args[1] == "on"
	return withStore(ctx, cfg, false, func(s *db.Store) error {
		u, err := s.SetPlatformOperator(ctx, args[0], on)
		if err != nil {
			return fmt.Errorf("user platform-operator: %w", err)
		}
		if on {
			fmt.Fprintf(stdout, "%s is now a platform operator\n", u.Email)
		} else {
			fmt.Fprintf(stdout, "%s is no longer a platform operator\n", u.Email)
		}
		return nil
	})
}

func tokenCreate(ctx context.Context, cfg config, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("token create", flag.ContinueOnError)
	email := fs.String("email", "", "the user the token acts as")
	name := fs.String("name", "cli", "a name to recognise the token by")
	expires := fs.Duration("expires", 0, "lifetime, e.g. 720h (default: never expires)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *email == "" {
		return errors.New("token create: --email is required")
	}
	if *expires < 0 {
		return errors.New("token create: --expires must be positive")
	}
	var expiresAt *time.Time
	if *expires > 0 {
		t := time.Now().Add(*expires)
		expiresAt = &t
	}
	return withStore(ctx, cfg, false, func(s *db.Store) error {
		owner, err := s.ActorByEmail(ctx, *email)
		if err != nil {
			return fmt.Errorf("token create: %w", err)
		}
		owner.Via = "cli"
		_, secret, err := s.CreateToken(ctx, owner, owner.UserID, *name, expiresAt)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, secret)
		return nil
	})
}

func catalogImport(ctx context.Context, cfg config, path string, stdout io.Writer) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	parsed, err := catalog.Parse(raw)
	if err != nil {
		return err
	}
	return withStore(ctx, cfg, true, func(s *db.Store) error {
		res, err := s.ImportCatalog(ctx, nil, parsed, raw, "cli")
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "catalog %s loaded: added %v, changed %v, removed %v\n", res.CatalogVersion, res.Added, res.Changed, res.Removed)
		return nil
	})
}
