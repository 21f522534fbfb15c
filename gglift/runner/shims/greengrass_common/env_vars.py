"""The worker's environment as the core sets it (read once, at import, like on a device)."""

import os

AUTH_TOKEN = os.getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN")
MY_FUNCTION_ARN = os.getenv("MY_FUNCTION_ARN")
SHADOW_FUNCTION_ARN = os.getenv("SHADOW_FUNCTION_ARN")
ROUTER_FUNCTION_ARN = os.getenv("ROUTER_FUNCTION_ARN")
SECRETS_MANAGER_FUNCTION_ARN = os.getenv("SECRETS_MANAGER_FUNCTION_ARN")
GG_DAEMON_PORT = os.getenv("GG_DAEMON_PORT", "8000")
ENCODING_TYPE = os.getenv("ENCODING_TYPE", "json")
