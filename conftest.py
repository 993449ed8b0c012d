# The personas and shared fixtures live in a plugin module so that tests beside every app and the
# browser tests under tests/ see the same ones; the Hypothesis profiles are loaded the same way.
pytest_plugins = ["candor.testing.personas", "candor.testing.hypothesis_profiles"]
