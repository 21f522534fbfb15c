def handler(event, context):
    return "%s world" % event
