"""Operational promises of the template: configuration, schedules, scaling, migrations, API, alarms."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.contract.template_support import (
    TEMPLATE,
    default,
    environment,
    functions,
    load_template,
    packaged,
    refs,
    resources_of_type,
    transformed,
)

REPO = TEMPLATE.parents[1]
PACKAGE = REPO / "shared" / "nfl_predictor"

# Read by the code but deliberately unset in AWS, each for a reason.
LOCAL_ONLY = {
    "DATABASE_URL": "local/test databases; AWS uses DB_SECRET_ARN + DB_HOST (a URL would win over them)",
    "NFLP_DATA_DIR": "where the embedded database lives",
    "NFLP_MIGRATIONS_DIR": "override for tests; the layer ships nfl_predictor/migrations",
    "POWERTOOLS_TRACE_DISABLED": "switch to turn tracing off; unset in AWS means traced",
    "NFLP_XRAY_AT_INIT": "switch to load the X-Ray SDK at init on demand too; unset means lazily (cold start)",
}
# Set by the Lambda runtime itself.
RUNTIME = re.compile(r"^(AWS_|LAMBDA_|_HANDLER$|_X_AMZN)")
# Read by one function only (its own thresholds), set on that function.
INDEX_MAINTENANCE = re.compile(r"^(INDEX_|ANALYZE_)")
DATA_FUNCTION = re.compile(r"^(NFLVERSE_|DATA_)")


def settings_variables() -> set[str]:
    source = (PACKAGE / "config" / "settings.py").read_text()
    found = set(re.findall(r'_read\(\s*env,\s*"([A-Z][A-Z0-9_]+)"', source))
    return {name for name in found if not RUNTIME.match(name)}


def lambda_code_variables() -> set[str]:
    """os.environ / env lookups in code that runs in Lambda (not the local stack or the CLI)."""
    found: set[str] = set()
    pattern = re.compile(r'(?:environ|env)(?:\.get\(\s*|\[\s*)"([A-Z][A-Z0-9_]+)"')
    sources = [*PACKAGE.rglob("*.py"), *(REPO / "functions").rglob("*.py")]
    for path in sources:
        if {"local", "cli"} & set(path.relative_to(REPO).parts):
            continue
        found |= set(pattern.findall(path.read_text()))
    return {name for name in found if not RUNTIME.match(name)}


def index_maintenance_variables() -> set[str]:
    return {name for name in settings_variables() if INDEX_MAINTENANCE.match(name)}


def test_every_setting_the_code_reads_is_set_for_every_function_or_is_explicitly_local_only() -> None:
    template = load_template()
    read = settings_variables() | lambda_code_variables()
    assert {"DB_SECRET_ARN", "REDIS_URL", "CACHE_PREDICTION_TTL_SECONDS"} <= read  # the scan works
    for name in functions(template):
        env = environment(template, name)
        wanted = (
            read
            if name == "IndexMaintenanceFunction"
            else {v for v in read if not INDEX_MAINTENANCE.match(v)}
        )
        if name != "DataFunction":
            wanted = {v for v in wanted if not DATA_FUNCTION.match(v)}
        missing = sorted(wanted - set(env) - set(LOCAL_ONLY))
        assert not missing, f"{name}: code reads {missing} but the template does not set them"
        local = {k: v for k, v in env.items() if k in LOCAL_ONLY and v != ""}
        assert not local, f"{name} sets local-only variables {local} (empty, meaning unset, is allowed)"


def test_index_maintenance_thresholds_are_template_parameters() -> None:
    template = load_template()
    env = environment(template, "IndexMaintenanceFunction")
    wanted = index_maintenance_variables()
    assert {"INDEX_BLOAT_RATIO", "ANALYZE_MIN_CHANGED_ROWS", "INDEX_LOCK_TIMEOUT_MS"} <= wanted
    assert wanted <= set(env)
    assert env["INDEX_BLOAT_RATIO"] == {"Ref": "IndexBloatRatio"}


def test_deployed_values_describe_the_aws_shape_of_the_stack() -> None:
    env = load_template()["Globals"]["Function"]["Environment"]["Variables"]
    assert env["DB_POOLED"] == "false"
    assert refs(env["REDIS_URL"]) == {"ServerlessCache", "ReplicationGroup"}
    assert env["POWERTOOLS_METRICS_NAMESPACE"] == {"Fn::Sub": "NFLPredictor/${EnvironmentName}"}


def test_every_function_publishes_versions_for_layer_changes_and_keeps_python312() -> None:
    template = load_template()
    assert template["Resources"]["SharedLayer"]["Properties"]["PublishLambdaVersion"] is True
    assert template["Globals"]["Function"]["AutoPublishAlias"] == "live"
    for name, fn in functions(template).items():
        assert fn["Properties"]["AutoPublishAliasAllProperties"] is True, name
        assert fn["Properties"].get("Runtime", "python3.12") == "python3.12"


@pytest.mark.parametrize(
    "name", ["PredictFunction", "CacheWarmFunction", "IndexMaintenanceFunction", "MigrationsFunction"]
)
def test_every_function_has_memory_timeout_reserved_concurrency_and_its_own_log_group(name: str) -> None:
    template = load_template()
    props = template["Resources"][name]["Properties"]
    assert props["MemorySize"] >= 128 and props["Timeout"] >= 1
    assert "ReservedConcurrentExecutions" in props
    group = template["Resources"][props["LoggingConfig"]["LogGroup"]["Ref"]]
    assert group["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}


def test_predict_has_provisioned_concurrency_tracked_to_a_utilisation_target() -> None:
    template = load_template()
    resources = template["Resources"]
    predict = resources["PredictFunction"]["Properties"]
    assert predict["ReservedConcurrentExecutions"] == {"Ref": "PredictReservedConcurrency"}
    provisioned = predict["ProvisionedConcurrencyConfig"]["Fn::If"]
    assert provisioned[0] == "HasProvisionedConcurrency"
    assert provisioned[1] == {"ProvisionedConcurrentExecutions": {"Ref": "PredictProvisionedMin"}}
    target = resources["PredictScalableTarget"]
    assert target["DependsOn"] == "PredictFunctionAliaslive"
    assert target["Properties"]["ResourceId"] == {"Fn::Sub": "function:${PredictFunction}:live"}
    assert target["Properties"]["ScalableDimension"] == "lambda:function:ProvisionedConcurrency"
    assert (target["Properties"]["MinCapacity"], target["Properties"]["MaxCapacity"]) == (
        {"Ref": "PredictProvisionedMin"}, {"Ref": "PredictProvisionedMax"})  # fmt: skip
    tracking = resources["PredictScalingPolicy"]["Properties"]["TargetTrackingScalingPolicyConfiguration"]
    assert tracking["TargetValue"] == {"Ref": "PredictProvisionedTargetUtilization"}
    assert (
        tracking["PredefinedMetricSpecification"]["PredefinedMetricType"]
        == "LambdaProvisionedConcurrencyUtilization"
    )
    # The alias SAM generates carries it (so it is the live alias that is kept warm).
    aliases = transformed(packaged(template))["Resources"]
    assert "ProvisionedConcurrencyConfig" in aliases["PredictFunctionAliaslive"]["Properties"]


def schedules() -> dict[str, dict[str, Any]]:
    return resources_of_type(transformed(packaged(load_template())), "AWS::Scheduler::Schedule")


def test_schedules_invoke_the_live_alias_of_the_right_function_with_retries_and_a_dead_letter_queue() -> None:
    found = schedules()
    targets = {name: s["Properties"]["Target"]["Arn"]["Ref"] for name, s in found.items()}
    assert targets == {
        "IndexMaintenanceFunctionNightly": "IndexMaintenanceFunctionAliaslive",
        "CacheWarmFunctionGameDays": "CacheWarmFunctionAliaslive",
        "CacheWarmFunctionOffDays": "CacheWarmFunctionAliaslive",
        "BenchmarkFunctionNightly": "BenchmarkFunctionAliaslive",
        "DataFunctionInSeason": "DataFunctionAliaslive",
    }
    for name, schedule in found.items():
        target = schedule["Properties"]["Target"]
        assert target["RetryPolicy"]["MaximumRetryAttempts"] >= 1, name
        assert target["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": ["ScheduleDeadLetterQueue", "Arn"]}}, name
        assert json.loads(target["Input"])["source"] == "nflp.scheduler"


def test_index_maintenance_runs_nightly_and_failed_runs_reach_the_dead_letter_queue() -> None:
    template = load_template()
    [schedule] = [
        s for s in schedules().values() if "IndexMaintenance" in s["Properties"]["Target"]["Arn"]["Ref"]
    ]
    assert schedule["Properties"]["ScheduleExpression"] == {"Ref": "IndexMaintenanceSchedule"}
    minute, hour, *_ = default(template, "IndexMaintenanceSchedule").removeprefix("cron(").split()
    assert minute.isdigit() and hour.isdigit()  # once a day, at a fixed quiet hour
    invoke = template["Resources"]["IndexMaintenanceFunction"]["Properties"]["EventInvokeConfig"]
    assert invoke["DestinationConfig"]["OnFailure"]["Destination"] == {
        "Fn::GetAtt": ["ScheduleDeadLetterQueue", "Arn"]
    }


def test_cache_warm_is_frequent_on_game_days_and_a_failed_run_is_parked_not_retried() -> None:
    template = load_template()
    found = schedules()
    game_days = found["CacheWarmFunctionGameDays"]["Properties"]
    assert game_days["ScheduleExpression"] == {"Ref": "CacheWarmGameDaySchedule"}
    minute, hour, _, _, weekdays, _ = (
        default(template, "CacheWarmGameDaySchedule").removeprefix("cron(").split()
    )
    assert minute.startswith("*/") and hour == "*" and {"THU", "SUN", "MON"} <= set(weekdays.split(","))
    invoke = template["Resources"]["CacheWarmFunction"]["Properties"]["EventInvokeConfig"]
    assert invoke["MaximumRetryAttempts"] == 0
    assert invoke["DestinationConfig"]["OnFailure"]["Destination"] == {
        "Fn::GetAtt": ["ScheduleDeadLetterQueue", "Arn"]
    }


def test_migrations_run_on_every_deploy_that_ships_code_and_before_new_code_goes_live() -> None:
    template = load_template()
    resource = template["Resources"]["SchemaMigrations"]
    assert resource["Type"] == "Custom::SchemaMigrations"
    props = resource["Properties"]
    assert props["ServiceToken"] == {"Ref": "MigrationsFunction.Alias"}
    assert props["FunctionVersion"] == {"Ref": "MigrationsFunction.Version"}
    assert props["SharedLayerVersion"] == {"Ref": "SharedLayer"}
    assert resource["DependsOn"] == ["DatabaseProxyTargetGroup", "NetworkReady"]
    # ... and it runs only once the secret and CloudFormation's response URL are reachable.
    network = template["Resources"]["NetworkReady"]["Metadata"]
    assert refs(network) >= {"S3GatewayEndpoint", "SecretsManagerEndpoint", "PrivateDefaultRoute"}
    for name in ("PredictFunction", "CacheWarmFunction", "IndexMaintenanceFunction"):
        assert template["Resources"][name]["DependsOn"] == "SchemaMigrations"

    # A layer-only change (e.g. a new migration file) changes the resource's properties: an Update.
    def migration_properties(layer_object: str) -> dict[str, Any]:
        return transformed(packaged(template, layer_object=layer_object))["Resources"]["SchemaMigrations"][
            "Properties"
        ]

    assert migration_properties("layer-v1.zip") == migration_properties("layer-v1.zip")
    assert migration_properties("layer-v1.zip") != migration_properties("layer-v2.zip")


def test_rds_proxy_pools_a_share_of_connections_and_sets_timeouts_once_per_connection() -> None:
    template = load_template()
    pool = template["Resources"]["DatabaseProxyTargetGroup"]["Properties"]["ConnectionPoolConfigurationInfo"]
    assert pool["MaxConnectionsPercent"] == {"Ref": "ProxyMaxConnectionsPercent"}
    assert pool["MaxIdleConnectionsPercent"] == {"Ref": "ProxyMaxIdleConnectionsPercent"}
    assert default(template, "ProxyMaxIdleConnectionsPercent") < default(
        template, "ProxyMaxConnectionsPercent"
    )
    assert pool["InitQuery"] == "SET statement_timeout = 5000; SET lock_timeout = 2000"


def test_postgres_16_preloads_pg_stat_statements_and_aurora_is_a_parameter() -> None:
    template = load_template()
    resources = template["Resources"]
    assert resources["DatabaseParameterGroup"]["Properties"]["Family"] == "postgres16"
    assert resources["AuroraClusterParameterGroup"]["Properties"]["Family"] == "aurora-postgresql16"
    for name in ("DatabaseParameterGroup", "AuroraClusterParameterGroup"):
        assert "pg_stat_statements" in resources[name]["Properties"]["Parameters"]["shared_preload_libraries"]
    assert default(template, "PostgresEngineVersion") == "16"
    assert template["Parameters"]["DatabaseEngine"]["AllowedValues"] == [
        "rds-postgres",
        "aurora-serverless-v2",
    ]


def test_the_cache_is_a_replication_group_or_a_serverless_cache_with_usage_limits() -> None:
    template = load_template()
    resources = template["Resources"]
    assert template["Parameters"]["CacheMode"]["AllowedValues"] == [
        "replication-group",
        "cluster-mode",
        "serverless",
    ]
    limits = resources["ServerlessCache"]["Properties"]["CacheUsageLimits"]
    assert limits["DataStorage"] == {"Maximum": {"Ref": "ServerlessCacheMaxDataGB"}, "Unit": "GB"}
    assert limits["ECPUPerSecond"] == {"Maximum": {"Ref": "ServerlessCacheMaxECPUPerSecond"}}
    assert resources["ServerlessCache"]["Condition"] == "UseServerlessCache"
    assert resources["ReplicationGroup"]["Condition"] == "UseReplicationGroup"


def test_the_http_api_has_access_logs_throttling_and_cors_from_parameters() -> None:
    template = load_template()
    api = template["Resources"]["HttpApi"]["Properties"]
    assert api["AccessLogSettings"]["DestinationArn"] == {"Fn::GetAtt": ["ApiAccessLogGroup", "Arn"]}
    assert "$context.requestId" in api["AccessLogSettings"]["Format"]
    assert api["DefaultRouteSettings"] == {"ThrottlingRateLimit": {"Ref": "ApiThrottleRateLimit"},
                                           "ThrottlingBurstLimit": {"Ref": "ApiThrottleBurstLimit"}}  # fmt: skip
    assert api["CorsConfiguration"]["AllowOrigins"] == {"Ref": "CorsAllowOrigins"}
    assert "x-api-key" in api["CorsConfiguration"]["AllowHeaders"]
    event = template["Resources"]["PredictFunction"]["Properties"]["Events"]["Api"]
    assert event["Type"] == "HttpApi" and event["Properties"]["ApiId"] == {"Ref": "HttpApi"}


ALARMS = {
    # alarm: (metric, threshold)
    "ApiLatencyP99Alarm": ("Latency", {"Ref": "ApiLatencySloMs"}),
    "PredictErrorsAlarm": ("Errors", {"Ref": "LambdaErrorsAlarmThreshold"}),
    "PredictThrottlesAlarm": ("Throttles", 0),
    "CacheWarmErrorsAlarm": ("Errors", 2),
    "CacheWarmThrottlesAlarm": ("Throttles", 0),
    "IndexMaintenanceErrorsAlarm": ("Errors", 0),
    "IndexMaintenanceThrottlesAlarm": ("Throttles", 0),
    "CacheMemoryAlarm": (None, {"Ref": "CacheMemoryAlarmPercent"}),
    "CacheConnectionsAlarm": ("CurrConnections", {"Ref": "CacheConnectionsAlarmThreshold"}),
    "DatabaseConnectionsAlarm": ("DatabaseConnections", {"Ref": "DbConnectionsAlarmThreshold"}),
    "ScheduleDeadLetterAlarm": ("ApproximateNumberOfMessagesVisible", 0),
}


def test_alarms_watch_what_the_issue_names_with_their_thresholds_and_notify_the_topic() -> None:
    template = load_template()
    alarms = resources_of_type(template, "AWS::CloudWatch::Alarm")
    assert set(ALARMS) <= set(alarms)
    for name, (metric, threshold) in ALARMS.items():
        props = alarms[name]["Properties"]
        if metric:
            assert props["MetricName"] == metric, name
        assert props["Threshold"] == threshold, name
    for name, alarm in alarms.items():
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": "AlarmTopic"}], name
    assert alarms["ApiLatencyP99Alarm"]["Properties"]["ExtendedStatistic"] == "p99"
    assert default(template, "CacheMemoryAlarmPercent") == 80
    # Memory: percent of the node (replication group) or of the serverless storage limit.
    serverless, nodes = alarms["CacheMemoryAlarm"]["Properties"]["Metrics"]["Fn::If"][1:]
    assert "ServerlessCacheMaxDataGB" in serverless[1]["Expression"]["Fn::Sub"]
    assert nodes[0]["MetricStat"]["Metric"]["MetricName"] == "DatabaseMemoryUsagePercentage"


def test_the_dashboard_shows_latency_cache_tiers_elasticache_rds_and_pinned_sessions() -> None:
    body, variables = load_template()["Resources"]["Dashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    for needed in ('"p50"', '"p99"', "CacheHit_l1", "CacheHit_redis", "CacheHit_db", "CacheMiss", "CurrConnections",
                   "CPUUtilization", "DatabaseConnections", "DatabaseConnectionsCurrentlySessionPinned", "Throttles"):  # fmt: skip
        assert needed in body, needed
    # After substitution the body must be JSON (CloudWatch refuses the dashboard otherwise).
    values = {"CacheDimensions": '"clusterId", "c"', "DatabaseDimensions": '"DBInstanceIdentifier", "d"',
              "ApiLatencySloMs": "300"}  # fmt: skip
    rendered = re.sub(r"\$\{([^}]+)\}", lambda m: values.get(m.group(1), "x"), body)
    assert len(json.loads(rendered)["widgets"]) >= 6
    assert set(variables) == {
        "MetricsNamespace",
        "CacheMemoryMetric",
        "CacheDimensions",
        "DatabaseDimensions",
    }


def test_outputs_give_the_api_url_and_resource_names() -> None:
    outputs = load_template()["Outputs"]
    assert "${HttpApi}.execute-api" in outputs["ApiUrl"]["Value"]["Fn::Sub"]
    for name in ("PredictFunctionName", "CacheWarmFunctionName", "IndexMaintenanceFunctionName", "MigrationsFunctionName",
                 "DatabaseProxyEndpoint", "CacheEndpoint", "AlarmTopicArn", "DashboardName"):  # fmt: skip
        assert name in outputs


def test_samconfig_environments_deploy_the_template_with_their_own_parameters() -> None:
    import tomllib

    config = tomllib.loads((REPO / "samconfig.toml").read_text())
    names = set(load_template()["Parameters"])
    for env in ("default", "prod"):
        deploy = config[env]["deploy"]["parameters"]
        assert (
            "CAPABILITY_IAM" in deploy["capabilities"] and "CAPABILITY_AUTO_EXPAND" in deploy["capabilities"]
        )
        pairs = dict(pair.split("=", 1) for pair in deploy["parameter_overrides"].split())
        assert set(pairs) <= names, f"{env}: unknown parameters {set(pairs) - names}"
        assert config[env]["build"]["parameters"]["template_file"] == "infra/template.yaml"
    assert "EnvironmentName=prod" in config["prod"]["deploy"]["parameters"]["parameter_overrides"]


def test_every_function_has_an_event_file(tmp_path: Path) -> None:
    for name, fn in functions(load_template()).items():
        folder = Path(fn["Properties"]["CodeUri"]).name
        assert (REPO / "events" / f"{folder}.json").is_file(), f"{name}: events/{folder}.json missing"


@pytest.mark.parametrize(
    ("snapstart", "provisioned_min", "expect_snapstart", "expect_provisioned"),
    [
        ("true", "2", True, False),
        ("false", "2", False, True),
        ("true", "0", True, False),
        ("false", "0", False, False),
    ],
)
def test_predict_snapstart_and_provisioned_concurrency_are_exclusive(
    snapstart: str, provisioned_min: str, expect_snapstart: bool, expect_provisioned: bool
) -> None:
    """Lambda rejects SnapStart with provisioned concurrency: the conditions never turn both on."""
    from nfl_predictor_dev.local.invoke import Resolver

    template = load_template()
    resolver = Resolver(template, {"PredictSnapStart": snapstart, "PredictProvisionedMin": provisioned_min})
    assert resolver.condition("UsePredictSnapStart") is expect_snapstart
    assert resolver.condition("HasProvisionedConcurrency") is expect_provisioned
    # The scaling target and policy follow the same condition (no auto scaling of a SnapStart alias).
    for name in ("PredictScalableTarget", "PredictScalingPolicy"):
        assert template["Resources"][name]["Condition"] == "HasProvisionedConcurrency"


def test_predict_snapstart_applies_to_published_versions_on_a_snapstart_runtime() -> None:
    template = load_template()
    assert template["Parameters"]["PredictSnapStart"]["AllowedValues"] == ["true", "false"]
    snap = template["Resources"]["PredictFunction"]["Properties"]["SnapStart"]["Fn::If"]
    assert snap[0] == "UsePredictSnapStart"
    assert snap[1] == {"ApplyOn": "PublishedVersions"}
    assert snap[2] == {"Ref": "AWS::NoValue"}
    # SnapStart for Python needs python3.12+; versions are published by the live alias.
    runtime = template["Globals"]["Function"]["Runtime"]
    assert tuple(int(p) for p in runtime.removeprefix("python").split(".")) >= (3, 12)
    lambda_fn = transformed(packaged(template))["Resources"]["PredictFunction"]["Properties"]
    assert lambda_fn["SnapStart"]["Fn::If"][1] == {"ApplyOn": "PublishedVersions"}


def test_samconfig_chooses_snapstart_or_provisioned_concurrency_per_environment_with_a_reason() -> None:
    import tomllib

    text = (REPO / "samconfig.toml").read_text()
    config = tomllib.loads(text)
    for env in ("default", "prod"):
        pairs = dict(
            p.split("=", 1) for p in config[env]["deploy"]["parameters"]["parameter_overrides"].split()
        )
        assert pairs.get("PredictSnapStart") in ("true", "false"), env
        name = "dev" if env == "default" else env
        assert f"# Cold starts, {name}:" in text and "Why" in text.split(f"# Cold starts, {name}:")[1][:400]
