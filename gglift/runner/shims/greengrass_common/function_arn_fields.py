"""Split a Lambda function ARN into its fields.

>>> f = FunctionArnFields("arn:aws:lambda:us-east-1:123456789012:function:hello:3")
>>> f.name, f.qualifier, f.unqualified_arn
('hello', '3', 'arn:aws:lambda:us-east-1:123456789012:function:hello')
>>> FunctionArnFields.build_function_arn("arn:aws:lambda:::function:GGRouter", "")
'arn:aws:lambda:::function:GGRouter'
"""


class FunctionArnFields:
    """``arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]``; region and account may be empty."""

    def __init__(self, function_arn):
        parts = function_arn.split(":")
        if len(parts) not in (7, 8) or parts[:3] != ["arn", "aws", "lambda"] or parts[5] != "function" or not parts[6]:
            raise ValueError("Cannot parse given string as a function ARN: {!r}".format(function_arn))
        self.region = parts[3]
        self.account_id = parts[4]
        self.name = parts[6]
        self.qualifier = parts[7] if len(parts) == 8 else ""
        self.unqualified_arn = ":".join(parts[:7])

    @staticmethod
    def build_function_arn(unqualified_arn, qualifier=None):
        """Append ``qualifier`` to ``unqualified_arn`` when there is one."""
        return "{}:{}".format(unqualified_arn, qualifier) if qualifier else unqualified_arn
