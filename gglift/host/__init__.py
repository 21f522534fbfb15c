"""The device host: runs a project's unchanged Lambda code as one Greengrass V2 generic component."""
