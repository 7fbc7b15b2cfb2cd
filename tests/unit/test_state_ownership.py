"""deployer.state: the lease tags and the ownership rule (issue 7 items 10 and 11)."""

from __future__ import annotations

from deployer.state import (
    TAG_ENDPOINT,
    TAG_LEASE_EXPIRES,
    TAG_LEASE_OWNER,
    TAG_MANAGED_BY,
    Lease,
    is_managed,
    lease_tags,
)


def test_lease_tags_round_trip_and_liveness():
    tags = lease_tags("host/1/abc", 1000.7)
    assert tags == {TAG_LEASE_OWNER: "host/1/abc", TAG_LEASE_EXPIRES: "1000"}
    held = Lease.from_tags(tags)
    assert held == Lease("host/1/abc", 1000.0)
    assert held.live_for_other("someone-else", now=999.0)
    assert not held.live_for_other("someone-else", now=1000.0)  # expired: taken over
    assert not held.live_for_other("host/1/abc", now=999.0)  # our own lease
    assert not Lease.from_tags({}).live_for_other("x", now=0.0)
    assert Lease.from_tags({TAG_LEASE_OWNER: "x", TAG_LEASE_EXPIRES: "soon"}).expires_at == 0.0


def test_only_our_managed_by_tag_for_this_endpoint_is_ours():
    ours = {TAG_MANAGED_BY: "sagemaker-rollout", TAG_ENDPOINT: "whisper"}
    assert is_managed(ours, "whisper")
    assert is_managed({TAG_MANAGED_BY: "sagemaker-rollout"}, "whisper")
    assert not is_managed(ours, "whisper-large")
    assert not is_managed({TAG_MANAGED_BY: "someone-else"}, "whisper")
    assert not is_managed({"team": "ml"}, "whisper")
