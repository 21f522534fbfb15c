"""Build Greengrass V2 components from a project: artifacts, recipes, requests, deployment.

>>> from gglift.config import load_project
>>> from gglift.package import package_project
>>> result = package_project(load_project("examples/cloud_lambda"))  # doctest: +SKIP
>>> result.functions[0].artifact  # doctest: +SKIP
PosixPath('examples/cloud_lambda/build/sensor/lambda-artifact.zip')
"""

from gglift.package.build import PackageError, PackageResult, package_project

__all__ = ["PackageError", "PackageResult", "package_project"]
