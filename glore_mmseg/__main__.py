"""``python -m glore_mmseg COMMAND ...``: the ``glore-mmseg`` command."""
import sys

from .cli import main

sys.exit(main())
