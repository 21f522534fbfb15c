"""Split a function ARN into its unqualified part and qualifier."""


class FunctionArnFields:
    def __init__(self, function_arn):
        parts = function_arn.split(":")
        if len(parts) < 7 or parts[:3] != ["arn", "aws", "lambda"] or parts[5] != "function":
            raise ValueError("not a function ARN: {}".format(function_arn))
        self.qualifier = parts[7] if len(parts) > 7 else ""
        self.unqualified_arn = ":".join(parts[:7])

    @staticmethod
    def build_function_arn(unqualified_arn, qualifier=None):
        return "{}:{}".format(unqualified_arn, qualifier) if qualifier else unqualified_arn
