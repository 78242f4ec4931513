"""Push devices through the gateway: registered by a login, gone when identity ends that login's session."""

import uuid

from e2e_world import PASSWORD, bearer, build_world, client_ip, logged_in
from konnect_devstack.pytest_plugin import eventually


async def test_logging_out_on_a_phone_stops_its_push_messages(gateway, mailpit):
    w = await build_world(gateway)
    eva_email = w.parents["eva"][1]
    phone = await logged_in(gateway, mailpit, eva_email)
    laptop = (await gateway.post("/api/v1/auth/login", json={"email": eva_email, "password": PASSWORD},
                                 headers=client_ip())).json()
    token = f"fcm-{uuid.uuid4().hex}"
    registered = await gateway.post("/api/v1/push-devices", json={"token": token, "platform": "android"},
                                    headers=bearer(phone))
    assert registered.status_code == 201, registered.text
    listed = await gateway.get("/api/v1/push-devices", headers=bearer(laptop))  # the person's devices
    assert [d["device_id"] for d in listed.json()] == [registered.json()["device_id"]]

    # Logout on the phone: identity publishes SessionsEnded, notifications drops the phone's registration.
    assert (await gateway.post("/api/v1/auth/logout", headers=bearer(phone))).status_code == 200

    async def no_devices() -> bool:
        return (await gateway.get("/api/v1/push-devices", headers=bearer(laptop))).json() == []

    await eventually(no_devices, timeout=15)
    # The phone's access token is still a valid JWT for a few minutes: it may not register the phone again.
    again = await gateway.post("/api/v1/push-devices", json={"token": token, "platform": "android"},
                               headers=bearer(phone))
    assert again.status_code == 401 and again.json()["error"]["code"] == "session_ended"
