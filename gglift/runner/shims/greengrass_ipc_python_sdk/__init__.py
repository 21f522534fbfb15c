"""The ``greengrass_ipc_python_sdk`` package a Greengrass core provides to Python Lambdas.

``ipc_client`` speaks the core's local HTTP protocol; ``greengrasssdk`` and gglift's worker
runner both use it.
"""
