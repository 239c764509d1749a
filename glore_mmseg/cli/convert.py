"""Convert released official weights into this package's module names.

    python tools/convert_official_weights.py gsopnet  SRC.pth DST.pth \
        --config configs/gsopnet/gsopnet2_resnet50_8xb32-65e_in1k.py
    python tools/convert_official_weights.py 3gnet    SRC.pth DST.pth
    python tools/convert_official_weights.py glore    SRC.pth DST.pth

``gsopnet``: official GSoP-Net1/2 ResNets (torchvision-style names);
``3gnet``: official 3G-Net ResNets; ``glore``: the GloRe units of an
official GloRe network (its pre-activation 3D residual blocks have no
OpenMMLab counterpart and are listed as unconverted). The output is an
mmengine checkpoint (``{'state_dict': ..., 'meta': ...}``) for
``load_from`` / ``tools/test.py``; the ``gsopnet`` and ``3gnet`` results
are whole ImageNet classifiers, so their ``meta.dataset_meta`` carries the
1000 ImageNet class names (``glore`` gives units only: no classes). A
source without any of the method's own layers (a plain ResNet given to
``gsopnet`` / ``3gnet``) is refused. With ``--config`` the result is
compared with the config's model and every missing, unexpected or
shape-mismatched key is reported; nothing is written then.
"""
import argparse
import os.path as osp
import sys

import torch

from ..compat import NotACheckpointError, UnsafeCheckpointError
from ..converters import (convert_3gnet, convert_glore_network,
                          convert_gsopnet, load_official_state_dict)
from ..engine.checkpoint_match import compare_state_dicts

CONVERTERS = {
    'gsopnet': convert_gsopnet,
    '3gnet': convert_3gnet,
    'glore': lambda state, order: convert_glore_network(state),
}

#: Where each method's own layers land; a plain ResNet converts to none.
METHOD_LAYERS = {
    'gsopnet': 'backbone.gsop_blocks.',
    '3gnet': 'neck.pooling.reweighting.',
}

#: Kinds whose output is a whole classifier with the official 1000-way fc.
CLASSIFIER_KINDS = ('gsopnet', '3gnet')


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('kind', choices=sorted(CONVERTERS))
    parser.add_argument('src', help='official checkpoint')
    parser.add_argument('dst', help='converted checkpoint to write')
    parser.add_argument(
        '--triangle-order',
        choices=['column', 'row'],
        default='column',
        help='triangle order of the target neck (default: column, the '
        'official order; row permutes the FC inputs)')
    parser.add_argument(
        '--config', help='check the result against this config\'s model')
    parser.add_argument(
        '--overwrite', action='store_true', help='replace an existing dst')
    return parser


def parse_args(argv=None) -> argparse.Namespace:
    return build_parser().parse_args(argv)


def check_against_config(config: str, state_dict: dict) -> list:
    """Problems loading ``state_dict`` into the model of ``config``."""
    from mmengine.config import Config
    from mmengine.registry import MODELS, init_default_scope
    cfg = Config.fromfile(config)
    init_default_scope(cfg.get('default_scope', 'mmpretrain'))
    model = MODELS.build(cfg.model)
    found = compare_state_dicts(model.state_dict(), state_dict)
    titles = dict(missing='missing in the checkpoint',
                  unexpected='not in the model', shape='shape mismatch')
    return [f'{titles[kind]}: {key}' for kind in ('missing', 'unexpected',
                                                  'shape')
            for key in found[kind]]


def main(argv=None):
    args = parse_args(argv)
    if not osp.isfile(args.src):
        sys.exit(f'error: official checkpoint {args.src!r} not found')
    if osp.exists(args.dst) and not args.overwrite:
        sys.exit(f'error: {args.dst!r} exists; pass --overwrite to replace '
                 'it')
    try:
        official = load_official_state_dict(args.src)
    except (NotACheckpointError, UnsafeCheckpointError) as err:
        sys.exit(f'error: {err}')
    converted, unmatched = CONVERTERS[args.kind](official,
                                                 args.triangle_order)
    if not converted:
        sys.exit(f'error: no {args.kind} parameter found in {args.src!r} '
                 f'({len(official)} tensors, e.g. {list(official)[:3]})')
    for key in unmatched:
        print(f'not converted: {key}')
    own_layers = METHOD_LAYERS.get(args.kind)
    if own_layers and not any(key.startswith(own_layers) for key in converted):
        sys.exit(f'error: {args.src!r} has none of the {args.kind} layers '
                 f'(nothing converts to {own_layers}*; {len(converted)} '
                 'plain ResNet / fc tensors): it is not an official '
                 f'{args.kind} checkpoint')
    if args.config:
        problems = check_against_config(args.config, converted)
        if problems:
            sys.exit('error: the converted weights do not fit '
                     f'{args.config} ({len(problems)} problems):\n  ' +
                     '\n  '.join(problems[:20]))
    meta = dict(
        converted_from=osp.abspath(args.src),
        converter=args.kind,
        triangle_order=args.triangle_order)
    if args.kind in CLASSIFIER_KINDS:
        from mmpretrain.datasets import ImageNet
        meta['dataset_meta'] = dict(classes=ImageNet.METAINFO['classes'])
    torch.save(dict(state_dict=converted, meta=meta), args.dst)
    print(f'wrote {len(converted)} tensors to {args.dst} '
          f'({len(unmatched)} official tensors not converted)')
