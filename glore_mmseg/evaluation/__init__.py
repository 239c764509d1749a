"""Cityscapes evaluation (official scores) and test-server export."""
from .cityscapes_official_metric import (CityscapesOfficialMetric,
                                         evaluate_cityscapes)
from .cityscapes_submission_metric import (CityscapesSubmissionMetric,
                                           submission_png_path)

__all__ = [
    'CityscapesOfficialMetric', 'CityscapesSubmissionMetric',
    'evaluate_cityscapes', 'submission_png_path'
]
