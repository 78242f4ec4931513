"""Root conftest: every test directory gets the real-infrastructure fixtures; CI runs hypothesis derandomized."""

import os

from hypothesis import settings

pytest_plugins = ["konnect_devstack.pytest_plugin"]

# In CI the generated examples are the same on every run, so a red build always means a change broke
# something; locally each run explores new examples.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
