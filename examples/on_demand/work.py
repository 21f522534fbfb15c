import logging
import os
import time


def handler(event, context):
    time.sleep(1)  # stands for real work; the other workers run meanwhile
    logging.info("job %s done in worker %d", event["job"], os.getpid())
    return {"job": event["job"], "worker": os.getpid()}
