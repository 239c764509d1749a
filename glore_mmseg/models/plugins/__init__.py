from .glore_plugin import GloRePlugin
from .gsop_plugin import GSoPPlugin

__all__ = ['GloRePlugin', 'GSoPPlugin']
