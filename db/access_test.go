package db

import "testing"

func TestRolePermissions(t *testing.T) {
	cases := []struct {
		role Role
		perm Permission
		want bool
	}{
		{RoleAdmin, PermAdmin, true},
		{RoleAdmin, PermAgentsDelete, true},
		{RoleBuilder, PermAgentsCreate, true},
		{RoleBuilder, PermAgentsUpdate, true},
		{RoleBuilder, PermAgentsDelete, true},
		{RoleBuilder, PermAdmin, false},
		{RoleReviewer, PermAgentsCreate, false},
		{RoleReviewer, PermAdmin, false},
		{Role("owner"), PermAgentsCreate, false},
	}
	for _, c := range cases {
		if got := c.role.Can(c.perm); got != c.want {
			t.Errorf("%s can %s = %v, want %v", c.role, c.perm, got, c.want)
		}
	}
	var nobody *Actor
	if nobody.Can(PermAgentsCreate) {
		t.Error("nil actor has a permission")
	}
}
