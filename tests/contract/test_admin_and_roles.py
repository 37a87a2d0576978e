"""Issue 12 in the template: the admin function (invoke only) and who holds which database secret."""

from __future__ import annotations

from tests.contract.template_support import environment, functions, load_template, packaged, transformed


def test_the_admin_function_is_invoke_only_shares_the_layer_and_is_in_the_outputs() -> None:
    template = load_template()
    admin = template["Resources"]["AdminFunction"]
    props = admin["Properties"]
    assert props["CodeUri"] == "../functions/admin/" and props["Handler"] == "app.handler"
    assert "Events" not in props  # no API route, no schedule: only lambda:InvokeFunction reaches it
    assert admin["DependsOn"] == "SchemaMigrations"  # the role and tables exist before it runs
    assert props["ReservedConcurrentExecutions"] == 1 and props["Timeout"] <= 60
    assert props["EventInvokeConfig"]["MaximumRetryAttempts"] == 0  # a retried create = a second key
    assert "Layers" not in props and template["Globals"]["Function"]["Layers"] == [{"Ref": "SharedLayer"}]
    log_group = template["Resources"][props["LoggingConfig"]["LogGroup"]["Ref"]]["Properties"]
    assert log_group["RetentionInDays"] == {"Ref": "LogRetentionDays"}
    assert template["Outputs"]["AdminFunctionName"]["Value"] == {"Ref": "AdminFunction"}
    # The CLI looks for exactly these names.
    from nfl_predictor.cli.remote_commands import LOGICAL_ID, OUTPUT_KEY

    assert LOGICAL_ID == "AdminFunction" and OUTPUT_KEY in template["Outputs"]


def test_no_function_but_migrations_and_index_maintenance_is_given_the_master_secret() -> None:
    template = load_template()
    master = {name for name in functions(template) if environment(template, name)["DB_SECRET_ARN"] == {"Ref": "DatabaseSecret"}}  # fmt: skip
    assert master == {"MigrationsFunction", "IndexMaintenanceFunction"}
    assert template["Globals"]["Function"]["Environment"]["Variables"]["DB_SECRET_ARN"] == {
        "Ref": "AppDatabaseSecret"
    }


def test_the_admin_function_has_no_permission_beyond_its_database_login() -> None:
    resources = transformed(packaged(load_template()))["Resources"]
    role = resources[resources["AdminFunction"]["Properties"]["Role"]["Fn::GetAtt"][0]]
    actions = set()
    for policy in role["Properties"].get("Policies", []):
        for statement in policy["PolicyDocument"]["Statement"]:
            found = statement["Action"]
            actions |= set(found if isinstance(found, list) else [found])
    # SAM's AWSSecretsManagerGetSecretValuePolicy may add DescribeSecret on the same secret.
    assert {"secretsmanager:GetSecretValue", "rds-db:connect"} <= actions
    assert actions <= {"secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret", "rds-db:connect"}
