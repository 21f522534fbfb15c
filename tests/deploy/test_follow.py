"""deploy --wait: the deployment followed on every core device of the target, to its result."""

from __future__ import annotations

import pytest

from gglift.deploy import Clients, DeployError

FLEET = "arn:aws:iot:eu-west-1:123456789012:thinggroup/Fleet"


def effective(stubber, device, status, reason=None, deployment="d-1"):
    item = {"deploymentId": deployment, "deploymentName": "x", "targetArn": FLEET, "coreDeviceExecutionStatus": status,
            "creationTimestamp": 0, "modifiedTimestamp": 0}
    if reason:
        item["reason"] = reason
    other = dict(item, deploymentId="d-0", coreDeviceExecutionStatus="FAILED")  # an earlier deployment: not ours
    stubber.add_response("list_effective_deployments", {"effectiveDeployments": [other, item]}, {"coreDeviceThingName": device})


def fleet_of(stubber, *devices):
    stubber.add_response("list_core_devices", {"coreDevices": [{"coreDeviceThingName": d, "status": "HEALTHY"} for d in devices]},
                         {"thingGroupArn": FLEET})


def test_every_device_is_followed_to_its_result(greengrass, make_deployer):
    gg, stubber = greengrass
    fleet_of(stubber, "core-a", "core-b")
    effective(stubber, "core-a", "IN_PROGRESS")
    effective(stubber, "core-b", "SUCCEEDED")
    effective(stubber, "core-a", "SUCCEEDED")
    lines, sleeps = [], []
    result = make_deployer(Clients(None, None, gg, None), lines.append, sleeps).follow("d-1")
    assert result == {"core-a": "SUCCEEDED", "core-b": "SUCCEEDED"}
    assert lines == ["core-b: SUCCEEDED", "core-a: SUCCEEDED"]
    assert sleeps == [2.0]
    stubber.assert_no_pending_responses()


def test_a_device_that_failed_stops_with_greengrass_reason(greengrass, make_deployer):
    gg, stubber = greengrass
    fleet_of(stubber, "core-a")
    effective(stubber, "core-a", "FAILED", reason="DEPLOYMENT_FAILURE: com.example.Sensor errored: exit code 1")
    with pytest.raises(DeployError) as exc:
        make_deployer(Clients(None, None, gg, None), lambda line: None).follow("d-1")
    text = exc.value.text()
    assert "deployment d-1 on core-a" in text
    assert "FAILED: DEPLOYMENT_FAILURE: com.example.Sensor errored: exit code 1" in text
    assert "/greengrass/v2/logs/greengrass.log" in text


def test_a_device_still_running_it_at_the_timeout_is_named(greengrass, make_deployer):
    gg, stubber = greengrass
    fleet_of(stubber, "core-a")
    for _ in range(6):  # timeout 10 s, polls every 2 s: at 0, 2, ... 10 s
        effective(stubber, "core-a", "QUEUED")
    with pytest.raises(DeployError) as exc:
        make_deployer(Clients(None, None, gg, None), lambda line: None).follow("d-1")
    assert "core-a still running it after 10 s" in exc.value.text()
