from .glore_head import GloReHead

__all__ = ['GloReHead']
