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

# BOOTSTRAP under a debugger (``--debug-port``): import debugpy from a folder holding it alone,
# take that folder off sys.path again (the function's imports stay those of the device), listen
# on 127.0.0.1 only, and wait for the client before the function's code is loaded.
DEBUG_BOOTSTRAP = (
    "import os,sys;"
    "d=os.environ.pop('GGLIFT_DEBUGPY_PATH');sys.path.insert(0,d);import debugpy;sys.path.remove(d);"
    "debugpy.listen(('127.0.0.1',int(os.environ.pop('GGLIFT_DEBUG_PORT'))));debugpy.wait_for_client();"
    + BOOTSTRAP
)
