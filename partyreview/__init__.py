"""partyreview: 党组织问题整改跟踪系统."""

# Importing the Celery app here makes @shared_task bind to it in every process that loads Django.
from partyreview.celery import app as celery_app

__all__ = ("celery_app",)
