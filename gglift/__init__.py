"""gglift: take AWS Lambda functions written for the cloud to AWS IoT Greengrass devices.

The command line (``gglift port``, ``package``, ``deploy``, ``run``, ``invoke``) is the main
interface; the subpackages below it are usable on their own:

- :mod:`gglift.port` rewrites boto3 cloud calls to the Greengrass Core SDK;
- :mod:`gglift.config` loads and validates a project's ``gglift.toml``;
- :mod:`gglift.package` and :mod:`gglift.deploy` build and ship Greengrass V2 components;
- :mod:`gglift.runtime` is the local Greengrass core behind ``gglift run``.
"""

__version__ = "0.1.0"
