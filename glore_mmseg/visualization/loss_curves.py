"""Training-loss curves of several runs in one PNG."""
import math
import os
from typing import Dict, Optional, Sequence

import numpy as np


def smooth(values: Sequence[Optional[float]], window: int) -> np.ndarray:
    """Trailing mean over ``window`` iterations; non-finite (``None``)
    entries stay NaN, so a curve stops where its run diverged."""
    data = np.array([np.nan if v is None else v for v in values], float)
    out = np.full_like(data, np.nan)
    for i in range(len(data)):
        chunk = data[max(0, i - window + 1):i + 1]
        if np.isfinite(chunk).all():
            out[i] = chunk.mean()
    return out


def plot_loss_curves(curves: Dict[str, Sequence[Optional[float]]],
                     path: str,
                     title: str = '',
                     window: int = 5,
                     log_scale: bool = True) -> str:
    """Draw one line per run (loss per iteration, trailing mean of
    ``window``; a dotted line where a run hit a non-finite loss) and write
    it to ``path`` (under a temporary name, then renamed).

    Args:
        curves: Run name -> loss at each iteration (``None``: non-finite).
        path: PNG file to write.
        title: Figure title.
        window: Iterations of the trailing mean.
        log_scale: Logarithmic loss axis.

    Returns:
        ``path``.
    """
    return plot_loss_panels({title: curves}, path, window, log_scale)


def plot_loss_panels(panels: Dict[str, Dict[str, Sequence[Optional[float]]]],
                     path: str,
                     window: int = 5,
                     log_scale: bool = True) -> str:
    """:func:`plot_loss_curves` for several panels side by side (title ->
    curves); a run name keeps its colour in every panel."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    names = list(dict.fromkeys(n for c in panels.values() for n in c))
    colours = {n: f'C{i % 10}' for i, n in enumerate(names)}
    fig, axes = plt.subplots(
        1, len(panels), figsize=(5.2 * len(panels), 3.6), dpi=90,
        squeeze=False)
    for ax, (title, curves) in zip(axes[0], panels.items()):
        for name, losses in curves.items():
            line = smooth(losses, window)
            ax.plot(np.arange(1, len(line) + 1), line, label=name,
                    color=colours[name], linewidth=1.2)
            bad = [i for i, v in enumerate(losses)
                   if v is None or not math.isfinite(v)]
            if bad:
                ax.axvline(bad[0] + 1, color=colours[name], linestyle=':',
                           linewidth=1)
        ax.set_xlabel('iteration')
        ax.set_ylabel(f'training loss (mean of {window})')
        if log_scale:
            ax.set_yscale('log')
        ax.set_title(title, fontsize=9)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    fig.tight_layout()
    tmp = f'{path}.tmp.png'
    fig.savefig(tmp)
    plt.close(fig)
    os.replace(tmp, path)
    return path
