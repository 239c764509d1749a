"""mmseg's IoU metric plus accuracy and mIoU over a subset of classes."""
from typing import Dict, Sequence

import numpy as np
from mmseg.evaluation.metrics import IoUMetric
from mmseg.registry import METRICS


@METRICS.register_module()
class ClassSubsetIoUMetric(IoUMetric):
    """:class:`~mmseg.evaluation.metrics.IoUMetric` with two more scores.

    For the classes in ``subset`` (e.g. the cue-dependent classes of the
    context benchmark) it adds, with the other keys' percent scale:

    - ``subset_acc``: correctly labelled pixels / ground-truth pixels, over
      all pixels of those classes together;
    - ``subset_mIoU``: mean IoU of those classes.

    Args:
        subset: Class names, each in the data set's ``classes``.
        **kwargs: :class:`IoUMetric` arguments.
    """

    def __init__(self, subset: Sequence[str], **kwargs) -> None:
        super().__init__(**kwargs)
        if isinstance(subset, str) or not subset:
            raise ValueError('ClassSubsetIoUMetric: subset must be a '
                             f'non-empty list of class names, got {subset!r}')
        self.subset = tuple(subset)

    def compute_metrics(self, results: list) -> Dict[str, float]:
        metrics = super().compute_metrics(results)
        if self.format_only:
            return metrics
        classes = list(self.dataset_meta['classes'])
        unknown = [name for name in self.subset if name not in classes]
        if unknown:
            raise ValueError(f'ClassSubsetIoUMetric: subset classes {unknown} '
                             f'are not in the data set classes {classes}')
        index = [classes.index(name) for name in self.subset]
        intersect, union, _, label = (
            sum(parts).numpy().astype(np.float64)[index]
            for parts in zip(*results))
        if label.sum() == 0:
            raise ValueError(
                'ClassSubsetIoUMetric: the evaluated images have no pixel of '
                f'the subset classes {list(self.subset)}')
        metrics['subset_acc'] = np.round(intersect.sum() / label.sum() * 100,
                                         2)
        with np.errstate(invalid='ignore', divide='ignore'):
            metrics['subset_mIoU'] = np.round(
                np.nanmean(intersect / union) * 100, 2)
        return metrics
