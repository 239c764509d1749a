"""Label values that do not fit: the error and its message, shared by the
label check and the PNG decoder."""
import numpy as np

#: How many bad label values an error message lists.
MAX_LISTED_VALUES = 5


class SegMapError(ValueError):
    """A label file that does not fit its image or the dataset's classes."""


def values_beyond_uint8(label: np.ndarray) -> np.ndarray:
    """Sorted values of ``label`` outside 0..255 (1-D, maybe empty)."""
    if label.dtype == np.uint8:
        return np.zeros(0, dtype=label.dtype)
    present = np.unique(label)
    return present[(present < 0) | (present > 255)]


def beyond_uint8_message(values: np.ndarray) -> str:
    """The end of a message about stored label values beyond uint8."""
    listed = [int(v) for v in values[:MAX_LISTED_VALUES]]
    more = f' and {len(values) - len(listed)} more' \
        if len(values) > len(listed) else ''
    return (f'stores values {listed}{more} that do not fit the uint8 label '
            "map mmseg's loaders make (they would be read as value % 256, "
            f'{[v % 256 for v in listed]}); save labels as 8-bit PNGs of '
            'class indices')
