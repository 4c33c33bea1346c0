"""Identifier modules: one per code standard, all with python-stdnum's contract.

``uscc`` (GB 32100), ``ric`` (GB 11643 and the numbers built like it),
``orgcode`` (GB 11714), ``regno`` (GS 15) and ``regions`` (GB/T 2260), plus
:func:`identify` for unlabeled values and :func:`validate_batch` for many.
"""

from creditstd.codes import orgcode, regions, regno, ric, uscc
from creditstd.codes.batch import BatchResult, validate_batch
from creditstd.codes.identify import IdentifierKind, identify

__all__ = [
    "BatchResult",
    "IdentifierKind",
    "identify",
    "orgcode",
    "regions",
    "regno",
    "ric",
    "uscc",
    "validate_batch",
]
