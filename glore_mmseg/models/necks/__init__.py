from .cov_pooling_neck import GeneralizedGaussianCovNeck, ISQRTCovNeck

__all__ = ['GeneralizedGaussianCovNeck', 'ISQRTCovNeck']
