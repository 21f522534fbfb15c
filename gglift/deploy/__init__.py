"""Ship packaged components to AWS: Lambda, Greengrass V2 component and deployment.

>>> from gglift.deploy import Deployer  # doctest: +SKIP
"""

from gglift.deploy.errors import DeployError
from gglift.deploy.runner import EXECUTABLE_REFUSAL, Clients, Deployer
from gglift.deploy.state import STATE_NAME, DeployState

__all__ = ["Clients", "DeployError", "DeployState", "Deployer", "EXECUTABLE_REFUSAL", "STATE_NAME"]
