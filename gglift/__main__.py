"""Allow ``python -m gglift``."""

from gglift.cli import main

main()
