package main

import (
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	"agentconsole/db"
	"agentconsole/web"
	"agentconsole/web/fetch"
)

// config is everything read from the environment (12-factor).
type config struct {
	DatabaseURL string
	// MigrationURL connects as the schema's owner for migrations, directly (not through
	// a transaction pooler: the migration advisory lock is held by that session).
	MigrationURL string
	DataDir      string
	MaxConns     int
	// Statements is DATABASE_STATEMENTS: how the hot reads reach PostgreSQL (empty:
	// detected, see db.StatementMode).
	Statements db.StatementMode
	LogLevel   slog.Level
	Web        web.Config
}

func loadConfig() (config, error) {
	c := config{DatabaseURL: os.Getenv("DATABASE_URL"), DataDir: env("DATA_DIR", ".data"), Web: web.DefaultConfig()}
	c.MigrationURL = env("MIGRATION_DATABASE_URL", c.DatabaseURL)
	var err error
	c.Web.Addr = ":" + env("PORT", "8080")
	c.Web.MetricsAddr = os.Getenv("METRICS_ADDR")
	c.Web.EmailDomain = env("AGENT_EMAIL_DOMAIN", c.Web.EmailDomain)
	if c.MaxConns, err = envInt("DB_MAX_CONNS", 20); err != nil {
		return c, err
	}
	if c.Web.MaxInFlight, err = envInt("MAX_REQUESTS_IN_FLIGHT", web.DefaultMaxInFlight(c.MaxConns)); err != nil {
		return c, err
	}
	if c.Web.MaxFetches, err = envInt("MAX_CARD_FETCHES", web.DefaultMaxFetches); err != nil {
		return c, err
	}
	if c.Web.MaxFetchesPerHost, err = envInt("MAX_CARD_FETCHES_PER_HOST", web.DefaultMaxFetchesPerHost); err != nil {
		return c, err
	}
	if c.Statements, err = db.ParseStatementMode(os.Getenv("DATABASE_STATEMENTS")); err != nil {
		return c, fmt.Errorf("DATABASE_STATEMENTS: %w", err)
	}
	if err := c.LogLevel.UnmarshalText([]byte(env("LOG_LEVEL", "info"))); err != nil {
		return c, fmt.Errorf("LOG_LEVEL: %w", err)
	}
	if c.Web.SecureCookies, err = envBool("COOKIE_SECURE", false); err != nil {
		return c, err
	}
	if c.Web.TrustProxy, err = envBool("TRUST_PROXY", false); err != nil {
		return c, err
	}
	if v := os.Getenv("SESSION_TTL"); v != "" {
		if c.Web.SessionTTL, err = time.ParseDuration(v); err != nil {
			return c, fmt.Errorf("SESSION_TTL: %w", err)
		}
	}
	for _, h := range strings.Split(os.Getenv("FETCH_ALLOW_HOSTS"), ",") {
		if h = strings.TrimSpace(h); h != "" {
			if _, err := fetch.AllowHostEntry(h); err != nil {
				return c, fmt.Errorf("FETCH_ALLOW_HOSTS: %w", err)
			}
			c.Web.Fetch.AllowHosts = append(c.Web.Fetch.AllowHosts, h)
		}
	}
	for _, n := range strings.Split(os.Getenv("FETCH_ALLOW_NETS"), ",") {
		if n = strings.TrimSpace(n); n != "" {
			p, err := netip.ParsePrefix(n)
			if err != nil {
				return c, fmt.Errorf("FETCH_ALLOW_NETS: %w", err)
			}
			c.Web.Fetch.AllowNets = append(c.Web.Fetch.AllowNets, p)
		}
	}
	if v := os.Getenv("CARD_REFRESH_TICK"); v != "" {
		if c.Web.CardTick, err = time.ParseDuration(v); err != nil {
			return c, fmt.Errorf("CARD_REFRESH_TICK: %w", err)
		}
	}
	// One "minute" of an agent's refreshIntervalMinutes: tests shorten it to run the
	// scheduler of the real binary through many intervals.
	if v := os.Getenv("CARD_REFRESH_UNIT"); v != "" {
		if c.Web.CardUnit, err = time.ParseDuration(v); err != nil || c.Web.CardUnit <= 0 {
			return c, fmt.Errorf("CARD_REFRESH_UNIT: want a positive duration, got %q", v)
		}
	}
	if c.Web.LoginMaxPerAccount, err = envInt("LOGIN_MAX_PER_ACCOUNT", c.Web.LoginMaxPerAccount); err != nil {
		return c, err
	}
	if c.Web.LoginMaxPerIP, err = envInt("LOGIN_MAX_PER_IP", c.Web.LoginMaxPerIP); err != nil {
		return c, err
	}
	return c, nil
}

func newLogger(level slog.Level) *slog.Logger {
	return slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func envInt(name string, def int) (int, error) {
	v := os.Getenv(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", name, err)
	}
	return n, nil
}

func envBool(name string, def bool) (bool, error) {
	v := os.Getenv(name)
	if v == "" {
		return def, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("%s: %w", name, err)
	}
	return b, nil
}
