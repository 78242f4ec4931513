"""Root conftest: every test directory gets the real-infrastructure fixtures."""

pytest_plugins = ["konnect_devstack.pytest_plugin"]
