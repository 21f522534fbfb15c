import logging

import greengrasssdk

secrets = greengrasssdk.client("secretsmanager")


def handler(event, context):
    secret = secrets.get_secret_value(SecretId="db-password")
    logging.info("got secret %s (%d characters)", secret["Name"], len(secret["SecretString"]))
    return {"name": secret["Name"], "length": len(secret["SecretString"])}
