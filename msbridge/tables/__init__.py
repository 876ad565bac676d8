"""Declarative MindSpore <-> PyTorch mapping tables: load, validate, look up.

``load_tables()`` reads ``mapping_tables/*.toml`` once (cached) and returns typed records;
see ``msbridge.tables.records`` for the fields a row carries.
"""
from msbridge.tables.loader import Tables, load_tables
from msbridge.tables.records import ApiRef, ApiRow, ArgRule, Example, Param
from msbridge.tables.schema import TableError

__all__ = ["load_tables", "Tables", "ApiRow", "ArgRule", "ApiRef", "Param", "Example", "TableError"]
