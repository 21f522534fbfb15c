"""What a Python Lambda worker process runs: the get-work loop, the context object, logging.

The core starts ``python -S -c BOOTSTRAP --handler=module.function`` with the function's source
folder and :data:`SHIMS_DIR` first on ``sys.path``; ``shims/`` holds the ``greengrass_common``
and ``greengrass_ipc_python_sdk`` packages a Greengrass device provides and the real
``greengrasssdk`` imports. Everything here imports only light standard modules: a trivial
worker must fit in Greengrass's default 16 MB memory limit.
"""

import os

SHIMS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "shims")

# Run by the worker's interpreter (started with -S, so no site hooks): put the paths the core
# chose on sys.path, then enter the loop.
BOOTSTRAP = (
    "import os,sys;"
    "sys.path[:0]=os.environ.pop('GGLIFT_WORKER_PATH').split(os.pathsep);"
    "from gglift.runner.loop import main;"
    "sys.exit(main(sys.argv[1:]))"
)
