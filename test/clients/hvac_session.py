"""A whole operator and application session with Python's hvac against a Strongroom cluster, unchanged.

Usage: python hvac_session.py ADDR0 ADDR1 (two uninitialized nodes sharing one storage). The PostgreSQL server for
the database engine comes from the environment: PG_CONNECTION_URL (with {{username}}/{{password}} placeholders),
PG_HOST, PG_PORT, PG_USER, PG_PASSWORD. Prints one JSON report on stdout, or exits non-zero naming the failing step.
"""

import base64
import json
import os
import sys
import time
import traceback

import hvac
import hvac.exceptions
import psycopg2

report = {"hvac_version": None, "steps": []}
current = ["start"]


def step(name):
    current[0] = name
    report["steps"].append(name)


def check(cond, message):
    if not cond:
        raise AssertionError(message)


def b64(s):
    return base64.b64encode(s.encode()).decode()


def unb64(s):
    return base64.b64decode(s).decode()


def expect_error(exc_type, fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except exc_type as e:
        return e
    raise AssertionError(f"expected {exc_type.__name__} from {getattr(fn, '__name__', fn)}")


def main():
    addrs = sys.argv[1:3]
    try:
        from importlib.metadata import version

        report["hvac_version"] = version("hvac")
    except Exception:  # pragma: no cover
        pass

    # -- init, unseal, seal status -------------------------------------------------------------------------------
    step("init")
    first = hvac.Client(url=addrs[0])
    check(first.sys.is_initialized() is False, "a fresh cluster says it is not initialized")
    init = first.sys.initialize(secret_shares=3, secret_threshold=2)
    keys, root = init["keys"], init["root_token"]
    check(len(keys) == 3 and len(init["keys_base64"]) == 3, f"three shares: {init}")
    check(first.sys.is_initialized() is True, "initialized after init")

    step("unseal")
    for addr in addrs:
        c = hvac.Client(url=addr)
        check(c.sys.is_sealed() is True, f"{addr} starts sealed")
        status = c.sys.submit_unseal_key(keys[0])
        check(status["sealed"] is True and status["progress"] == 1 and status["t"] == 2, f"progress after one key: {status}")
        status = c.sys.submit_unseal_key(keys[1])
        check(status["sealed"] is False, f"unsealed after two keys: {status}")
    seal = first.sys.read_seal_status()
    check(seal["initialized"] and not seal["sealed"] and seal["n"] == 3 and seal["t"] == 2, f"seal status: {seal}")
    report["seal_status"] = {k: seal[k] for k in ("type", "initialized", "sealed", "t", "n")}

    # -- health and leader: find the active node ----------------------------------------------------------------
    step("health and leader")
    active_addr = standby_addr = None
    deadline = time.time() + 30
    while time.time() < deadline and not (active_addr and standby_addr):
        active_addr = standby_addr = None
        for addr in addrs:
            h = hvac.Client(url=addr).sys.read_health_status(method="GET")
            code = h.status_code if hasattr(h, "status_code") else 200
            if code == 200:
                active_addr = addr
            elif code == 429:
                standby_addr = addr
        if not (active_addr and standby_addr):
            time.sleep(0.2)
    check(active_addr and standby_addr, "one active (200) and one standby (429) health answer")
    health = hvac.Client(url=active_addr).sys.read_health_status(method="GET")
    check(health["initialized"] and not health["sealed"] and not health["standby"], f"active health: {health}")
    standby_health = hvac.Client(url=standby_addr).sys.read_health_status(method="GET", standby_ok=True)
    check(isinstance(standby_health, dict) and standby_health["standby"] is True, f"standbyok health: {standby_health}")
    head = hvac.Client(url=standby_addr).sys.read_health_status(method="HEAD")
    check(head.status_code == 429, f"HEAD health of the standby: {head.status_code}")
    # A standby learns the leader's address from the shared lock shortly after the active takes it.
    deadline = time.time() + 15
    leader = hvac.Client(url=standby_addr).sys.read_leader_status()
    while leader["leader_address"] == "" and time.time() < deadline:
        time.sleep(0.2)
        leader = hvac.Client(url=standby_addr).sys.read_leader_status()
    check(leader["ha_enabled"] is True and leader["is_self"] is False and leader["leader_address"] == active_addr, f"leader from the standby: {leader}")
    report["health"] = {"active": active_addr, "standby": standby_addr, "leader_address": leader["leader_address"]}

    client = hvac.Client(url=active_addr, token=root)
    standby = hvac.Client(url=standby_addr, token=root)
    check(client.is_authenticated(), "root token authenticates")

    # -- mounts and auth methods --------------------------------------------------------------------------------
    step("mounts")
    client.sys.enable_secrets_engine("kv", path="kv1", options={"version": "1"})
    client.sys.enable_secrets_engine("kv", path="kv2", options={"version": "2"})
    client.sys.enable_secrets_engine("transit")
    client.sys.enable_secrets_engine("database")
    client.sys.tune_mount_configuration("kv1", default_lease_ttl="1h", max_lease_ttl="2h")
    tuned = client.sys.read_mount_configuration("kv1")
    check(tuned["data"]["default_lease_ttl"] == 3600 and tuned["data"]["max_lease_ttl"] == 7200, f"tuned kv1: {tuned}")
    mounts = client.sys.list_mounted_secrets_engines()["data"]
    for p, t in (("kv1/", "kv"), ("kv2/", "kv"), ("transit/", "transit"), ("database/", "database"), ("sys/", "system"), ("cubbyhole/", "cubbyhole")):
        check(mounts.get(p, {}).get("type") == t, f"mount {p} of type {t}: {mounts.get(p)}")
    check(mounts["kv2/"]["options"]["version"] == "2", "kv2 is version 2")
    report["mounts"] = sorted(mounts)

    step("auth methods")
    client.sys.enable_auth_method("userpass")
    client.sys.enable_auth_method("approle")
    auths = client.sys.list_auth_methods()["data"]
    for p, t in (("token/", "token"), ("userpass/", "userpass"), ("approle/", "approle")):
        check(auths.get(p, {}).get("type") == t, f"auth {p}: {auths.get(p)}")
    report["auth_methods"] = sorted(auths)

    # -- policies -----------------------------------------------------------------------------------------------
    step("policies")
    app_policy = 'path "kv1/app/*" { capabilities = ["read", "list"] }\npath "kv2/data/app/*" { capabilities = ["read"] }\n'
    client.sys.create_or_update_policy("app-read", app_policy)
    check(client.sys.read_policy("app-read")["data"]["rules"] == app_policy, "policy reads back as written")
    policies = client.sys.list_policies()["data"]["policies"]
    check("app-read" in policies and "root" in policies and "default" in policies, f"policy list: {policies}")
    client.sys.create_or_update_acl_policy("scratch", 'path "kv1/scratch" { capabilities = ["read"] }')
    check("scratch" in client.sys.list_acl_policies()["data"]["keys"], "ACL policy listed")
    client.sys.delete_policy("scratch")
    check("scratch" not in client.sys.list_policies()["data"]["policies"], "deleted policy gone")
    report["policies"] = sorted(client.sys.list_policies()["data"]["policies"])

    # -- kv v1 --------------------------------------------------------------------------------------------------
    step("kv v1")
    kv1 = client.secrets.kv.v1
    kv1.create_or_update_secret("app/db", {"username": "app", "password": "v1-pass"}, mount_point="kv1")
    kv1.create_or_update_secret("app/api", {"key": "v1-key"}, mount_point="kv1")
    r = kv1.read_secret("app/db", mount_point="kv1")
    check(r["data"] == {"username": "app", "password": "v1-pass"}, f"kv1 read: {r}")
    check(r["lease_duration"] == 3600, f"kv1 read carries the tuned TTL: {r['lease_duration']}")
    check(kv1.list_secrets("app", mount_point="kv1")["data"]["keys"] == ["api", "db"], "kv1 list")
    via_standby = hvac.Client(url=standby_addr, token=root).secrets.kv.v1.read_secret("app/db", mount_point="kv1")
    check(via_standby["data"]["password"] == "v1-pass", "kv1 read through the standby")
    kv1.delete_secret("app/api", mount_point="kv1")
    expect_error(hvac.exceptions.InvalidPath, kv1.read_secret, "app/api", mount_point="kv1")
    report["kv_v1"] = {"list_after_delete": kv1.list_secrets("app", mount_point="kv1")["data"]["keys"]}

    # -- kv v2 --------------------------------------------------------------------------------------------------
    step("kv v2 write and read")
    kv2 = client.secrets.kv.v2
    kv2.configure(max_versions=5, mount_point="kv2")
    check(kv2.read_configuration(mount_point="kv2")["data"]["max_versions"] == 5, "kv2 config")
    w1 = kv2.create_or_update_secret("app/db", {"password": "p1"}, mount_point="kv2")
    check(w1["data"]["version"] == 1, f"first version: {w1}")
    w2 = kv2.create_or_update_secret("app/db", {"password": "p2", "user": "app"}, cas=1, mount_point="kv2")
    check(w2["data"]["version"] == 2, "second version")
    expect_error(hvac.exceptions.InvalidRequest, kv2.create_or_update_secret, "app/db", {"password": "x"}, cas=1, mount_point="kv2")
    latest = kv2.read_secret_version("app/db", mount_point="kv2", raise_on_deleted_version=True)
    check(latest["data"]["data"] == {"password": "p2", "user": "app"} and latest["data"]["metadata"]["version"] == 2, f"latest: {latest}")
    v1 = kv2.read_secret_version("app/db", version=1, mount_point="kv2", raise_on_deleted_version=True)
    check(v1["data"]["data"] == {"password": "p1"}, "version 1")
    check(kv2.read_secret("app/db", mount_point="kv2")["data"]["data"]["password"] == "p2", "read_secret")
    sv = standby.secrets.kv.v2.read_secret_version("app/db", mount_point="kv2", raise_on_deleted_version=True)
    check(sv["data"]["metadata"]["version"] == 2, "kv2 read through the standby")

    step("kv v2 patch")
    p = kv2.patch("app/db", {"password": "p3"}, mount_point="kv2")
    check(p["data"]["version"] == 3, f"patch made version 3: {p}")
    check(kv2.read_secret_version("app/db", mount_point="kv2", raise_on_deleted_version=True)["data"]["data"] == {"password": "p3", "user": "app"}, "patched data")

    step("kv v2 metadata")
    kv2.update_metadata("app/db", max_versions=4, custom_metadata={"owner": "team-a"}, mount_point="kv2")
    meta = kv2.read_secret_metadata("app/db", mount_point="kv2")["data"]
    check(meta["current_version"] == 3 and meta["max_versions"] == 4 and meta["custom_metadata"] == {"owner": "team-a"}, f"metadata: {meta}")
    check(sorted(meta["versions"]) == ["1", "2", "3"], f"versions: {meta['versions']}")
    kv2.create_or_update_secret("app/other", {"x": "y"}, mount_point="kv2")
    kv2.create_or_update_secret("top", {"x": "y"}, mount_point="kv2")
    check(kv2.list_secrets("", mount_point="kv2")["data"]["keys"] == ["app/", "top"], "kv2 list of the root")
    check(kv2.list_secrets("app", mount_point="kv2")["data"]["keys"] == ["db", "other"], "kv2 list")

    step("kv v2 delete, undelete, destroy")
    kv2.delete_latest_version_of_secret("app/db", mount_point="kv2")
    expect_error(hvac.exceptions.InvalidPath, kv2.read_secret_version, "app/db", mount_point="kv2", raise_on_deleted_version=True)
    # Without raising, hvac returns the 404 body with the deletion time in the metadata.
    soft = kv2.read_secret_version("app/db", mount_point="kv2", raise_on_deleted_version=False)
    check(soft["data"]["data"] is None and soft["data"]["metadata"]["deletion_time"] != "", f"deleted version read: {soft}")
    kv2.undelete_secret_versions("app/db", versions=[3], mount_point="kv2")
    check(kv2.read_secret_version("app/db", mount_point="kv2", raise_on_deleted_version=True)["data"]["data"]["password"] == "p3", "undeleted")
    kv2.delete_secret_versions("app/db", versions=[1], mount_point="kv2")
    kv2.destroy_secret_versions("app/db", versions=[2], mount_point="kv2")
    versions = kv2.read_secret_metadata("app/db", mount_point="kv2")["data"]["versions"]
    check(versions["1"]["deletion_time"] != "" and not versions["1"]["destroyed"], f"v1 soft-deleted: {versions['1']}")
    check(versions["2"]["destroyed"] is True, f"v2 destroyed: {versions['2']}")
    expect_error(hvac.exceptions.InvalidPath, kv2.read_secret_version, "app/db", version=2, mount_point="kv2", raise_on_deleted_version=True)
    kv2.delete_metadata_and_all_versions("app/other", mount_point="kv2")
    expect_error(hvac.exceptions.InvalidPath, kv2.read_secret_metadata, "app/other", mount_point="kv2")
    report["kv_v2"] = {"versions": {k: {"destroyed": v["destroyed"], "deleted": v["deletion_time"] != ""} for k, v in versions.items()}}

    # -- transit ------------------------------------------------------------------------------------------------
    step("transit")
    transit = client.secrets.transit
    transit.create_key("orders")
    ct1 = transit.encrypt_data("orders", plaintext=b64("card 4111"))["data"]["ciphertext"]
    check(ct1.startswith("vault:v1:"), f"ciphertext: {ct1}")
    check(unb64(transit.decrypt_data("orders", ciphertext=ct1)["data"]["plaintext"]) == "card 4111", "decrypt")
    transit.rotate_key("orders")
    check(transit.read_key("orders")["data"]["latest_version"] == 2, "rotated")
    ct2 = transit.rewrap_data("orders", ciphertext=ct1)["data"]["ciphertext"]
    check(ct2.startswith("vault:v2:"), f"rewrapped: {ct2}")
    check(unb64(transit.decrypt_data("orders", ciphertext=ct2)["data"]["plaintext"]) == "card 4111", "decrypt rewrapped")
    dk = transit.generate_data_key("orders", key_type="plaintext", bits=256)["data"]
    check(len(base64.b64decode(dk["plaintext"])) == 32, "data key of 256 bits")
    check(transit.decrypt_data("orders", ciphertext=dk["ciphertext"])["data"]["plaintext"] == dk["plaintext"], "data key decrypts")
    wrapped_dk = transit.generate_data_key("orders", key_type="wrapped")["data"]
    check("plaintext" not in wrapped_dk or not wrapped_dk.get("plaintext"), "wrapped data key has no plaintext")
    check(unb64(standby.secrets.transit.decrypt_data("orders", ciphertext=ct2)["data"]["plaintext"]) == "card 4111", "decrypt through the standby")
    check("orders" in transit.list_keys()["data"]["keys"], "key listed")
    report["transit"] = {"v1_prefix": ct1[:9], "rewrapped_prefix": ct2[:9]}

    # -- userpass -----------------------------------------------------------------------------------------------
    step("userpass")
    client.auth.userpass.create_or_update_user("alice", "alice-pw", policies=["app-read"])
    alice = hvac.Client(url=active_addr)
    login = alice.auth.userpass.login("alice", "alice-pw")
    check(alice.token == login["auth"]["client_token"] and "app-read" in login["auth"]["policies"], f"userpass login: {login['auth']}")
    check(alice.secrets.kv.v1.read_secret("app/db", mount_point="kv1")["data"]["username"] == "app", "alice reads kv1/app/db")
    expect_error(hvac.exceptions.Forbidden, alice.secrets.kv.v1.create_or_update_secret, "app/db", {"x": "y"}, mount_point="kv1")
    expect_error(hvac.exceptions.InvalidRequest, hvac.Client(url=active_addr).auth.userpass.login, "alice", "wrong")
    alice_standby = hvac.Client(url=standby_addr)
    alice_standby.auth.userpass.login("alice", "alice-pw")
    check(alice_standby.is_authenticated(), "userpass login through the standby")
    report["userpass"] = {"policies": login["auth"]["policies"]}

    # -- approle ------------------------------------------------------------------------------------------------
    step("approle")
    client.auth.approle.create_or_update_approle("ci", token_policies=["app-read"], token_ttl="10m", secret_id_ttl="1h")
    role_id = client.auth.approle.read_role_id("ci")["data"]["role_id"]
    secret_id = client.auth.approle.generate_secret_id("ci")["data"]["secret_id"]
    ci = hvac.Client(url=active_addr)
    al = ci.auth.approle.login(role_id=role_id, secret_id=secret_id)
    check(ci.is_authenticated() and "app-read" in al["auth"]["policies"] and al["auth"]["lease_duration"] == 600, f"approle login: {al['auth']}")
    check(ci.secrets.kv.v2.read_secret_version("app/db", mount_point="kv2", raise_on_deleted_version=True)["data"]["data"]["password"] == "p3", "approle token reads kv2")
    expect_error(hvac.exceptions.InvalidRequest, hvac.Client(url=active_addr).auth.approle.login, role_id=role_id, secret_id="not-the-secret")
    report["approle"] = {"lease_duration": al["auth"]["lease_duration"]}

    # -- tokens -------------------------------------------------------------------------------------------------
    step("tokens")
    tok = client.auth.token.create(policies=["app-read"], ttl="1h", renewable=True, meta={"purpose": "hvac"})["auth"]
    look = client.auth.token.lookup(tok["client_token"])["data"]
    check(look["policies"] == ["app-read", "default"] and look["meta"] == {"purpose": "hvac"} and look["renewable"], f"lookup: {look}")
    child = hvac.Client(url=active_addr, token=tok["client_token"])
    check(child.auth.token.lookup_self()["data"]["accessor"] == tok["accessor"], "lookup-self")
    check(client.auth.token.lookup_accessor(tok["accessor"])["data"]["policies"] == ["app-read", "default"], "lookup by accessor")
    renewed = client.auth.token.renew(tok["client_token"], increment="2h")["auth"]
    check(renewed["lease_duration"] > 0, f"renew: {renewed}")
    check(child.auth.token.renew_self()["auth"]["client_token"] == tok["client_token"], "renew-self")
    orphan = client.auth.token.create_orphan(policies=["default"], ttl="10m")["auth"]
    check(orphan["orphan"] is True, "orphan token")
    client.auth.token.revoke(tok["client_token"])
    check(not child.is_authenticated(), "revoked token no longer authenticates")
    client.auth.token.revoke_accessor(orphan["accessor"])
    expect_error(hvac.exceptions.Forbidden, hvac.Client(url=active_addr, token=orphan["client_token"]).auth.token.lookup_self)
    report["tokens"] = {"policies": look["policies"]}

    # -- leases and the database engine -------------------------------------------------------------------------
    step("database configure")
    db = client.secrets.database
    db.configure(
        "pg",
        "postgresql-database-plugin",
        allowed_roles=["app"],
        connection_url=os.environ["PG_CONNECTION_URL"],
        username=os.environ["PG_USER"],
        password=os.environ["PG_PASSWORD"],
    )
    conn_info = db.read_connection("pg")["data"]
    check(conn_info["plugin_name"] == "postgresql-database-plugin" and "password" not in conn_info.get("connection_details", {}), f"connection: {conn_info}")
    check("pg" in db.list_connections()["data"]["keys"], "connection listed")
    db.create_role(
        "app",
        db_name="pg",
        creation_statements=["CREATE ROLE \"{{name}}\" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';"],
        default_ttl="10m",
        max_ttl="1h",
    )
    check(db.read_role("app")["data"]["db_name"] == "pg", "role reads back")

    step("database credentials")
    creds = db.generate_credentials("app")
    user, password = creds["data"]["username"], creds["data"]["password"]
    lease_id = creds["lease_id"]
    check(lease_id.startswith("database/creds/app/") and creds["lease_duration"] == 600 and creds["renewable"], f"creds lease: {creds}")
    pg_args = {"host": os.environ["PG_HOST"], "port": int(os.environ["PG_PORT"]), "dbname": "postgres", "connect_timeout": 10}
    conn = psycopg2.connect(user=user, password=password, **pg_args)
    with conn.cursor() as cur:
        cur.execute("SELECT current_user")
        check(cur.fetchone()[0] == user, "logged in to PostgreSQL as the issued user")
    conn.close()

    step("leases")
    lease = client.sys.read_lease(lease_id)["data"]
    check(lease["id"] == lease_id and lease["renewable"] and 0 < lease["ttl"] <= 600, f"lease lookup: {lease}")
    listed = client.sys.list_leases("database/creds/app/")["data"]["keys"]
    check(lease_id.rsplit("/", 1)[1] in listed, f"lease listed: {listed}")
    renewed_lease = client.sys.renew_lease(lease_id, increment=1200)
    check(renewed_lease["lease_id"] == lease_id and renewed_lease["lease_duration"] == 1200, f"lease renewal: {renewed_lease}")
    check(standby.sys.read_lease(lease_id)["data"]["id"] == lease_id, "lease lookup through the standby")
    client.sys.revoke_lease(lease_id)
    expect_error(hvac.exceptions.InvalidRequest, client.sys.read_lease, lease_id)
    try:
        psycopg2.connect(user=user, password=password, **pg_args).close()
        raise AssertionError("the revoked user still logs in")
    except psycopg2.OperationalError:
        pass
    admin = psycopg2.connect(user=os.environ["PG_USER"], password=os.environ["PG_PASSWORD"], **pg_args)
    with admin.cursor() as cur:
        cur.execute("SELECT count(*) FROM pg_roles WHERE rolname = %s", (user,))
        check(cur.fetchone()[0] == 0, "revocation dropped the PostgreSQL role")
    admin.close()
    report["database"] = {"lease_prefix": "database/creds/app/", "revoked_user_dropped": True}

    # -- response wrapping --------------------------------------------------------------------------------------
    step("wrapping")
    wrapped = client.write_data("auth/token/create", data={"policies": ["app-read"], "ttl": "10m"}, wrap_ttl="60s")
    info = wrapped["wrap_info"]
    check(info["ttl"] == 60 and info["creation_path"] == "auth/token/create" and wrapped.get("auth") is None, f"wrap_info: {info}")
    unwrapped = client.sys.unwrap(info["token"])
    check(unwrapped["auth"]["policies"] == ["app-read", "default"], f"unwrapped token: {unwrapped.get('auth')}")
    expect_error(hvac.exceptions.InvalidRequest, client.sys.unwrap, info["token"])
    wrapped_kv = client.read("kv1/app/db", wrap_ttl="30s")["wrap_info"]["token"]
    # Unwrapping with the wrapping token as the client's own token, the other way hvac offers.
    by_itself = hvac.Client(url=standby_addr, token=wrapped_kv).sys.unwrap()
    check(by_itself["data"]["password"] == "v1-pass", f"unwrap through the standby with the wrapping token: {by_itself}")
    report["wrapping"] = {"creation_path": info["creation_path"], "ttl": info["ttl"]}

    # -- operator helpers ---------------------------------------------------------------------------------------
    step("operator helpers")
    term = client.sys.get_encryption_key_status()
    term = term.get("data", term)["term"]
    client.sys.rotate_encryption_key()
    after = client.sys.get_encryption_key_status()
    check(after.get("data", after)["term"] == term + 1, f"key rotated: {after}")
    caps = client.sys.get_capabilities(paths=["kv1/app/db"], token=alice.token)
    check(caps["capabilities"] == ["list", "read"], f"alice's capabilities: {caps}")
    caps_acc = client.sys.get_capabilities(paths=["kv1/app/db"], accessor=login["auth"]["accessor"])
    check(caps_acc["capabilities"] == ["list", "read"], f"capabilities by accessor: {caps_acc}")
    check(client.sys.list_enabled_audit_devices()["data"] == {}, "no audit devices")
    gen = client.sys.read_root_generation_progress()
    check(gen["started"] is False and gen["required"] == 2, f"root generation progress: {gen}")
    client.sys.tune_auth_method("userpass", default_lease_ttl="30m")
    check(client.sys.read_auth_method_tuning("userpass")["data"]["default_lease_ttl"] == 1800, "userpass tuned")
    client.sys.move_backend("kv1", "kv1-moved")
    check(client.secrets.kv.v1.read_secret("app/db", mount_point="kv1-moved")["data"]["password"] == "v1-pass", "data kept across a move")
    deadline = time.time() + 10
    while "kv1/" in client.sys.list_mounted_secrets_engines()["data"] and time.time() < deadline:
        time.sleep(0.2)
    client.sys.move_backend("kv1-moved", "kv1")
    deadline = time.time() + 10
    while "kv1/" not in client.sys.list_mounted_secrets_engines()["data"] and time.time() < deadline:
        time.sleep(0.2)
    check(client.secrets.kv.v1.read_secret("app/db", mount_point="kv1")["data"]["password"] == "v1-pass", "moved back")
    client.sys.enable_secrets_engine("kv", path="scratch")
    client.sys.disable_secrets_engine("scratch")
    check("scratch/" not in client.sys.list_mounted_secrets_engines()["data"], "scratch engine disabled")
    client.sys.enable_auth_method("userpass", path="scratch-up")
    client.sys.disable_auth_method("scratch-up")
    check("scratch-up/" not in client.sys.list_auth_methods()["data"], "scratch auth method disabled")
    accessors = client.auth.token.list_accessors()["data"]["keys"]
    check(login["auth"]["accessor"] in accessors, "token accessors listed")
    rnd = transit.generate_random_bytes(n_bytes=16)["data"]["random_bytes"]
    check(len(base64.b64decode(rnd)) == 16, "random bytes")
    digest = transit.hash_data(hash_input=b64("abc"), algorithm="sha2-256", output_format="hex")["data"]["sum"]
    check(digest == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", f"sha2-256: {digest}")
    report["operator"] = {"key_term": term + 1}

    # -- seal and unseal again ----------------------------------------------------------------------------------
    step("seal")
    client.sys.seal()
    check(hvac.Client(url=active_addr).sys.is_sealed() is True, "sealed")
    c = hvac.Client(url=active_addr)
    final = c.sys.submit_unseal_keys(keys[1:3])
    check(final["sealed"] is False, f"unsealed again with other shares: {final}")
    report["resealed_and_unsealed"] = True

    print(json.dumps(report))


if __name__ == "__main__":
    try:
        main()
    except Exception as e:
        traceback.print_exc()
        print(f"hvac session failed at step {current[0]!r}: {type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(1)
