"""Draw what the GloRe units attend to: their projection maps.

Runs ``glore_mmseg.cli.visualize_projection``, as
``glore-mmseg visualize-projection`` does.
"""
from glore_mmseg.cli import run

if __name__ == '__main__':
    run('visualize-projection')
