"""localaws: CloudWatch composite alarms (moto's server lacks PutCompositeAlarm and AlarmTypes)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.localaws import testkit as kit

RULE = 'ALARM("ep-5xx") OR ALARM("ep-latency")'


def composite(url: str, name: str = "ep-health", **extra):
    cloudwatch = kit.alarm(url, "ep-5xx")
    kit.alarm(url, "ep-latency")
    cloudwatch.put_composite_alarm(AlarmName=name, AlarmRule=RULE, **extra)
    return cloudwatch


def test_put_composite_alarm_is_described_only_when_alarm_types_asks_for_it(localaws):
    topic = "arn:aws:sns:us-east-1:123456789012:pager"
    cloudwatch = composite(
        localaws.url,
        ActionsEnabled=False,
        AlarmActions=[topic],
        AlarmDescription="either fires",
        Tags=[{"Key": "team", "Value": "ml"}],
    )
    names = ["ep-5xx", "ep-health"]

    default = cloudwatch.describe_alarms(AlarmNames=names)
    assert [a["AlarmName"] for a in default["MetricAlarms"]] == ["ep-5xx"]
    assert default["CompositeAlarms"] == []
    only = cloudwatch.describe_alarms(AlarmNames=names, AlarmTypes=["CompositeAlarm"])
    assert only["MetricAlarms"] == []
    (alarm,) = only["CompositeAlarms"]
    assert alarm["AlarmName"] == "ep-health" and alarm["AlarmRule"] == RULE
    assert alarm["ActionsEnabled"] is False and alarm["AlarmActions"] == [topic]
    assert alarm["AlarmDescription"] == "either fires"
    assert alarm["StateValue"] == "INSUFFICIENT_DATA"  # until evaluated (here: until SetAlarmState)
    both = cloudwatch.describe_alarms(AlarmNames=names, AlarmTypes=["CompositeAlarm", "MetricAlarm"])
    assert [a["AlarmName"] for a in both["MetricAlarms"]] == ["ep-5xx"]
    assert [a["AlarmName"] for a in both["CompositeAlarms"]] == ["ep-health"]
    tags = cloudwatch.list_tags_for_resource(ResourceARN=alarm["AlarmArn"])["Tags"]
    assert tags == [{"Key": "team", "Value": "ml"}]


def test_set_alarm_state_and_delete_alarms_work_on_a_composite_alarm(localaws):
    cloudwatch = composite(localaws.url)
    composite_only = {"AlarmNames": ["ep-health"], "AlarmTypes": ["CompositeAlarm"]}

    cloudwatch.set_alarm_state(AlarmName="ep-health", StateValue="ALARM", StateReason="test")
    assert cloudwatch.describe_alarms(**composite_only)["CompositeAlarms"][0]["StateValue"] == "ALARM"
    # Updating the alarm keeps its state (API_PutCompositeAlarm).
    cloudwatch.put_composite_alarm(AlarmName="ep-health", AlarmRule='ALARM("ep-5xx")')
    (updated,) = cloudwatch.describe_alarms(**composite_only)["CompositeAlarms"]
    assert updated["StateValue"] == "ALARM" and updated["AlarmRule"] == 'ALARM("ep-5xx")'

    cloudwatch.delete_alarms(AlarmNames=["ep-health"])
    assert cloudwatch.describe_alarms(**composite_only)["CompositeAlarms"] == []
    assert [a["AlarmName"] for a in cloudwatch.describe_alarms()["MetricAlarms"]] == ["ep-5xx", "ep-latency"]
    ops = [c["operation"] for c in localaws.calls() if c["service"] == "cloudwatch"]
    assert "PutCompositeAlarm" in ops and "DeleteAlarms" in ops


def test_a_composite_alarm_never_replaces_a_metric_alarm_of_the_same_name(localaws):
    cloudwatch = kit.alarm(localaws.url, "ep-5xx")
    with pytest.raises(ClientError) as refused:
        cloudwatch.put_composite_alarm(AlarmName="ep-5xx", AlarmRule='ALARM("ep-latency")')
    assert refused.value.response["Error"]["Code"] == "ValidationError"
    assert [a["AlarmName"] for a in cloudwatch.describe_alarms(AlarmNames=["ep-5xx"])["MetricAlarms"]] == [
        "ep-5xx"
    ]
