from .check_seg_map import CheckSegMap, SegMapError, invalid_label_values

__all__ = ['CheckSegMap', 'SegMapError', 'invalid_label_values']
