"""The four official Cityscapes scores, computed by cityscapesscripts."""
import copy
from typing import Dict, Sequence

import cityscapesscripts.evaluation.evalPixelLevelSemanticLabeling as CSEval
from mmseg.evaluation.metrics import CityscapesMetric
from mmseg.registry import METRICS

# Result keys of ``CSEval.evaluateImgLists`` -> the paper's Table 4 columns.
SCORE_KEYS = {
    'averageScoreClasses': 'classIoU',
    'averageScoreInstClasses': 'classiIoU',
    'averageScoreCategories': 'categoryIoU',
    'averageScoreInstCategories': 'categoryiIoU',
}


def evaluate_cityscapes(prediction_files: Sequence[str],
                        label_id_files: Sequence[str],
                        verbose: bool = False) -> Dict[str, float]:
    """Score labelId predictions with cityscapesscripts' own evaluator.

    Args:
        prediction_files: uint8 PNGs of Cityscapes labelIds (not trainIds),
            one per ground-truth file, same size.
        label_id_files: ``*_gtFine_labelIds.png`` files; the matching
            ``*_gtFine_instanceIds.png`` must sit beside each (iIoU).
        verbose: Print cityscapesscripts' per-class tables.

    Returns:
        ``classIoU``, ``classiIoU``, ``categoryIoU``, ``categoryiIoU`` as
        fractions in [0, 1] (classes absent from both ground truth and
        prediction are left out of the means, as the evaluator does).

    Raises:
        RuntimeError: The evaluator rejected a file (it would otherwise call
            ``sys.exit``); the message is the evaluator's.
    """
    if len(prediction_files) != len(label_id_files):
        raise ValueError(f'{len(prediction_files)} predictions for '
                         f'{len(label_id_files)} ground-truth files')
    if not prediction_files:
        raise ValueError('no predictions to evaluate')
    # A private copy: the module-level ``args`` is global state that mmseg's
    # own CityscapesMetric also mutates.
    args = copy.copy(CSEval.args)
    args.evalInstLevelScore = True
    args.evalPixelAccuracy = False
    args.JSONOutput = False
    args.quiet = not verbose
    args.colorized = False
    args.bold = args.nocol = ''
    try:
        results = CSEval.evaluateImgLists(
            list(prediction_files), list(label_id_files), args)
    except SystemExit as error:  # printError() ends with sys.exit(-1)
        raise RuntimeError(
            'cityscapesscripts could not evaluate the predictions (see the '
            'ERROR line it printed above)') from error
    return {name: float(results[key]) for key, name in SCORE_KEYS.items()}


@METRICS.register_module()
class CityscapesOfficialMetric(CityscapesMetric):
    """mmseg's ``CityscapesMetric`` reporting all four official scores.

    mmseg's metric writes each prediction as a labelId PNG and calls
    cityscapesscripts, but returns only the two category scores. This one
    returns class IoU, class iIoU, category IoU and category iIoU in percent
    (the columns of the Cityscapes benchmark and of the GloRe paper's
    Table 4). Needs ``*_gtFine_labelIds.png`` and ``*_gtFine_instanceIds.png``
    beside the ``labelTrainIds`` files the dataset reads.

    Args:
        output_dir: Folder for the labelId PNGs.
        keep_results: Keep ``output_dir`` after evaluation.
        verbose: Print cityscapesscripts' per-class tables.
        **kwargs: Passed to ``CityscapesMetric``.
    """
    default_prefix = 'cityscapes'

    def __init__(self,
                 output_dir: str,
                 keep_results: bool = False,
                 verbose: bool = True,
                 **kwargs) -> None:
        super().__init__(
            output_dir=output_dir, keep_results=keep_results, **kwargs)
        self.verbose = verbose

    def compute_metrics(self, results: list) -> Dict[str, float]:
        if self.format_only:
            return super().compute_metrics(results)
        prediction_files, label_id_files = zip(*results)
        scores = evaluate_cityscapes(prediction_files, label_id_files,
                                     self.verbose)
        return {name: round(100 * value, 2) for name, value in scores.items()}
