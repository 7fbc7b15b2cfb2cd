"""CloudWatch composite alarms, which moto's server lacks (PutCompositeAlarm, DescribeAlarms AlarmTypes).

moto's backend already stores an alarm with a rule (``Alarm.rule``) next to the metric alarms, so
SetAlarmState and DeleteAlarms work on composite alarms unchanged; this module adds the missing action
and makes DescribeAlarms answer as AWS documents (CloudWatch API reference, DescribeAlarms ``AlarmTypes``:
"If you omit this parameter, only metric alarms are returned"). The AlarmRule is stored, not evaluated:
a composite alarm changes state only through SetAlarmState.
"""

from __future__ import annotations

from typing import Any

METRIC_ALARM = "MetricAlarm"
COMPOSITE_ALARM = "CompositeAlarm"
INITIAL_STATE = "INSUFFICIENT_DATA"  # API_PutCompositeAlarm: the state right after creation


def extend_moto_cloudwatch() -> None:
    """Teach moto's CloudWatch responses PutCompositeAlarm and DescribeAlarms ``AlarmTypes`` (idempotent)."""
    from moto.cloudwatch.responses import CloudWatchResponse

    if getattr(CloudWatchResponse, "_localaws_composite", False):
        return
    moto_describe = CloudWatchResponse.describe_alarms
    CloudWatchResponse.put_composite_alarm = _put_composite_alarm  # type: ignore[attr-defined]
    CloudWatchResponse.describe_alarms = _describe_alarms_by_type(moto_describe)  # type: ignore[method-assign]
    CloudWatchResponse._localaws_composite = True  # type: ignore[attr-defined]


def _put_composite_alarm(self: Any) -> Any:
    from moto.cloudwatch.exceptions import ValidationError
    from moto.core.responses import EmptyResult

    name = self._get_param("AlarmName")
    rule = self._get_param("AlarmRule")
    if not name or not rule:
        raise ValidationError("PutCompositeAlarm requires AlarmName and AlarmRule")
    backend = self.cloudwatch_backend
    existing = backend.alarms.get(name)
    if existing is not None and existing.rule is None:
        raise ValidationError(f"{name} is a metric alarm, not a composite alarm")
    actions_enabled = self._get_bool_param("ActionsEnabled")
    alarm = backend.put_metric_alarm(
        name=name,
        namespace=None,
        metric_name=None,
        comparison_operator=None,
        evaluation_periods=None,
        period=None,
        threshold=None,
        statistic=None,
        description=self._get_param("AlarmDescription"),
        dimensions=[],
        alarm_actions=self._get_param("AlarmActions", []),
        ok_actions=self._get_param("OKActions", []),
        insufficient_data_actions=self._get_param("InsufficientDataActions", []),
        actions_enabled=True if actions_enabled is None else actions_enabled,
        rule=rule,
        tags=self._get_param("Tags", []),
    )
    alarm.alarm_rule = rule  # the CompositeAlarm shape's member
    if existing is None:
        alarm.state_value = INITIAL_STATE
        alarm.state_reason = "Unchecked: Initial alarm creation"
    else:  # "When you update an existing alarm, its state is left unchanged"
        alarm.state_value = existing.state_value
        alarm.state_reason = existing.state_reason
        alarm.state_reason_data = existing.state_reason_data
        alarm.state_updated_timestamp = existing.state_updated_timestamp
        alarm.history = existing.history
    return EmptyResult()


def _describe_alarms_by_type(moto_describe: Any) -> Any:
    def describe_alarms(self: Any) -> Any:
        from moto.core.responses import ActionResult

        answer = moto_describe(self)
        types = set(self._get_param("AlarmTypes", []) or [METRIC_ALARM])
        result = dict(answer.result)
        if METRIC_ALARM not in types:
            result["MetricAlarms"] = []
        if COMPOSITE_ALARM not in types:
            result["CompositeAlarms"] = []
        return ActionResult(result)

    return describe_alarms
