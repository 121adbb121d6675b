package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/uptrace/bun"
	"golang.org/x/crypto/bcrypt"
)

// LoginLimits throttle sign-ins: at most PerAccount failed attempts per account and
// PerAddress per client address within Window.
type LoginLimits struct {
	PerAccount int
	PerAddress int
	Window     time.Duration
}

// ErrLoginThrottled is a sign-in refused, without checking the password, because the
// account or the address has used up its failed attempts.
var ErrLoginThrottled = errors.New("db: too many failed sign-in attempts")

// Advisory lock classes (pg_advisory_xact_lock(class, key)) serialising the throttle
// check of one account and of one address.
const (
	loginAccountLock = 0x6c6f6761 // "loga"
	loginAddressLock = 0x6c6f6769 // "logi"
)

// Login checks an email and password under the throttle, for every instance at once.
// The attempt is counted before the password is checked: one short transaction takes
// transaction-level advisory locks on the account and on the address (released at
// commit, so this works behind a pooler in transaction mode), counts the recent
// failures, and records this attempt as one only when both counts are under their
// limits. Parallel attempts therefore cannot all pass a check made before any of them
// was recorded: exactly the allowed number reach bcrypt. A wrong password leaves the
// attempt recorded as the failure; a right one clears the account's failures.
func (s *Store) Login(ctx context.Context, email, password, ip string, lim LoginLimits) (*Actor, error) {
	attempt, err := s.countLoginAttempt(ctx, email, ip, lim)
	if err != nil {
		return nil, err
	}
	if attempt == 0 {
		return nil, ErrLoginThrottled
	}
	actor, err := s.Authenticate(ctx, email, password)
	if errors.Is(err, ErrBadCredentials) {
		if err := s.auditLoginFailure(ctx, email, ip); err != nil {
			return nil, err
		}
		return nil, err
	}
	if err != nil {
		// Not a wrong password (the database failed): do not count it against the user.
		s.DB.NewRaw("DELETE FROM login_failures WHERE id = ?", attempt).Exec(context.WithoutCancel(ctx))
		return nil, err
	}
	if err := s.ClearLoginFailures(ctx, email); err != nil {
		return nil, err
	}
	return actor, nil
}

// countLoginAttempt records an attempt when the account and the address are under
// their limits and returns its id, or 0 when the attempt is throttled.
func (s *Store) countLoginAttempt(ctx context.Context, email, ip string, lim LoginLimits) (int64, error) {
	var id int64
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		// Always the account first, then the address: no two attempts wait on each other
		// in opposite orders.
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(?, hashtext(lower(?)))", loginAccountLock, email); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(?, hashtext(?))", loginAddressLock, ip); err != nil {
			return err
		}
		// A new statement, so a new snapshot: it sees every attempt committed before the locks were ours.
		err := tx.NewRaw(`INSERT INTO login_failures (email, ip) SELECT ?, ?
			WHERE (SELECT count(*) FROM login_failures WHERE lower(email) = lower(?) AND at > now() - make_interval(secs => ?)) < ?
			AND (SELECT count(*) FROM login_failures WHERE ip = ? AND at > now() - make_interval(secs => ?)) < ?
			RETURNING id`, email, ip, email, lim.Window.Seconds(), lim.PerAccount, ip, lim.Window.Seconds(), lim.PerAddress).Scan(ctx, &id)
		if errors.Is(err, sql.ErrNoRows) {
			id = 0
			return nil
		}
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("db: count login attempt: %w", err)
	}
	return id, nil
}

// auditLoginFailure puts a failed login in the audit log when the account exists in an
// organisation.
func (s *Store) auditLoginFailure(ctx context.Context, email, ip string) error {
	_, err := s.DB.NewRaw(`INSERT INTO audit_log (org_id, actor_user_id, actor, action, object_type, object_id, ip, via, route)
		SELECT m.org_id, u.id, u.email, 'login.failed', 'user', u.id::text, ?, 'console', 'POST /login'
		FROM users u JOIN memberships m ON m.user_id = u.id WHERE lower(u.email) = lower(?)`, ip, strings.TrimSpace(email)).Exec(ctx)
	return err
}

// ClearLoginFailures forgets an account's failures after a successful login.
func (s *Store) ClearLoginFailures(ctx context.Context, email string) error {
	_, err := s.DB.NewRaw("DELETE FROM login_failures WHERE lower(email) = lower(?)", email).Exec(ctx)
	return err
}

// passwordChecks counts password-hash comparisons by bcrypt cost.
type passwordChecks struct {
	mu     sync.Mutex
	byCost map[int]int
}

// PasswordChecks returns how many password-hash comparisons this store has made, by
// bcrypt cost: the work a sign-in did, which tests compare (throttled attempts do none;
// an unknown email does as much as a known one).
func (s *Store) PasswordChecks() map[int]int {
	s.checks.mu.Lock()
	defer s.checks.mu.Unlock()
	out := make(map[int]int, len(s.checks.byCost))
	for k, v := range s.checks.byCost {
		out[k] = v
	}
	return out
}

// comparePassword is the one place a password is checked against a hash.
func (s *Store) comparePassword(hash []byte, password string) error {
	cost, _ := bcrypt.Cost(hash)
	s.checks.mu.Lock()
	if s.checks.byCost == nil {
		s.checks.byCost = map[int]int{}
	}
	s.checks.byCost[cost]++
	s.checks.mu.Unlock()
	return bcrypt.CompareHashAndPassword(hash, []byte(password))
}

// dummyHashes are hashes compared against when the email is unknown, one per cost, so
// that a failed login costs the same whether or not the account exists: the hash must
// have the configured cost (a MinCost dummy answered in 4 ms instead of 270 ms).
var dummyHashes sync.Map // int → []byte

func dummyHash() []byte {
	cost := PasswordCost
	if h, ok := dummyHashes.Load(cost); ok {
		return h.([]byte)
	}
	h, err := bcrypt.GenerateFromPassword([]byte("agentconsole-dummy-password"), cost)
	if err != nil { // an invalid cost: HashPassword fails the same way, nobody can log in
		return nil
	}
	dummyHashes.Store(cost, h)
	return h
}
