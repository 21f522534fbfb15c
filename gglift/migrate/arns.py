"""What the ARNs of a V1 group name: Lambda functions, things, connectors."""

from __future__ import annotations

import re

# arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]; system functions have no region or account
FUNCTION_ARN = re.compile(r"^arn:aws[a-zA-Z-]*:lambda:([a-z0-9-]*):(\d*):function:([^:]+)(?::([^:]+))?$")
THING_ARN = re.compile(r"^arn:aws[a-zA-Z-]*:iot:([a-z0-9-]+):(\d{12}):thing/(.+)$")
CONNECTOR_ARN = re.compile(r"^arn:aws[a-zA-Z-]*:greengrass:[a-z0-9-]*::/connectors/([^/]+)/versions/")
