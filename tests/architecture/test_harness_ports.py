"""The harness's fixed ports stay out of the kernel's range for outgoing connections' local ports.

A port in that range can be taken, at any moment, by some client's outgoing connection: a broker or database the
tests start (or restart, as the fault tests do) then fails to bind. The fault broker once sat at 39092 and CI
failed with "Address already in use".
"""

from pathlib import Path

import pytest
from konnect_devstack import profiles
from konnect_devstack.profiles import Profile


def ephemeral_range() -> range:
    low, high = (int(n) for n in Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split())
    return range(low, high + 1)


def ports(profile: Profile) -> dict[str, int]:
    fixed = {"postgres": profile.postgres_port, "kafka": profile.kafka_port,
             "kafka controller": profile.kafka_controller_port, "s3": profile.s3_port, "smtp": profile.smtp_port,
             "mailpit": profile.mailpit_port, "gateway": profile.gateway_port, "web": profile.web_port}
    return fixed | profile.service_ports


@pytest.mark.parametrize("profile", [profiles.dev_profile(), profiles.test_profile(), profiles.fault_profile(),
                                     profiles.bench_profile()],
                         ids=lambda p: p.name)
def test_no_fixed_port_of_any_profile_can_be_handed_out_as_a_clients_local_port(profile: Profile) -> None:
    taken = ephemeral_range()
    clashing = {name: port for name, port in ports(profile).items() if port in taken}
    assert not clashing, f"{profile.name} ports inside {taken.start}-{taken.stop - 1}: {clashing}"
