// vault-api-client runs a whole session with HashiCorp's own Go client, github.com/hashicorp/vault/api (pinned in
// go.mod), unchanged, against two uninitialized Strongroom nodes sharing one storage: it initializes and unseals
// them, finds the active and the standby, writes through the active and reads through the standby.
//
// Usage: vault-api-client ADDR0 ADDR1, with PG_CONNECTION_URL, PG_HOST, PG_PORT, PG_USER and PG_PASSWORD naming a
// throwaway PostgreSQL for the database engine. Prints one JSON report on stdout, or exits 1 naming the failing step.
package main

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"reflect"
	"runtime/debug"
	"sort"
	"strings"
	"time"

	vault "github.com/hashicorp/vault/api"
	"github.com/hashicorp/vault/api/auth/approle"
	"github.com/hashicorp/vault/api/auth/userpass"
	_ "github.com/lib/pq"
)

var (
	current = "start"
	report  = map[string]interface{}{}
	steps   []string
	ctx     = context.Background()
)

func step(name string) {
	current = name
	steps = append(steps, name)
}

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "vault/api session failed at step %q: %s\n", current, fmt.Sprintf(format, args...))
	os.Exit(1)
}

func must[T any](v T, err error) T {
	if err != nil {
		fail("%v", err)
	}
	return v
}

func ok(err error) {
	if err != nil {
		fail("%v", err)
	}
}

func check(cond bool, format string, args ...interface{}) {
	if !cond {
		fail(format, args...)
	}
}

// statusOf returns the HTTP status of an API error, or 0.
func statusOf(err error) int {
	var re *vault.ResponseError
	if errors.As(err, &re) {
		return re.StatusCode
	}
	return 0
}

func newClient(addr, token string) *vault.Client {
	cfg := vault.DefaultConfig()
	cfg.Address = addr
	cfg.MaxRetries = 0
	c := must(vault.NewClient(cfg))
	c.ClearNamespace()
	if token == "" {
		c.ClearToken()
	} else {
		c.SetToken(token)
	}
	return c
}

func str(v interface{}) string {
	s, _ := v.(string)
	return s
}

func num(v interface{}) int64 {
	switch n := v.(type) {
	case json.Number:
		i, _ := n.Int64()
		return i
	case float64:
		return int64(n)
	case int:
		return int64(n)
	}
	return -1
}

func stringList(v interface{}) []string {
	var out []string
	if l, ok := v.([]interface{}); ok {
		for _, x := range l {
			out = append(out, str(x))
		}
	}
	return out
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: vault-api-client ADDR0 ADDR1")
		os.Exit(2)
	}
	addrs := os.Args[1:3]
	os.Unsetenv("VAULT_TOKEN")
	os.Unsetenv("VAULT_ADDR")

	// -- init, unseal, seal status -------------------------------------------------------------------------------
	step("init")
	first := newClient(addrs[0], "")
	check(!must(first.Sys().InitStatus()), "a fresh cluster says it is not initialized")
	init := must(first.Sys().Init(&vault.InitRequest{SecretShares: 3, SecretThreshold: 2}))
	check(len(init.Keys) == 3 && len(init.KeysB64) == 3 && init.RootToken != "", "init answer: %+v", init)
	check(must(first.Sys().InitStatus()), "initialized after init")
	root := init.RootToken

	step("unseal")
	for _, a := range addrs {
		c := newClient(a, "")
		st := must(c.Sys().SealStatus())
		check(st.Sealed && st.T == 2 && st.N == 3, "%s starts sealed: %+v", a, st)
		st = must(c.Sys().Unseal(init.Keys[0]))
		check(st.Sealed && st.Progress == 1, "progress after one key: %+v", st)
		st = must(c.Sys().Unseal(init.Keys[1]))
		check(!st.Sealed, "unsealed after two keys: %+v", st)
	}
	st := must(first.Sys().SealStatus())
	report["seal_status"] = map[string]interface{}{"type": st.Type, "initialized": st.Initialized, "sealed": st.Sealed, "t": st.T, "n": st.N}

	step("health and leader")
	var activeAddr, standbyAddr string
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		activeAddr, standbyAddr = "", ""
		for _, a := range addrs {
			h, err := newClient(a, "").Sys().Health()
			if err != nil {
				continue
			}
			if h.Initialized && !h.Sealed && !h.Standby {
				activeAddr = a
			} else if h.Standby {
				standbyAddr = a
			}
		}
		if activeAddr != "" && standbyAddr != "" {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	check(activeAddr != "" && standbyAddr != "", "one active and one standby from Sys().Health()")
	var leader *vault.LeaderResponse
	for time.Now().Before(deadline) {
		leader = must(newClient(standbyAddr, "").Sys().Leader())
		if leader.LeaderAddress != "" {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	check(leader.HAEnabled && !leader.IsSelf && leader.LeaderAddress == activeAddr, "leader from the standby: %+v", leader)
	self := must(newClient(activeAddr, "").Sys().Leader())
	check(self.IsSelf && self.LeaderAddress == activeAddr, "leader from the active: %+v", self)
	report["health"] = map[string]interface{}{"active": activeAddr, "standby": standbyAddr, "leader_address": leader.LeaderAddress}

	client := newClient(activeAddr, root)
	standby := newClient(standbyAddr, root)
	sys := client.Sys()

	// -- mounts and auth methods --------------------------------------------------------------------------------
	step("mounts")
	ok(sys.Mount("kv1", &vault.MountInput{Type: "kv", Options: map[string]string{"version": "1"}}))
	ok(sys.Mount("kv2", &vault.MountInput{Type: "kv-v2"}))
	ok(sys.Mount("transit", &vault.MountInput{Type: "transit"}))
	ok(sys.Mount("database", &vault.MountInput{Type: "database"}))
	ok(sys.TuneMount("kv1", vault.MountConfigInput{DefaultLeaseTTL: "1h", MaxLeaseTTL: "2h"}))
	mc := must(sys.MountConfig("kv1"))
	check(mc.DefaultLeaseTTL == 3600 && mc.MaxLeaseTTL == 7200, "tuned kv1: %+v", mc)
	mounts := must(sys.ListMounts())
	var mountNames []string
	for p := range mounts {
		mountNames = append(mountNames, p)
	}
	sort.Strings(mountNames)
	for p, t := range map[string]string{"kv1/": "kv", "kv2/": "kv", "transit/": "transit", "database/": "database", "sys/": "system", "cubbyhole/": "cubbyhole"} {
		check(mounts[p] != nil && mounts[p].Type == t, "mount %s of type %s: %+v", p, t, mounts[p])
	}
	check(mounts["kv2/"].Options["version"] == "2", "kv2 is version 2: %+v", mounts["kv2/"].Options)
	standbyMounts := must(standby.Sys().ListMounts())
	check(standbyMounts["kv2/"] != nil, "mounts listed through the standby")
	report["mounts"] = mountNames

	step("auth methods")
	ok(sys.EnableAuthWithOptions("userpass", &vault.EnableAuthOptions{Type: "userpass"}))
	ok(sys.EnableAuthWithOptions("approle", &vault.EnableAuthOptions{Type: "approle"}))
	auths := must(sys.ListAuth())
	var authNames []string
	for p := range auths {
		authNames = append(authNames, p)
	}
	sort.Strings(authNames)
	for p, t := range map[string]string{"token/": "token", "userpass/": "userpass", "approle/": "approle"} {
		check(auths[p] != nil && auths[p].Type == t, "auth %s: %+v", p, auths[p])
	}
	report["auth_methods"] = authNames

	// -- policies -----------------------------------------------------------------------------------------------
	step("policies")
	appPolicy := "path \"kv1/app/*\" { capabilities = [\"read\", \"list\"] }\npath \"kv2/data/app/*\" { capabilities = [\"read\"] }\n"
	ok(sys.PutPolicy("app-read", appPolicy))
	check(must(sys.GetPolicy("app-read")) == appPolicy, "policy reads back as written")
	check(must(standby.Sys().GetPolicy("app-read")) == appPolicy, "policy read through the standby")
	ok(sys.PutPolicy("scratch", `path "kv1/scratch" { capabilities = ["read"] }`))
	ok(sys.DeletePolicy("scratch"))
	missing, err := sys.GetPolicy("scratch")
	check(err == nil && missing == "", "a deleted policy reads as empty: %q %v", missing, err)
	policies := must(sys.ListPolicies())
	sort.Strings(policies)
	report["policies"] = policies

	// -- kv v1 --------------------------------------------------------------------------------------------------
	step("kv v1")
	kv1 := client.KVv1("kv1")
	ok(kv1.Put(ctx, "app/db", map[string]interface{}{"username": "app", "password": "v1-pass"}))
	ok(kv1.Put(ctx, "app/api", map[string]interface{}{"key": "v1-key"}))
	s1 := must(kv1.Get(ctx, "app/db"))
	check(reflect.DeepEqual(s1.Data, map[string]interface{}{"username": "app", "password": "v1-pass"}), "kv1 read: %v", s1.Data)
	check(s1.Raw.LeaseDuration == 3600, "kv1 read carries the tuned TTL: %d", s1.Raw.LeaseDuration)
	viaStandby := must(standby.KVv1("kv1").Get(ctx, "app/db"))
	check(viaStandby.Data["password"] == "v1-pass", "kv1 read through the standby")
	list := must(client.Logical().List("kv1/app"))
	check(reflect.DeepEqual(stringList(list.Data["keys"]), []string{"api", "db"}), "kv1 list: %v", list.Data)
	ok(kv1.Delete(ctx, "app/api"))
	_, err = kv1.Get(ctx, "app/api")
	check(errors.Is(err, vault.ErrSecretNotFound), "a deleted kv1 secret is not found: %v", err)
	gone := must(client.Logical().Read("kv1/app/api"))
	check(gone == nil, "Logical().Read of a deleted secret is nil")
	must(client.Logical().Write("kv1/top", map[string]interface{}{"n": 1, "ttl": "30m"}))
	top := must(standby.Logical().Read("kv1/top"))
	check(top != nil && num(top.Data["n"]) == 1 && top.LeaseDuration == 1800, "Logical() write, and read through the standby with the ttl hint: %+v", top)
	must(client.Logical().Delete("kv1/top"))
	check(must(client.Logical().Read("kv1/top")) == nil, "Logical().Delete")
	list = must(standby.Logical().List("kv1/app/"))
	report["kv_v1"] = map[string]interface{}{"list_after_delete": stringList(list.Data["keys"])}

	// -- kv v2 --------------------------------------------------------------------------------------------------
	step("kv v2 write and read")
	kv2 := client.KVv2("kv2")
	must(client.Logical().Write("kv2/config", map[string]interface{}{"max_versions": 5}))
	w1 := must(kv2.Put(ctx, "app/db", map[string]interface{}{"password": "p1"}))
	check(w1.VersionMetadata != nil && w1.VersionMetadata.Version == 1, "first version: %+v", w1.VersionMetadata)
	w2 := must(kv2.Put(ctx, "app/db", map[string]interface{}{"password": "p2", "user": "app"}, vault.WithCheckAndSet(1)))
	check(w2.VersionMetadata.Version == 2, "second version")
	_, err = kv2.Put(ctx, "app/db", map[string]interface{}{"password": "x"}, vault.WithCheckAndSet(1))
	check(statusOf(err) == 400, "a stale check-and-set is a 400: %v", err)
	latest := must(kv2.Get(ctx, "app/db"))
	check(reflect.DeepEqual(latest.Data, map[string]interface{}{"password": "p2", "user": "app"}) && latest.VersionMetadata.Version == 2, "latest: %v", latest.Data)
	v1 := must(kv2.GetVersion(ctx, "app/db", 1))
	check(v1.Data["password"] == "p1", "version 1: %v", v1.Data)
	sv := must(standby.KVv2("kv2").Get(ctx, "app/db"))
	check(sv.VersionMetadata.Version == 2, "kv2 read through the standby")

	step("kv v2 patch")
	p := must(kv2.Patch(ctx, "app/db", map[string]interface{}{"password": "p3"}))
	check(p.VersionMetadata.Version == 3, "patch (HTTP PATCH, merge patch) made version 3: %+v", p.VersionMetadata)
	p = must(kv2.Patch(ctx, "app/db", map[string]interface{}{"extra": "rw"}, vault.WithMergeMethod(vault.KVMergeMethodReadWrite)))
	check(p.VersionMetadata.Version == 4, "read-write patch made version 4")
	cur := must(kv2.Get(ctx, "app/db"))
	check(reflect.DeepEqual(cur.Data, map[string]interface{}{"password": "p3", "user": "app", "extra": "rw"}), "patched data: %v", cur.Data)

	step("kv v2 metadata")
	ok(kv2.PutMetadata(ctx, "app/db", vault.KVMetadataPutInput{MaxVersions: 6, CustomMetadata: map[string]interface{}{"owner": "team-a"}}))
	meta := must(kv2.GetMetadata(ctx, "app/db"))
	check(meta.CurrentVersion == 4 && meta.MaxVersions == 6 && reflect.DeepEqual(meta.CustomMetadata, map[string]interface{}{"owner": "team-a"}), "metadata: %+v", meta)
	check(len(meta.Versions) == 4, "versions: %v", meta.Versions)
	ok(kv2.PatchMetadata(ctx, "app/db", vault.KVMetadataPatchInput{CustomMetadata: map[string]interface{}{"tier": "gold"}}))
	meta = must(kv2.GetMetadata(ctx, "app/db"))
	check(reflect.DeepEqual(meta.CustomMetadata, map[string]interface{}{"owner": "team-a", "tier": "gold"}), "patched metadata: %v", meta.CustomMetadata)
	must(kv2.Put(ctx, "app/other", map[string]interface{}{"x": "y"}))
	must(kv2.Put(ctx, "top", map[string]interface{}{"x": "y"}))
	rootList := must(client.Logical().List("kv2/metadata/"))
	check(reflect.DeepEqual(stringList(rootList.Data["keys"]), []string{"app/", "top"}), "kv2 list of the root: %v", rootList.Data)
	appList := must(standby.Logical().List("kv2/metadata/app"))
	check(reflect.DeepEqual(stringList(appList.Data["keys"]), []string{"db", "other"}), "kv2 list through the standby: %v", appList.Data)

	step("kv v2 delete, undelete, destroy, rollback")
	ok(kv2.Delete(ctx, "app/db"))
	// As documented for vault/api: a deleted version reads with nil Data and its deletion time in the metadata.
	del := must(kv2.Get(ctx, "app/db"))
	check(del.Data == nil && del.VersionMetadata != nil && !del.VersionMetadata.DeletionTime.IsZero(), "a deleted latest version: %+v", del)
	ok(kv2.Undelete(ctx, "app/db", []int{4}))
	check(must(kv2.Get(ctx, "app/db")).Data["extra"] == "rw", "undeleted")
	ok(kv2.DeleteVersions(ctx, "app/db", []int{1}))
	ok(kv2.Destroy(ctx, "app/db", []int{2}))
	vl := must(kv2.GetVersionsAsList(ctx, "app/db"))
	check(len(vl) == 4 && !vl[0].DeletionTime.IsZero() && !vl[0].Destroyed && vl[1].Destroyed, "versions after delete and destroy: %+v", vl)
	destroyed := must(kv2.GetVersion(ctx, "app/db", 2))
	check(destroyed.Data == nil && destroyed.VersionMetadata.Destroyed, "a destroyed version: %+v", destroyed.VersionMetadata)
	rb := must(kv2.Rollback(ctx, "app/db", 3))
	check(rb.VersionMetadata.Version == 5, "rollback wrote version 5: %+v", rb.VersionMetadata)
	check(reflect.DeepEqual(must(kv2.Get(ctx, "app/db")).Data, map[string]interface{}{"password": "p3", "user": "app"}), "rolled back to version 3's data")
	ok(kv2.DeleteMetadata(ctx, "app/other"))
	_, err = kv2.GetMetadata(ctx, "app/other")
	check(err != nil, "metadata gone after DeleteMetadata")
	versions := map[string]interface{}{}
	for _, v := range must(kv2.GetVersionsAsList(ctx, "app/db")) {
		versions[fmt.Sprint(v.Version)] = map[string]bool{"destroyed": v.Destroyed, "deleted": !v.DeletionTime.IsZero()}
	}
	report["kv_v2"] = map[string]interface{}{"versions": versions}

	// -- transit ------------------------------------------------------------------------------------------------
	step("transit")
	logical := client.Logical()
	must(logical.Write("transit/keys/orders", nil))
	enc := must(logical.Write("transit/encrypt/orders", map[string]interface{}{"plaintext": base64.StdEncoding.EncodeToString([]byte("card 4111"))}))
	ct1 := str(enc.Data["ciphertext"])
	check(strings.HasPrefix(ct1, "vault:v1:"), "ciphertext: %s", ct1)
	dec := must(standby.Logical().Write("transit/decrypt/orders", map[string]interface{}{"ciphertext": ct1}))
	pt, _ := base64.StdEncoding.DecodeString(str(dec.Data["plaintext"]))
	check(string(pt) == "card 4111", "decrypt through the standby: %q", pt)
	must(logical.Write("transit/keys/orders/rotate", nil))
	key := must(logical.Read("transit/keys/orders"))
	check(num(key.Data["latest_version"]) == 2, "rotated: %v", key.Data["latest_version"])
	rw := must(logical.Write("transit/rewrap/orders", map[string]interface{}{"ciphertext": ct1}))
	ct2 := str(rw.Data["ciphertext"])
	check(strings.HasPrefix(ct2, "vault:v2:"), "rewrapped: %s", ct2)
	dk := must(logical.Write("transit/datakey/plaintext/orders", map[string]interface{}{"bits": 256}))
	raw, _ := base64.StdEncoding.DecodeString(str(dk.Data["plaintext"]))
	check(len(raw) == 32, "data key of 256 bits")
	back := must(logical.Write("transit/decrypt/orders", map[string]interface{}{"ciphertext": dk.Data["ciphertext"]}))
	check(back.Data["plaintext"] == dk.Data["plaintext"], "data key decrypts")
	keys := must(logical.List("transit/keys"))
	check(reflect.DeepEqual(stringList(keys.Data["keys"]), []string{"orders"}), "keys: %v", keys.Data)
	report["transit"] = map[string]interface{}{"v1_prefix": ct1[:9], "rewrapped_prefix": ct2[:9]}

	// -- userpass and approle through the api/auth helpers --------------------------------------------------------
	step("userpass")
	must(logical.Write("auth/userpass/users/alice", map[string]interface{}{"password": "alice-pw", "token_policies": "app-read"}))
	alice := newClient(activeAddr, "")
	up := must(userpass.NewUserpassAuth("alice", &userpass.Password{FromString: "alice-pw"}))
	login := must(alice.Auth().Login(ctx, up))
	check(alice.Token() == login.Auth.ClientToken && contains(login.Auth.Policies, "app-read"), "userpass login: %+v", login.Auth)
	check(must(alice.KVv1("kv1").Get(ctx, "app/db")).Data["username"] == "app", "alice reads kv1/app/db")
	err = alice.KVv1("kv1").Put(ctx, "app/db", map[string]interface{}{"x": "y"})
	check(statusOf(err) == 403, "alice cannot write: %v", err)
	_, err = newClient(activeAddr, "").Auth().Login(ctx, must(userpass.NewUserpassAuth("alice", &userpass.Password{FromString: "wrong"})))
	check(statusOf(err) == 400, "a wrong password is a 400: %v", err)
	aliceStandby := newClient(standbyAddr, "")
	must(aliceStandby.Auth().Login(ctx, up))
	check(must(aliceStandby.KVv2("kv2").Get(ctx, "app/db")).Data["password"] == "p3", "userpass login and read through the standby")
	report["userpass"] = map[string]interface{}{"policies": login.Auth.Policies}

	step("approle")
	must(logical.Write("auth/approle/role/ci", map[string]interface{}{"token_policies": []string{"app-read"}, "token_ttl": "10m", "secret_id_ttl": "1h"}))
	roleID := str(must(logical.Read("auth/approle/role/ci/role-id")).Data["role_id"])
	secretID := str(must(logical.Write("auth/approle/role/ci/secret-id", nil)).Data["secret_id"])
	ci := newClient(activeAddr, "")
	ar := must(approle.NewAppRoleAuth(roleID, &approle.SecretID{FromString: secretID}))
	al := must(ci.Auth().Login(ctx, ar))
	check(contains(al.Auth.Policies, "app-read") && al.Auth.LeaseDuration == 600, "approle login: %+v", al.Auth)
	check(must(ci.KVv2("kv2").Get(ctx, "app/db")).Data["user"] == "app", "approle token reads kv2")
	report["approle"] = map[string]interface{}{"lease_duration": al.Auth.LeaseDuration}

	// -- tokens -------------------------------------------------------------------------------------------------
	step("tokens")
	tokens := client.Auth().Token()
	ok(sys.PutPolicy("token-maker", `path "auth/token/create" { capabilities = ["update"] }`))
	created := must(tokens.Create(&vault.TokenCreateRequest{Policies: []string{"app-read", "token-maker"}, TTL: "1h", Metadata: map[string]string{"purpose": "vault-api"}}))
	tok := created.Auth.ClientToken
	look := must(tokens.Lookup(tok))
	pol := must(look.TokenPolicies())
	meta2 := must(look.TokenMetadata())
	check(reflect.DeepEqual(pol, []string{"app-read", "default", "token-maker"}) && meta2["purpose"] == "vault-api", "lookup: %v %v", pol, meta2)
	ttl := must(look.TokenTTL())
	check(ttl > 59*time.Minute && ttl <= time.Hour, "token TTL: %v", ttl)
	child := newClient(activeAddr, tok)
	selfLook := must(child.Auth().Token().LookupSelf())
	check(str(selfLook.Data["accessor"]) == created.Auth.Accessor, "lookup-self")
	check(must(standby.Auth().Token().Lookup(tok)).Data["id"] == tok, "lookup through the standby")
	byAcc := must(tokens.LookupAccessor(created.Auth.Accessor))
	check(str(byAcc.Data["accessor"]) == created.Auth.Accessor, "lookup by accessor")
	ren := must(tokens.Renew(tok, 7200))
	check(ren.Auth.LeaseDuration > 0 && ren.Auth.Renewable, "renew: %+v", ren.Auth)
	check(must(child.Auth().Token().RenewSelf(0)).Auth.ClientToken == tok, "renew-self")
	orphan := must(tokens.CreateOrphan(&vault.TokenCreateRequest{Policies: []string{"default"}, TTL: "10m"}))
	check(orphan.Auth.Orphan, "orphan token")
	grandchild := must(child.Auth().Token().Create(&vault.TokenCreateRequest{Policies: []string{"app-read"}}))
	ok(tokens.RevokeTree(tok))
	_, err = child.Auth().Token().LookupSelf()
	check(statusOf(err) == 403, "revoked token no longer works: %v", err)
	_, err = newClient(activeAddr, grandchild.Auth.ClientToken).Auth().Token().LookupSelf()
	check(statusOf(err) == 403, "its child went with it: %v", err)
	ok(tokens.RevokeAccessor(orphan.Auth.Accessor))
	_, err = newClient(activeAddr, orphan.Auth.ClientToken).Auth().Token().LookupSelf()
	check(statusOf(err) == 403, "revoked by accessor: %v", err)
	report["tokens"] = map[string]interface{}{"policies": pol}

	// -- database engine and leases -----------------------------------------------------------------------------
	step("database")
	must(logical.Write("database/config/pg", map[string]interface{}{
		"plugin_name":    "postgresql-database-plugin",
		"allowed_roles":  "app",
		"connection_url": os.Getenv("PG_CONNECTION_URL"),
		"username":       os.Getenv("PG_USER"),
		"password":       os.Getenv("PG_PASSWORD"),
	}))
	must(logical.Write("database/roles/app", map[string]interface{}{
		"db_name":             "pg",
		"creation_statements": []string{`CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';`},
		"default_ttl":         "10m",
		"max_ttl":             "1h",
	}))
	creds := must(standby.Logical().Read("database/creds/app"))
	user, password := str(creds.Data["username"]), str(creds.Data["password"])
	check(strings.HasPrefix(creds.LeaseID, "database/creds/app/") && creds.LeaseDuration == 600 && creds.Renewable, "creds: %+v", creds)
	if err := pgLogin(user, password); err != nil {
		fail("logging in to PostgreSQL as the issued user: %v", err)
	}

	step("leases")
	lease := must(sys.Lookup(creds.LeaseID))
	check(lease.Data["id"] == creds.LeaseID && lease.Data["renewable"] == true, "lease lookup: %v", lease.Data)
	renewed := must(sys.Renew(creds.LeaseID, 1200))
	check(renewed.LeaseID == creds.LeaseID && renewed.LeaseDuration == 1200, "lease renewal: %+v", renewed)
	listed := must(logical.List("sys/leases/lookup/database/creds/app/"))
	check(len(stringList(listed.Data["keys"])) == 1, "leases listed: %v", listed.Data)
	ok(standby.Sys().Revoke(creds.LeaseID))
	_, err = sys.Lookup(creds.LeaseID)
	check(statusOf(err) == 400, "a revoked lease is gone: %v", err)
	check(pgLogin(user, password) != nil, "the revoked user no longer logs in")
	report["database"] = map[string]interface{}{"revoked_user_dropped": true}

	// -- response wrapping --------------------------------------------------------------------------------------
	step("wrapping")
	wrapper := must(client.Clone())
	wrapper.SetToken(root)
	wrapper.SetWrappingLookupFunc(func(operation, path string) string {
		if path == "auth/token/create" || path == "kv1/app/db" {
			return "60s"
		}
		return ""
	})
	wrapped := must(wrapper.Auth().Token().Create(&vault.TokenCreateRequest{Policies: []string{"app-read"}, TTL: "10m"}))
	check(wrapped.WrapInfo != nil && wrapped.WrapInfo.TTL == 60 && wrapped.WrapInfo.CreationPath == "auth/token/create" && wrapped.Auth == nil, "wrap info: %+v", wrapped.WrapInfo)
	unwrapped := must(client.Logical().Unwrap(wrapped.WrapInfo.Token))
	check(unwrapped.Auth != nil && reflect.DeepEqual(unwrapped.Auth.Policies, []string{"app-read", "default"}), "unwrapped token: %+v", unwrapped.Auth)
	_, err = client.Logical().Unwrap(wrapped.WrapInfo.Token)
	check(statusOf(err) == 400, "a wrapping token is single-use: %v", err)
	wkv := must(wrapper.Logical().Read("kv1/app/db"))
	check(wkv.WrapInfo != nil && wkv.Data == nil, "wrapped read")
	// Unwrapping with the wrapping token as the client's own token, through the standby.
	byItself := must(newClient(standbyAddr, wkv.WrapInfo.Token).Logical().Unwrap(""))
	check(byItself.Data["password"] == "v1-pass", "unwrap through the standby: %v", byItself.Data)
	report["wrapping"] = map[string]interface{}{"creation_path": wrapped.WrapInfo.CreationPath, "ttl": wrapped.WrapInfo.TTL}

	// -- operator helpers ---------------------------------------------------------------------------------------
	step("operator helpers")
	ks := must(sys.KeyStatus())
	check(ks.Term == 1 && !ks.InstallTime.IsZero(), "key status: %+v", ks)
	ok(sys.Rotate())
	check(must(standby.Sys().KeyStatus()).Term == 2, "rotated, as the standby sees it")
	check(reflect.DeepEqual(must(sys.CapabilitiesSelf("kv1/app/db")), []string{"root"}), "root's capabilities")
	check(reflect.DeepEqual(must(sys.Capabilities(login.Auth.ClientToken, "kv1/app/db")), []string{"list", "read"}), "alice's capabilities: %v", must(sys.Capabilities(login.Auth.ClientToken, "kv1/app/db")))
	check(len(must(sys.ListAudit())) == 0, "no audit devices")
	// The standby appears once the active has heard its request-forwarding heartbeat (every 2 s), as in Vault.
	ha := must(sys.HAStatus())
	for until := time.Now().Add(15 * time.Second); len(ha.Nodes) < 2 && time.Now().Before(until); ha = must(sys.HAStatus()) {
		time.Sleep(250 * time.Millisecond)
	}
	check(len(ha.Nodes) == 2, "HA status lists both nodes: %+v", ha.Nodes)
	gr := must(sys.GenerateRootStatus())
	check(!gr.Started && gr.Required == 2, "generate-root status: %+v", gr)
	must(client.Logical().Write("kv1/moved-check", map[string]interface{}{"x": "y"}))
	ok(sys.Remount("kv1", "kv1-moved"))
	check(must(client.KVv1("kv1-moved").Get(ctx, "moved-check")).Data["x"] == "y", "data kept across Sys().Remount")
	ok(sys.Remount("kv1-moved", "kv1"))
	ok(sys.Mount("scratch", &vault.MountInput{Type: "kv"}))
	ok(sys.Unmount("scratch"))
	_, stillThere := must(sys.ListMounts())["scratch/"]
	check(!stillThere, "unmounted")
	ok(sys.EnableAuthWithOptions("scratch-up", &vault.EnableAuthOptions{Type: "userpass"}))
	ok(sys.DisableAuth("scratch-up"))
	_, stillThere = must(sys.ListAuth())["scratch-up/"]
	check(!stillThere, "auth method disabled")

	// The LifetimeWatcher renews a short token until told to stop, as long-running Go services use it.
	short := must(tokens.Create(&vault.TokenCreateRequest{Policies: []string{"default"}, TTL: "4s", ExplicitMaxTTL: "1h"}))
	watcher := must(client.NewLifetimeWatcher(&vault.LifetimeWatcherInput{Secret: short, Increment: 4}))
	go watcher.Start()
	select {
	case r := <-watcher.RenewCh():
		check(r.Secret.Auth != nil && r.Secret.Auth.ClientToken == short.Auth.ClientToken, "renewal: %+v", r.Secret.Auth)
	case err := <-watcher.DoneCh():
		fail("lifetime watcher stopped: %v", err)
	case <-time.After(15 * time.Second):
		fail("no renewal from the lifetime watcher within 15 s")
	}
	watcher.Stop()
	report["key_term"] = 2

	// -- seal and unseal again ----------------------------------------------------------------------------------
	step("seal")
	ok(sys.Seal())
	check(must(newClient(activeAddr, "").Sys().SealStatus()).Sealed, "sealed")
	must(newClient(activeAddr, "").Sys().Unseal(init.Keys[1]))
	final := must(newClient(activeAddr, "").Sys().Unseal(init.Keys[2]))
	check(!final.Sealed, "unsealed again with other shares: %+v", final)
	report["resealed_and_unsealed"] = true

	report["steps"] = steps
	report["vault_api_version"] = apiVersion()
	out, _ := json.Marshal(report)
	fmt.Println(string(out))
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// pgLogin connects to the test PostgreSQL as user and runs a query.
func pgLogin(user, password string) error {
	u := url.URL{Scheme: "postgres", User: url.UserPassword(user, password), Host: os.Getenv("PG_HOST") + ":" + os.Getenv("PG_PORT"), Path: "/postgres", RawQuery: "sslmode=disable&connect_timeout=10"}
	db, err := sql.Open("postgres", u.String())
	if err != nil {
		return err
	}
	defer db.Close()
	var who string
	if err := db.QueryRow("SELECT current_user").Scan(&who); err != nil {
		return err
	}
	if who != user {
		return fmt.Errorf("logged in as %q, not %q", who, user)
	}
	return nil
}

// apiVersion is the vault/api module version this binary was built with.
func apiVersion() string {
	if bi, ok := debugBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == "github.com/hashicorp/vault/api" {
				return d.Version
			}
		}
	}
	return "unknown"
}

func debugBuildInfo() (*debug.BuildInfo, bool) { return debug.ReadBuildInfo() }
