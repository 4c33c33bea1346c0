"""JSON Schemas of creditstd's formats: the catalogue meta-schema, the taxonomy and the exchange format.

Installed as ``creditstd.schemas``; read them with
``creditstd.records.loader.meta_schema(name)``.
"""
