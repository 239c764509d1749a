"""Old keyword names that keep working for one release, with a warning."""
import functools
import warnings
from typing import Callable, TypeVar

Function = TypeVar('Function', bound=Callable)


def renamed_kwargs(**renames: str) -> Callable[[Function], Function]:
    """Accept ``old=value`` for ``new=value`` with a ``FutureWarning``.

    Decorates a function or ``__init__``: ``@renamed_kwargs(dim=
    'reduced_channels')`` passes ``dim=128`` on as ``reduced_channels=128``
    and warns that ``dim`` is deprecated. ``FutureWarning`` is shown by
    default, so config users see it too.

    Args:
        **renames: ``old_name='new_name'`` pairs.

    Returns:
        The decorator.

    Raises:
        TypeError: (at call time) both the old and the new name are given.
    """

    def decorator(function: Function) -> Function:
        owner = function.__qualname__.replace('.__init__', '')

        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            for old, new in renames.items():
                if old not in kwargs:
                    continue
                if new in kwargs:
                    raise TypeError(
                        f'{owner}: got both {old!r} (deprecated) and its new '
                        f'name {new!r}; pass only {new!r}')
                warnings.warn(
                    f'{owner}: the argument {old!r} is deprecated and will '
                    f'be removed in the next release; use {new!r}',
                    FutureWarning,
                    stacklevel=2)
                kwargs[new] = kwargs.pop(old)
            return function(*args, **kwargs)

        return wrapper

    return decorator
