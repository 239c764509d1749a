"""Renaming of released official weights into this package's modules."""
from .common import load_official_state_dict, rename
from .glore import convert_glore_network, convert_glore_unit
from .gsopnet import convert_gsopnet, reorder_triangle_fc
from .threegnet import convert_3gnet

__all__ = [
    'convert_3gnet', 'convert_glore_network', 'convert_glore_unit',
    'convert_gsopnet', 'load_official_state_dict', 'rename',
    'reorder_triangle_fc'
]
