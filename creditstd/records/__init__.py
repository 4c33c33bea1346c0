"""Records of the credit information catalogue: loading, validating, publishing, exchanging.

The public face is :mod:`creditstd.catalogue`; the modules here do the work.
"""
