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
    ``window``) and write it to ``path`` (written under a temporary name,
    then renamed).

    Args:
        curves: Run name -> loss at each iteration (``None``: non-finite).
        path: PNG file to write.
        title: Figure title.
        window: Iterations of the trailing mean.
        log_scale: Logarithmic loss axis.

    Returns:
        ``path``.
    """
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 3.6), dpi=100)
    for name, losses in curves.items():
        line = smooth(losses, window)
        ax.plot(np.arange(1, len(line) + 1), line, label=name, linewidth=1.2)
        if any(v is None or not math.isfinite(v) for v in losses):
            stop = next(i for i, v in enumerate(losses)
                        if v is None or not math.isfinite(v))
            ax.axvline(stop + 1, color=ax.lines[-1].get_color(),
                       linestyle=':', linewidth=1)
    ax.set_xlabel('iteration')
    ax.set_ylabel(f'training loss (mean of {window})')
    if log_scale:
        ax.set_yscale('log')
    ax.set_title(title, fontsize=9)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    tmp = f'{path}.tmp.png'
    fig.savefig(tmp)
    plt.close(fig)
    os.replace(tmp, path)
    return path
