"""Security promises of the template: closed network, TLS everywhere, one least-privilege role per function."""

from __future__ import annotations

from typing import Any

from tests.contract.template_support import (
    default,
    environment,
    functions,
    load_template,
    packaged,
    refs,
    resources_of_type,
    transformed,
)

OPEN = {"0.0.0.0/0", "::/0"}


def ingress_rules(template: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(group logical id, rule) for inline and stand-alone ingress rules."""
    rules = []
    for name, group in resources_of_type(template, "AWS::EC2::SecurityGroup").items():
        rules += [(name, rule) for rule in group["Properties"].get("SecurityGroupIngress", [])]
    for rule in resources_of_type(template, "AWS::EC2::SecurityGroupIngress").values():
        rules.append((rule["Properties"]["GroupId"]["Ref"], rule["Properties"]))
    return rules


def test_no_ingress_is_open_to_the_world_and_every_rule_names_a_source_group() -> None:
    template = load_template()
    rules = ingress_rules(template)
    assert rules
    for group, rule in rules:
        assert rule.get("CidrIp") not in OPEN and rule.get("CidrIpv6") not in OPEN, f"{group} is open"
        assert "SourceSecurityGroupId" in rule, f"{group}: ingress must come from a security group"


def test_only_the_functions_reach_redis_and_the_proxy_and_only_the_proxy_reaches_the_database() -> None:
    rules = {(group, rule["SourceSecurityGroupId"]["Ref"], rule["FromPort"], rule["ToPort"])
             for group, rule in ingress_rules(load_template())}  # fmt: skip
    assert rules == {
        ("CacheSecurityGroup", "LambdaSecurityGroup", 6379, 6380),
        ("ProxySecurityGroup", "LambdaSecurityGroup", 5432, 5432),
        ("DatabaseSecurityGroup", "ProxySecurityGroup", 5432, 5432),
        ("EndpointSecurityGroup", "LambdaSecurityGroup", 443, 443),
        # The secret rotation function changes the master password on the database itself.
        ("DatabaseSecurityGroup", "RotationSecurityGroup", 5432, 5432),
        ("EndpointSecurityGroup", "RotationSecurityGroup", 443, 443),
    }


def test_function_egress_is_limited_to_redis_the_proxy_and_https() -> None:
    template = load_template()
    inline = template["Resources"]["LambdaSecurityGroup"]["Properties"]["SecurityGroupEgress"]
    assert [(r["IpProtocol"], r["FromPort"], r["ToPort"]) for r in inline] == [("tcp", 443, 443)]
    extra = {(r["Properties"]["DestinationSecurityGroupId"]["Ref"], r["Properties"]["FromPort"])
             for r in resources_of_type(template, "AWS::EC2::SecurityGroupEgress").values()
             if r["Properties"]["GroupId"] == {"Ref": "LambdaSecurityGroup"}}  # fmt: skip
    assert extra == {("ProxySecurityGroup", 5432), ("CacheSecurityGroup", 6379)}
    # Groups that need no egress replace the default allow-all with a loopback placeholder.
    for name in (
        "CacheSecurityGroup",
        "DatabaseSecurityGroup",
        "ProxySecurityGroup",
        "EndpointSecurityGroup",
    ):
        [rule] = template["Resources"][name]["Properties"]["SecurityGroupEgress"]
        assert rule["CidrIp"] == "127.0.0.1/32"


def test_every_function_runs_in_the_two_private_subnets_of_different_azs() -> None:
    template = load_template()
    vpc = template["Globals"]["Function"]["VpcConfig"]
    assert vpc["SubnetIds"] == [{"Ref": "PrivateSubnetA"}, {"Ref": "PrivateSubnetB"}]
    assert vpc["SecurityGroupIds"] == [{"Ref": "LambdaSecurityGroup"}]
    zones = [
        template["Resources"][s]["Properties"]["AvailabilityZone"]
        for s in ("PrivateSubnetA", "PrivateSubnetB")
    ]
    assert [z["Fn::Select"][0] for z in zones] == [0, 1]
    for name, fn in functions(template).items():
        assert "VpcConfig" not in fn["Properties"], f"{name} overrides the shared network placement"


def test_aws_apis_are_reached_through_endpoints_or_a_nat_gateway_chosen_by_parameter() -> None:
    template = load_template()
    resources = template["Resources"]
    services = {r["Properties"]["ServiceName"]["Fn::Sub"].rsplit(".", 1)[1]: r.get("Condition")
                for r in resources_of_type(template, "AWS::EC2::VPCEndpoint").values()}  # fmt: skip
    assert services["secretsmanager"] == services["monitoring"] == services["sns"] == "UseVpcEndpoints"
    assert "logs" not in services  # Lambda ships logs itself; no code calls the Logs API
    assert services["s3"] is None  # the gateway endpoint carries the custom resource's response
    assert resources["NatGateway"]["Condition"] == "UseNatGateway"
    assert template["Parameters"]["EgressMode"]["AllowedValues"] == ["VpcEndpoints", "NatGateway"]


def test_tls_is_required_from_the_functions_to_redis_the_proxy_and_the_database() -> None:
    template = load_template()
    resources = template["Resources"]
    proxy = resources["DatabaseProxy"]["Properties"]
    assert proxy["RequireTLS"] is True
    assert [auth["SecretArn"] for auth in proxy["Auth"]] == [
        {"Ref": "DatabaseSecret"},
        {"Ref": "AppDatabaseSecret"},
    ]
    for auth in proxy["Auth"]:
        assert auth["IAMAuth"] == {"Ref": "ProxyIAMAuth"} and default(template, "ProxyIAMAuth") == "REQUIRED"
        assert auth["ClientPasswordAuthType"] == "POSTGRES_SCRAM_SHA_256"
    group = resources["ReplicationGroup"]["Properties"]
    assert group["TransitEncryptionEnabled"] is True and group["TransitEncryptionMode"] == "required"
    assert group["AtRestEncryptionEnabled"] is True
    for name in ("DatabaseParameterGroup", "AuroraClusterParameterGroup"):
        assert resources[name]["Properties"]["Parameters"]["rds.force_ssl"] == "1"
    assert resources["DatabaseInstance"]["Properties"]["StorageEncrypted"] is True
    assert resources["AuroraCluster"]["Properties"]["StorageEncrypted"] is True
    env = template["Globals"]["Function"]["Environment"]["Variables"]
    assert env["DB_SSLMODE"] == "verify-full"
    branches = list(env["REDIS_URL"]["Fn::If"][1:])
    while branches:  # nested: serverless, else cluster mode, else one shard
        branch = branches.pop()
        if "Fn::If" in branch:
            branches.extend(branch["Fn::If"][1:])
            continue
        assert branch["Fn::Sub"].startswith("rediss://")
    assert env["DB_IAM_AUTH"] == {"Fn::If": ["ProxyIamAuthRequired", "true", "false"]}


def test_database_credentials_are_generated_into_secrets_manager_never_written_down() -> None:
    template = load_template()
    secret = template["Resources"]["DatabaseSecret"]["Properties"]["GenerateSecretString"]
    assert secret["GenerateStringKey"] == "password" and secret["PasswordLength"] >= 32
    for name in ("DatabaseInstance", "AuroraCluster"):
        props = template["Resources"][name]["Properties"]
        assert "{{resolve:secretsmanager:${DatabaseSecret}" in props["MasterUserPassword"]["Fn::Sub"]


def roles_by_function() -> dict[str, dict[str, Any]]:
    resources = transformed(packaged(load_template()))["Resources"]
    found = {}
    for name, fn in resources.items():
        if fn["Type"] == "AWS::Lambda::Function":
            role = fn["Properties"]["Role"]["Fn::GetAtt"][0]
            found[name] = resources[role]
    return found


def statements(role: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for policy in role["Properties"].get("Policies", []):
        if "Fn::If" in policy:  # conditional policies: check both branches that are policies
            policy = policy["Fn::If"][1]
        found += policy["PolicyDocument"]["Statement"]
    return found


def test_each_function_has_its_own_role_with_only_scoped_permissions() -> None:
    roles = roles_by_function()
    assert len({id(role) for role in roles.values()}) == len(roles) == len(functions(load_template()))
    allowed_managed = {
        "AWSLambdaBasicExecutionRole",
        "AWSLambdaVPCAccessExecutionRole",
        "AWSXrayWriteOnlyAccess",
    }
    for name, role in roles.items():
        managed = {arn.rsplit("/", 1)[1] for arn in role["Properties"]["ManagedPolicyArns"]}
        assert managed <= allowed_managed, f"{name}: {managed - allowed_managed}"
        for statement in statements(role):
            # PutMetricData has no resource-level permissions: "*" is scoped by a namespace condition.
            conditions = str(statement.get("Condition"))
            metrics_only = (
                statement["Action"] == "cloudwatch:PutMetricData" and "cloudwatch:namespace" in conditions
            )
            assert statement["Resource"] != "*" or metrics_only, f"{name}: {statement} is not scoped"
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            assert all("*" not in action for action in actions), f"{name}: wildcard action {actions}"


# Issue 12: who logs in as whom. DDL (migrations, index maintenance) is the master user's; everything
# that serves, warms, measures or manages keys is the application role (DML only, migration 010).
MASTER_USER_FUNCTIONS = {"MigrationsFunction", "IndexMaintenanceFunction"}
APP_ROLE_FUNCTIONS = {
    "PredictFunction",
    "CacheWarmFunction",
    "BenchmarkFunction",
    "AdminFunction",
    "DataFunction",
}


def test_database_access_is_the_secret_and_rds_db_connect_as_the_user_through_this_proxy() -> None:
    roles = roles_by_function()
    assert MASTER_USER_FUNCTIONS | APP_ROLE_FUNCTIONS <= set(roles)
    for name, role in roles.items():
        readable: set[str] = set()
        connects = []
        for statement in statements(role):
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            if "secretsmanager:GetSecretValue" in actions:
                readable |= refs(statement["Resource"])
            if "rds-db:connect" in actions:
                connects.append(statement["Resource"]["Fn::Sub"])
        if name in APP_ROLE_FUNCTIONS:
            # The app secret only: the master password is out of reach of anything internet-facing.
            # (And the Redis AUTH secret for the functions that use the cache: test_cache_modes.py.)
            assert readable - {"RedisAuthSecret"} == {"AppDatabaseSecret"}, name
            users = {"nflp_app"}
        elif name == "MigrationsFunction":
            assert readable == {"DatabaseSecret", "AppDatabaseSecret"}, name  # sets the app role's password
            users = {"${DbUsername}"}
        elif name in MASTER_USER_FUNCTIONS:
            assert readable == {"DatabaseSecret"}, name
            users = {"${DbUsername}"}
        else:
            continue  # functions without a database (none today)
        assert {c[0].rsplit("/", 1)[1] for c in connects} == users, name
        for connect in connects:
            assert connect[0].endswith(":dbuser:${ProxyId}/" + next(iter(users)))
            assert refs(connect[1]["ProxyId"]) == {"DatabaseProxy"}


def test_the_app_role_secret_is_generated_names_the_migrations_role_and_the_proxy_can_use_it() -> None:
    from nfl_predictor.db.migrate import load_migrations
    from nfl_predictor.db.roles import APP_ROLE

    template = load_template()
    resources = template["Resources"]
    generated = resources["AppDatabaseSecret"]["Properties"]["GenerateSecretString"]
    assert generated["GenerateStringKey"] == "password" and generated["PasswordLength"] >= 32
    assert f'"username": "{APP_ROLE}"' in generated["SecretStringTemplate"]["Fn::Sub"]
    roles_sql = next(m for m in load_migrations() if m.name == "roles").sql
    assert f"CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER" in roles_sql
    proxy_reads = resources["ProxyRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"][0]
    assert refs(proxy_reads["Resource"]) == {"DatabaseSecret", "AppDatabaseSecret"}
    # Only the migrations function is told the app secret (to set the password from it).
    for name in functions(template):
        expected = {"Ref": "AppDatabaseSecret"} if name == "MigrationsFunction" else ""
        assert environment(template, name)["APP_DB_SECRET_ARN"] == expected, name


def test_the_functions_point_at_the_proxy_not_the_database() -> None:
    template = load_template()
    for name in functions(template):
        env = environment(template, name)
        assert env["DB_HOST"] == {"Fn::GetAtt": ["DatabaseProxy", "Endpoint"]}, name
        secret = "DatabaseSecret" if name in MASTER_USER_FUNCTIONS else "AppDatabaseSecret"
        assert env["DB_VIA_PROXY"] == "true" and env["DB_SECRET_ARN"] == {"Ref": secret}, name
