import json
import logging
def handler(event, context):
    logging.info(json.dumps(event))
