"""Cityscapes evaluation (official scores), test-server export and mmseg's
IoU metric over a subset of classes."""
from .cityscapes_official_metric import (CityscapesOfficialMetric,
                                         evaluate_cityscapes)
from .cityscapes_submission_metric import (CityscapesSubmissionMetric,
                                           submission_png_path)
from .class_subset_iou_metric import ClassSubsetIoUMetric

__all__ = [
    'CityscapesOfficialMetric', 'CityscapesSubmissionMetric',
    'ClassSubsetIoUMetric', 'evaluate_cityscapes', 'submission_png_path'
]
