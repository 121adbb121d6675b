package db

// Role is a member's role in an organisation.
type Role string

// The three roles of SPEC §1.
const (
	RoleAdmin    Role = "admin"
	RoleBuilder  Role = "builder"
	RoleReviewer Role = "reviewer"
)

// Roles lists the roles in the order the console offers them.
var Roles = []Role{RoleAdmin, RoleBuilder, RoleReviewer}

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool {
	return r == RoleAdmin || r == RoleBuilder || r == RoleReviewer
}

// Permission uses the seeds' permission names.
type Permission string

// Permissions named by the seeds (and SPEC §1).
const (
	PermAdmin        Permission = "org:admin"
	PermAgentsCreate Permission = "org:manage_agents:create"
	PermAgentsUpdate Permission = "org:manage_agents:update"
	PermAgentsDelete Permission = "org:manage_agents:delete"
)

var rolePermissions = map[Role][]Permission{
	RoleAdmin:    {PermAdmin},
	RoleBuilder:  {PermAgentsCreate, PermAgentsUpdate, PermAgentsDelete},
	RoleReviewer: nil,
}

// Permissions is the list of permissions a role grants.
func (r Role) Permissions() []Permission { return rolePermissions[r] }

// Can reports whether the role grants p; org:admin grants everything.
func (r Role) Can(p Permission) bool {
	for _, have := range rolePermissions[r] {
		if have == PermAdmin || have == p {
			return true
		}
	}
	return false
}

// Actor is who is acting: a console user or an API token, always inside one
// organisation. Every store method that reads or writes org data takes one.
type Actor struct {
	UserID  int64
	TokenID int64 // zero for console sessions
	OrgID   int64
	OrgName string
	OrgUUID string // seed 003's organizationId (set for sessions and tokens)
	Email   string
	Name    string
	Role    Role
	// PlatformOperator is the user's platform-operator flag (set only from the CLI): it
	// lets them change platform-wide data (tool catalog, model registry) whatever their
	// role in the organisation.
	PlatformOperator bool
	// Via and IP describe the request for the audit log.
	Via   string // "console", "api", "cli", "scheduler"
	IP    string
	Route string
	// Seen are the change counters read with the actor (console sessions only; zero
	// otherwise): the caches answer from memory when they are at least this new.
	Seen ChangeCounters
}

// Can reports whether the actor's role grants p.
func (a *Actor) Can(p Permission) bool { return a != nil && a.Role.Can(p) }

// IsPlatformOperator reports whether the actor may change platform-wide data.
func (a *Actor) IsPlatformOperator() bool { return a != nil && a.PlatformOperator }

// Label names the actor in the audit log.
func (a *Actor) Label() string {
	if a.TokenID != 0 {
		return a.Email + " (token)"
	}
	return a.Email
}
