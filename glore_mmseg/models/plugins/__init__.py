from .glore_plugin import GloRePlugin

__all__ = ['GloRePlugin']
