"""Modules a Greengrass device provides to Lambda functions (``greengrass_common``,
``greengrass_ipc_python_sdk``, which the real ``greengrasssdk`` imports).

Workers get this folder itself on ``sys.path`` (:data:`gglift.runner.SHIMS_DIR`); this file
only makes it a package, so that the wheel carries it.
"""
