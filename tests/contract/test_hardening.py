"""Hardening promises of the template (issue 12, item 7): an encrypted alarm topic that reaches someone
in prod, storage/memory/eviction/CPU alarms, a canary for predict, a proxy borrow timeout under the
function timeout, secret rotation, Performance Insights in prod, maintenance off game days, no unused
endpoint."""

from __future__ import annotations

import re
import tomllib
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


def samconfig_overrides(env: str) -> dict[str, str]:
    config = tomllib.loads((REPO / "samconfig.toml").read_text())
    pairs = config[env]["deploy"]["parameters"]["parameter_overrides"].split()
    return dict(pair.split("=", 1) for pair in pairs)


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


# --- the alarm topic ---------------------------------------------------------------------------


def test_the_alarm_topic_is_encrypted_with_a_key_cloudwatch_may_use() -> None:
    resources = load_template()["Resources"]
    topic = resources["AlarmTopic"]["Properties"]
    assert topic["KmsMasterKeyId"] == {"Fn::GetAtt": ["AlarmTopicKey", "Arn"]}
    key = resources["AlarmTopicKey"]["Properties"]
    assert key["EnableKeyRotation"] is True
    statements = key["KeyPolicy"]["Statement"]
    cloudwatch = [s for s in statements if s["Principal"] == {"Service": "cloudwatch.amazonaws.com"}]
    assert len(cloudwatch) == 1 and cloudwatch[0]["Effect"] == "Allow"
    assert set(cloudwatch[0]["Action"]) == {"kms:Decrypt", "kms:GenerateDataKey*"}
    # No one but the account itself administers the key (no wildcard principal).
    for statement in statements:
        assert statement["Principal"] != "*" and statement["Principal"] != {"AWS": "*"}


def test_functions_that_publish_alerts_may_use_the_topic_key_and_nothing_else_may() -> None:
    template = load_template()
    resources = transformed(packaged(template))["Resources"]
    publishers = {name for name in functions(template)
                  if environment(template, name)["ALERT_TOPIC_ARN"] == {"Ref": "AlarmTopic"}}  # fmt: skip
    assert {"PredictFunction", "BenchmarkFunction"} <= publishers
    for name in functions(template):
        role = resources[resources[name]["Properties"]["Role"]["Fn::GetAtt"][0]]
        kms = [s for p in role["Properties"].get("Policies", []) if "PolicyDocument" in p
               for s in p["PolicyDocument"]["Statement"] if any(a.startswith("kms:") for a in as_list(s["Action"]))]  # fmt: skip
        if name in publishers:
            assert kms and all(s["Resource"] == {"Fn::GetAtt": ["AlarmTopicKey", "Arn"]} for s in kms), name
            assert {a for s in kms for a in as_list(s["Action"])} == {"kms:GenerateDataKey", "kms:Decrypt"}
        else:
            assert not kms, f"{name} has KMS rights it does not need"


EMAIL_PATTERN = re.compile(load_template()["Parameters"]["AlarmEmail"]["AllowedPattern"])


@pytest.mark.parametrize(
    ("value", "accepted"),
    [("", True), ("oncall@example.org", True), ("CHANGE_ME_to_the_on_call_address", False), ("a@b", False)],
)
def test_alarm_email_is_empty_or_an_address(value: str, accepted: bool) -> None:
    assert bool(EMAIL_PATTERN.fullmatch(value)) is accepted


def test_prod_cannot_deploy_without_an_alarm_address_and_samconfig_names_the_placeholder() -> None:
    template = load_template()
    [assertion] = template["Rules"]["ProdNeedsAlarmEmail"]["Assertions"]
    assert template["Rules"]["ProdNeedsAlarmEmail"]["RuleCondition"] == {
        "Fn::Equals": [{"Ref": "EnvironmentName"}, "prod"]
    }
    assert assertion["Assert"] == {"Fn::Not": [{"Fn::Equals": [{"Ref": "AlarmEmail"}, ""]}]}
    # prod's samconfig sets it, to a placeholder the pattern refuses until the operator changes it.
    prod_email = samconfig_overrides("prod")["AlarmEmail"]
    assert prod_email.startswith("CHANGE_ME") and not EMAIL_PATTERN.fullmatch(prod_email)
    assert template["Resources"]["AlarmEmailSubscription"]["Condition"] == "HasAlarmEmail"


# --- alarms --------------------------------------------------------------------------------------

HARDENING_ALARMS = {
    # alarm: (metric, comparison, threshold parameter)
    "DatabaseFreeStorageAlarm": ("FreeStorageSpace", "LessThanThreshold", "DbFreeStorageAlarmBytes"),
    "DatabaseFreeableMemoryAlarm": ("FreeableMemory", "LessThanThreshold", "DbFreeableMemoryAlarmBytes"),
    "CacheEvictionsAlarm": ("Evictions", "GreaterThanThreshold", "CacheEvictionsAlarmThreshold"),
}


@pytest.mark.parametrize("name", sorted(HARDENING_ALARMS))
def test_database_storage_memory_and_cache_eviction_alarms_notify_the_topic(name: str) -> None:
    template = load_template()
    metric, comparison, parameter = HARDENING_ALARMS[name]
    props = template["Resources"][name]["Properties"]
    assert props["MetricName"] == metric
    assert props["ComparisonOperator"] == comparison
    assert props["Threshold"] == {"Ref": parameter} and default(template, parameter) > 0
    assert props["AlarmActions"] == [{"Ref": "AlarmTopic"}] and props["OKActions"] == [{"Ref": "AlarmTopic"}]


def test_cache_memory_and_engine_cpu_are_watched_on_the_primary_or_serverless_throttling() -> None:
    template = load_template()
    alarms = template["Resources"]
    nodes = alarms["CacheMemoryAlarm"]["Properties"]["Metrics"]["Fn::If"][2]
    assert nodes[0]["MetricStat"]["Metric"]["MetricName"] == "DatabaseMemoryUsagePercentage"
    cpu = alarms["CacheCpuAlarm"]["Properties"]
    assert cpu["MetricName"] == {"Fn::If": ["UseServerlessCache", "ThrottledCmds", "EngineCPUUtilization"]}
    assert cpu["Threshold"] == {"Fn::If": ["UseServerlessCache", 0, {"Ref": "CacheEngineCpuAlarmPercent"}]}
    primary = {"Fn::If": ["UseClusterModeGroup", {"Fn::Sub": "${ReplicationGroup}-0001-001"},
                          {"Fn::Sub": "${ReplicationGroup}-001"}]}  # fmt: skip
    assert cpu["Dimensions"]["Fn::If"][2] == [{"Name": "CacheClusterId", "Value": primary}]
    evictions = alarms["CacheEvictionsAlarm"]["Properties"]["Dimensions"]["Fn::If"][2]
    assert evictions == [{"Name": "CacheClusterId", "Value": primary}]
    assert default(template, "CacheEngineCpuAlarmPercent") == 80
    assert alarms["DatabaseFreeStorageAlarm"]["Condition"] == "UseRdsInstance"


# --- predict's canary ----------------------------------------------------------------------------


def test_predict_shifts_traffic_through_codedeploy_rolled_back_by_alarms_on_the_new_version() -> None:
    template = load_template()
    predict = template["Resources"]["PredictFunction"]["Properties"]
    preference = predict["DeploymentPreference"]
    assert preference["Type"] == {"Ref": "PredictDeploymentType"}
    assert default(template, "PredictDeploymentType") == "AllAtOnce"
    assert samconfig_overrides("prod")["PredictDeploymentType"] == "Canary10Percent5Minutes"
    assert samconfig_overrides("default")["PredictDeploymentType"] == "AllAtOnce"
    assert preference["Alarms"] == [{"Ref": "PredictCanaryErrorsAlarm"}, {"Ref": "PredictCanaryLatencyAlarm"}]
    for name in ("PredictCanaryErrorsAlarm", "PredictCanaryLatencyAlarm"):
        dimensions = {d["Name"]: d["Value"] for d in template["Resources"][name]["Properties"]["Dimensions"]}
        # Only the version being deployed: the old one's errors must not roll the new one back.
        assert dimensions["ExecutedVersion"] == {"Fn::GetAtt": ["PredictFunction", "Version.Version"]}
        assert dimensions["Resource"] == {"Fn::Sub": "${PredictFunction}:live"}
    latency = template["Resources"]["PredictCanaryLatencyAlarm"]["Properties"]
    assert latency["ExtendedStatistic"] == "p99"
    assert latency["Threshold"] == {"Ref": "PredictCanaryDurationP99Ms"}
    assert default(template, "PredictCanaryDurationP99Ms") < predict["Timeout"] * 1000


def test_the_canary_keeps_provisioned_concurrency_and_auto_scaling_on_the_live_alias() -> None:
    resources = transformed(packaged(load_template()), PredictDeploymentType="Canary10Percent5Minutes")[
        "Resources"
    ]
    alias = resources["PredictFunctionAliaslive"]
    assert "CodeDeployLambdaAliasUpdate" in alias["UpdatePolicy"]
    assert "ProvisionedConcurrencyConfig" in alias["Properties"]
    [group] = resources_of_type({"Resources": resources}, "AWS::CodeDeploy::DeploymentGroup").values()
    props = group["Properties"]
    assert props["DeploymentConfigName"]["Fn::Sub"][1] == {"ConfigName": "Canary10Percent5Minutes"}
    assert "DEPLOYMENT_STOP_ON_ALARM" in props["AutoRollbackConfiguration"]["Events"]
    assert {a["Name"]["Ref"] for a in props["AlarmConfiguration"]["Alarms"]} == {
        "PredictCanaryErrorsAlarm", "PredictCanaryLatencyAlarm"}  # fmt: skip
    assert resources["PredictScalableTarget"]["Properties"]["ResourceId"] == {
        "Fn::Sub": "function:${PredictFunction}:live"
    }
    # Only predict is shifted gradually: the others serve no traffic worth a canary.
    assert len(resources_of_type({"Resources": resources}, "AWS::CodeDeploy::DeploymentGroup")) == 1


# --- database ------------------------------------------------------------------------------------


def test_the_proxy_gives_up_borrowing_a_connection_before_predict_times_out() -> None:
    template = load_template()
    pool = template["Resources"]["DatabaseProxyTargetGroup"]["Properties"]["ConnectionPoolConfigurationInfo"]
    timeout = template["Resources"]["PredictFunction"]["Properties"]["Timeout"]
    assert pool["ConnectionBorrowTimeout"] < timeout


def test_the_master_secret_rotates_with_the_hosted_function_inside_the_vpc() -> None:
    template = load_template()
    assert "AWS::SecretsManager-2024-09-16" in as_list(template["Transform"])
    assert as_list(template["Transform"])[0] == "AWS::Serverless-2016-10-31"
    [rotation] = resources_of_type(template, "AWS::SecretsManager::RotationSchedule").values()
    props = rotation["Properties"]
    assert props["SecretId"] == {"Ref": "DatabaseSecret"}
    hosted = props["HostedRotationLambda"]
    assert hosted["RotationType"] == "PostgreSQLSingleUser"
    assert refs(hosted["VpcSubnetIds"]) == {"PrivateSubnetA", "PrivateSubnetB"}
    assert hosted["VpcSecurityGroupIds"] == {"Ref": "RotationSecurityGroup"}
    # Passwords stay alphanumeric, like the generated one (nothing to escape in URLs).
    assert all(c in hosted["ExcludeCharacters"] for c in "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~ ")
    assert props["RotationRules"]["ScheduleExpression"] == {"Ref": "DbSecretRotationSchedule"}
    # The secret must point at the database (host, port) before rotation can log in.
    assert "DatabaseSecretAttachment" in rotation["DependsOn"]


def test_performance_insights_is_on_in_prod_only() -> None:
    template = load_template()
    for name in ("DatabaseInstance", "AuroraWriter"):
        props = template["Resources"][name]["Properties"]
        assert props["EnablePerformanceInsights"] == {"Fn::If": ["HasPerformanceInsights", True, False]}
    assert default(template, "DbPerformanceInsights") == "false"
    assert samconfig_overrides("prod")["DbPerformanceInsights"] == "true"
    assert "DbPerformanceInsights" not in samconfig_overrides("default")  # db.t4g.micro has none


# --- maintenance off game days ---------------------------------------------------------------------

DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
# NFL game hours in UTC (hour of the week, Monday 00:00 = 0), wide on purpose: Thursday night,
# late-season Saturdays, Sunday from the London games to the end of Sunday night's, Monday night.
GAME_HOURS = [(3 * 24 + 23, 4 * 24 + 5), (5 * 24 + 16, 6 * 24 + 5), (6 * 24 + 13, 7 * 24 + 5), (23, 24 + 5)]


def hour_of_week(day: str, clock: str) -> float:
    hours, minutes = clock.split(":")
    return DAYS.index(day) * 24 + int(hours) + int(minutes) / 60


def clashes(start: float, end: float) -> bool:
    week = 7 * 24
    for lo, hi in GAME_HOURS:
        for shift in (-week, 0, week):
            if start < hi + shift and lo + shift < end:
                return True
    return False


def weekly_window(text: str) -> tuple[float, float]:
    day1, clock1, day2, clock2 = re.fullmatch(r"(\w{3}):(\d\d:\d\d)-(\w{3}):(\d\d:\d\d)", text).groups()  # type: ignore[union-attr]
    return hour_of_week(day1, clock1), hour_of_week(day2, clock2)


def test_maintenance_and_backup_windows_are_fixed_and_off_game_days() -> None:
    resources = load_template()["Resources"]
    windows = {
        "DatabaseInstance": resources["DatabaseInstance"]["Properties"]["PreferredMaintenanceWindow"],
        "AuroraCluster": resources["AuroraCluster"]["Properties"]["PreferredMaintenanceWindow"],
        "AuroraWriter": resources["AuroraWriter"]["Properties"]["PreferredMaintenanceWindow"],
        "ReplicationGroup": resources["ReplicationGroup"]["Properties"]["PreferredMaintenanceWindow"],
    }
    for name, window in windows.items():
        start, end = weekly_window(window)
        assert window[:3] in ("tue", "wed") and not clashes(start, end), f"{name}: {window}"
    for name in ("DatabaseInstance", "AuroraCluster"):
        backup = resources[name]["Properties"]["PreferredBackupWindow"]
        first, last = backup.split("-")
        maintenance = weekly_window(windows[name])
        for day in DAYS:  # daily: clear of every day's games and of the weekly maintenance window
            start, end = hour_of_week(day, first), hour_of_week(day, last)
            assert not clashes(start, end), f"{name} backup {backup} on {day}"
            assert end <= maintenance[0] or start >= maintenance[1], f"{name} backup overlaps maintenance"


def test_secret_rotation_runs_on_the_first_tuesday_morning_utc() -> None:
    template = load_template()
    schedule = default(template, "DbSecretRotationSchedule")
    minute, hour, _, _, weekday, _ = re.fullmatch(r"cron\((.*)\)", schedule).group(1).split()  # type: ignore[union-attr]
    assert weekday.startswith("3#")  # Secrets Manager counts Sunday as 1: 3 is Tuesday
    duration = int(
        template["Resources"]["DatabaseSecretRotation"]["Properties"]["RotationRules"]["Duration"].rstrip("h")
    )
    start = hour_of_week("tue", f"{int(hour):02d}:{int(minute):02d}")
    assert not clashes(start, start + duration)


# --- network ---------------------------------------------------------------------------------------


def test_no_cloudwatch_logs_endpoint_and_no_code_calls_the_logs_api() -> None:
    endpoints = resources_of_type(load_template(), "AWS::EC2::VPCEndpoint").values()
    assert not [e for e in endpoints if str(e["Properties"]["ServiceName"]).endswith(".logs")]
    callers = re.compile(r"""client\(\s*["']logs["']""")
    for path in [*(REPO / "shared").rglob("*.py"), *(REPO / "functions").rglob("*.py")]:
        assert not callers.search(path.read_text()), f"{path} calls CloudWatch Logs: it needs the endpoint"
