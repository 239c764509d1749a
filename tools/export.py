"""Export a model to ONNX: see glore_mmseg/cli/export.py."""
from glore_mmseg.cli.export import main

if __name__ == '__main__':
    main()
