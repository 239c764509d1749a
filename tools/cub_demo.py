"""Command line of :mod:`glore_mmseg.cli.cub_demo`."""
from glore_mmseg.cli.cub_demo import main

if __name__ == '__main__':
    main()
