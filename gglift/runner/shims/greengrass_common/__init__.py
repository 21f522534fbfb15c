"""The ``greengrass_common`` package a Greengrass core puts beside every Python Lambda.

``greengrasssdk`` imports it; gglift's worker runner provides this implementation.
"""
