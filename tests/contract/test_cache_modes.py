"""The cache in the template: one of three shapes (one shard, cluster mode, serverless), each with
TLS in transit and AUTH through an RBAC user whose password Secrets Manager generates, readable by
the functions that use Redis and no others."""

from __future__ import annotations

from typing import Any

from tests.contract.template_support import load_template

REDIS_USERS = {"PredictFunction", "CacheWarmFunction", "BenchmarkFunction", "DataFunction"}  # data warms


def _resources() -> dict[str, Any]:
    return dict(load_template()["Resources"])


def test_three_cache_modes_choose_the_shape_and_the_client_protocol() -> None:
    template = load_template()
    conditions = template["Conditions"]
    assert conditions["UseServerlessCache"] == {"Fn::Equals": [{"Ref": "CacheMode"}, "serverless"]}
    assert conditions["UseReplicationGroup"] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "CacheMode"}, "serverless"]}]
    }
    assert conditions["UseClusterModeGroup"] == {"Fn::Equals": [{"Ref": "CacheMode"}, "cluster-mode"]}
    # The sharded modes (cluster-mode, serverless) make the client speak the cluster protocol.
    assert conditions["CacheSpeaksCluster"] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "CacheMode"}, "replication-group"]}]
    }
    env = template["Globals"]["Function"]["Environment"]["Variables"]
    assert env["REDIS_CLUSTER"] == {"Fn::If": ["CacheSpeaksCluster", "true", "false"]}
    assert env["REDIS_AUTH_SECRET_ARN"] == {"Ref": "RedisAuthSecret"}
    url = env["REDIS_URL"]["Fn::If"]
    assert url[0] == "UseServerlessCache" and url[2]["Fn::If"][0] == "UseClusterModeGroup"
    for chosen in (url[1], *url[2]["Fn::If"][1:]):
        assert chosen["Fn::Sub"].startswith("rediss://")  # TLS in every mode
    assert "ConfigurationEndPoint" in url[2]["Fn::If"][1]["Fn::Sub"]  # cluster mode: the config endpoint

    group = _resources()["ReplicationGroup"]["Properties"]
    assert group["ClusterMode"] == {"Fn::If": ["UseClusterModeGroup", "enabled", "disabled"]}
    assert group["NumNodeGroups"] == {"Fn::If": ["UseClusterModeGroup", {"Ref": "CacheShardCount"},
                                                 {"Ref": "AWS::NoValue"}]}  # fmt: skip
    assert group["NumCacheClusters"] == {"Fn::If": ["UseClusterModeGroup", {"Ref": "AWS::NoValue"},
                                                    {"Ref": "CacheNodeCount"}]}  # fmt: skip
    assert group["AutomaticFailoverEnabled"] == {"Fn::If": ["CacheFailover", True, False]}


def test_every_mode_has_tls_and_the_rbac_user_group() -> None:
    resources = _resources()
    group = resources["ReplicationGroup"]["Properties"]
    assert group["TransitEncryptionEnabled"] is True and group["TransitEncryptionMode"] == "required"
    assert group["UserGroupIds"] == [{"Ref": "RedisUserGroup"}]
    assert resources["ServerlessCache"]["Properties"]["UserGroupId"] == {"Ref": "RedisUserGroup"}
    users = resources["RedisUserGroup"]["Properties"]["UserIds"]
    assert users == [{"Ref": "RedisDefaultUser"}, {"Ref": "RedisAppUser"}]
    default = resources["RedisDefaultUser"]["Properties"]
    assert default["UserName"] == "default" and default["AccessString"].split()[0] == "off"
    app = resources["RedisAppUser"]["Properties"]
    assert app["AccessString"].startswith("on ~nflp:* ") and "-@dangerous" in app["AccessString"]
    assert app["AuthenticationMode"] == {"Type": "password", "Passwords": [
        {"Fn::Sub": "{{resolve:secretsmanager:${RedisAuthSecret}:SecretString:password}}"}]}  # fmt: skip
    generated = resources["RedisAuthSecret"]["Properties"]["GenerateSecretString"]
    assert generated["GenerateStringKey"] == "password" and generated["ExcludePunctuation"] is True
    assert '"username": "nflp-app"' in generated["SecretStringTemplate"]
    assert 16 <= generated["PasswordLength"] <= 128


def test_only_the_functions_that_use_redis_read_its_secret() -> None:
    granted = set()
    for name, resource in _resources().items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        for policy in resource["Properties"].get("Policies", []):
            if not isinstance(policy, dict):
                continue
            found = policy.get("AWSSecretsManagerGetSecretValuePolicy")
            if found == {"SecretArn": {"Ref": "RedisAuthSecret"}}:
                granted.add(name)
            statements = [s for doc in [policy.get("Statement")] if doc for s in doc]
            assert not any("RedisAuthSecret" in str(s) for s in statements), name
    assert granted == REDIS_USERS
