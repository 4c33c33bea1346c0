"""creditstd: China's social credit information standards, executable.

>>> from creditstd import uscc, ric
>>> uscc.is_valid('91350100M000100Y43'), ric.is_valid('11010519491231002X')
(True, True)
"""

from creditstd.codes import (
    BatchResult,
    IdentifierKind,
    identify,
    orgcode,
    regions,
    regno,
    ric,
    uscc,
    validate_batch,
)

__version__ = "0.1.0"

__all__ = [
    "BatchResult",
    "IdentifierKind",
    "__version__",
    "identify",
    "orgcode",
    "regions",
    "regno",
    "ric",
    "uscc",
    "validate_batch",
]
