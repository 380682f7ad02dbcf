import os

# Never reach a model hub from the test suite, whatever the environment says.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

pytest_plugins = ["supportbot.testing.fixtures"]
