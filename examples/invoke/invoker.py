import json
import logging

import greengrasssdk

lambda_client = greengrasssdk.client("lambda")


def handler(event, context):
    answer = lambda_client.invoke(
        FunctionName="arn:aws:lambda:us-east-1:000000000000:function:invokee",
        Qualifier="1",
        Payload=json.dumps(event["name"]),
    )
    text = json.loads(answer["Payload"].read())
    logging.info("Response: %s", text)
    return text
