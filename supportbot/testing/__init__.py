"""Test kit for the project and for plugin authors: a test transport, fakes and pytest fixtures.

Enable the fixtures in a plugin's test suite with ``pytest_plugins = ["supportbot.testing.fixtures"]``
(or install supportbot, which registers them through the ``pytest11`` entry point).
"""
