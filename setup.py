"""Build hooks that pyproject.toml cannot express on its own.

``templates/`` lives at the top of the repository (the design card's layout) but ships inside
the wheel as ``gglift.templates``, so it is mapped here.
"""

from setuptools import find_packages, setup

setup(
    packages=find_packages(include=["gglift", "gglift.*"]) + ["gglift.templates"],
    package_dir={"gglift.templates": "templates"},
)
