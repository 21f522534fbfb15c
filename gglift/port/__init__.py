"""``gglift port``: rewrite boto3 cloud calls to the Greengrass Core SDK.

The library entry points are pure over one file; the command line adds discovery, writing
and reports on top:

>>> from pathlib import Path
>>> from gglift.port import analyze_source
>>> result = analyze_source(b"import boto3\\nsm = boto3.client('secretsmanager')\\n"
...                         b"sm.get_secret_value(SecretId='db')\\n", Path("app.py"))
>>> [s.value for s in result.secrets]
['db']
"""

from gglift.port.engine import analyze_path, analyze_source
from gglift.port.model import FileResult, Finding, Resource

__all__ = ["analyze_source", "analyze_path", "FileResult", "Finding", "Resource"]
