"""Markdown tables and GloRe-versus-others ratios of benchmark results."""
from typing import Dict, List, Sequence, Tuple

#: Fields that identify a variant (the rest are measurements).
VARIANT_KEYS = ('step', 'precision', 'channels_last', 'compiled')


def significant(value, digits: int = 4) -> str:
    """``value`` with ``digits`` significant digits (CPU rates like 0.0213
    img/s keep their digits); ``-`` for None."""
    if value is None:
        return '-'
    if isinstance(value, float):
        return f'{value:.{digits}g}'
    return str(value)


def markdown_table(rows: List[Dict], columns: Sequence[Tuple[str, str]]
                   ) -> str:
    """A markdown table of ``rows``; ``columns`` are (header, key) pairs."""
    lines = ['| ' + ' | '.join(header for header, _ in columns) + ' |',
             '|' + '---|' * len(columns)]
    for row in rows:
        lines.append('| ' + ' | '.join(
            significant(row.get(key)) for _, key in columns) + ' |')
    return '\n'.join(lines)


def ratio_lines(results: List[Dict], reference: str = 'GloRe',
                key: str = 'median_ms') -> List[str]:
    """For each variant, ``reference``'s ``key`` over every other model's
    (below 1: the reference is faster)."""
    by_variant: Dict[tuple, Dict[str, Dict]] = {}
    for row in results:
        variant = tuple(row.get(k) for k in VARIANT_KEYS)
        by_variant.setdefault(variant, {})[row['model']] = row
    lines = []
    for variant, rows in by_variant.items():
        if reference not in rows or rows[reference].get(key) is None:
            continue
        ours = rows[reference][key]
        others = [f'{name} {ours / row[key]:.2f}x'
                  for name, row in rows.items()
                  if name != reference and row.get(key)]
        if others:
            label = ', '.join(f'{k}={v}' for k, v in zip(VARIANT_KEYS,
                                                         variant))
            lines.append(f'{reference} {key} / other ({label}): ' +
                         ', '.join(others))
    return lines
