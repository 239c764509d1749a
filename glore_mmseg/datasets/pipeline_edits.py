"""Edits of pipeline configs shared by testing, inference and export."""
from typing import List, Sequence

#: Pipeline steps that load or check labels.
ANNOTATION_STEPS = ('LoadAnnotations', 'CheckSegMap')


def drop_annotation_loading(pipeline: Sequence[dict]) -> List[dict]:
    """The pipeline without ``LoadAnnotations`` and ``CheckSegMap`` (also
    inside TestTimeAug), for images that have no labels (the Cityscapes test
    split)."""
    kept = []
    for step in pipeline:
        if isinstance(step, (list, tuple)):
            step = drop_annotation_loading(step)
            if step:
                kept.append(step)
            continue
        if step.get('type') in ANNOTATION_STEPS:
            continue
        if step.get('type') == 'TestTimeAug':
            step = dict(
                step, transforms=drop_annotation_loading(step['transforms']))
        kept.append(step)
    return kept
