"""Shared pieces of the official-weights converters."""
import re
from collections import OrderedDict
from typing import Dict, List, Sequence, Tuple

from torch import Tensor

from ..compat.checkpoint_loading import load_from_local_weights_only

Rule = Tuple[str, str]  # (regex on the official key, replacement)

#: torchvision-style ResNet (official GSoP-Net / 3G-Net code) ->
#: mmpretrain ``ImageClassifier`` with a ResNet-family backbone. The block
#: names inside stages are the same in both.
TORCHVISION_RESNET_RULES: List[Rule] = [
    (r'^(conv1|bn1)\.', r'backbone.\1.'),
    (r'^(layer\d+\.\d+\.(conv\d|bn\d|downsample\.\d)\.)', r'backbone.\1'),
    (r'^fc\.', 'head.fc.'),
]


def load_official_state_dict(path: str) -> Dict[str, Tensor]:
    """Tensors of an official checkpoint (weights only, no code run).

    Accepts a bare state dict or ``{'state_dict': ...}`` / ``{'model':
    ...}``, and strips DataParallel's ``module.`` prefix.

    Raises:
        NotACheckpointError: ``path`` is not a ``torch.save`` file.
        UnsafeCheckpointError: It holds pickled code.
    """
    checkpoint = load_from_local_weights_only(path, map_location='cpu')
    for key in ('state_dict', 'model'):
        if isinstance(checkpoint, dict) and isinstance(
                checkpoint.get(key), dict):
            checkpoint = checkpoint[key]
            break
    return OrderedDict((key[len('module.'):] if key.startswith('module.')
                        else key, value)
                       for key, value in checkpoint.items()
                       if isinstance(value, Tensor))


def rename(state_dict: Dict[str, Tensor],
           rules: Sequence[Rule]) -> Tuple[Dict[str, Tensor], List[str]]:
    """Apply the first matching rule to each key.

    Returns:
        The renamed tensors and the official keys no rule matched.
    """
    renamed, unmatched = OrderedDict(), []
    for key, value in state_dict.items():
        for pattern, replacement in rules:
            if re.search(pattern, key):
                renamed[re.sub(pattern, replacement, key)] = value
                break
        else:
            unmatched.append(key)
    return renamed, unmatched
