"""Export a model to ONNX, checked against PyTorch with onnxruntime.

Runs ``glore_mmseg.cli.export``, as ``glore-mmseg export`` does.
"""
from glore_mmseg.cli import run

if __name__ == '__main__':
    run('export')
