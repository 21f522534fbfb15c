"""What nucleus lite's recipe-runner does before a component's lifecycle script runs: connect
to ggipcd as ``{"componentName": NAME}`` from inside the component's cgroup, take the SVCUID the
CONNECT_ACK carries, put it in ``SVCUID`` and ``AWS_CONTAINER_AUTHORIZATION_TOKEN``, and exec the
command. Usage: launcher.py NAME COMMAND [ARGS...]
"""

import asyncio
import os
import sys

from gglift.ipc import IpcClient


async def svcuid(name: str) -> str:
    client = IpcClient(component_name=name, reconnect=False, timeout=10)
    client.token = None
    await client.connect()
    token = client.token
    await client.close()
    return token


if __name__ == "__main__":
    name, command = sys.argv[1], sys.argv[2:]
    token = asyncio.run(svcuid(name))
    os.environ["SVCUID"] = os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = token
    os.execvp(command[0], command)
