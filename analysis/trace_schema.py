"""The metersim trace declaration for Python: paths, column names and record layouts.

trace_schema.json (next to this file) is generated from sim/output/schema.c by the build
(build/sim/trace_schema.json; a test keeps the two equal).  Look columns up by name, never
by position: a table's own `columns` attribute wins when it has one (its columns may be
known only at run time, such as one per DNO region), else the declaration's.
"""
import json
import os

_HERE = os.path.dirname(os.path.abspath(__file__))


def load(path=os.path.join(_HERE, "trace_schema.json")):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


SCHEMA = load()
_BY_KEY = {d["key"]: d for d in SCHEMA["datasets"]}
_BY_PATH = {d["path"]: d for d in SCHEMA["datasets"]}


def declaration(key):
    """The declaration of dataset KEY ("price_updates", "headend_queue_max", ...)."""
    return _BY_KEY[key]


def path(key):
    """The HDF5 path of dataset KEY."""
    return _BY_KEY[key]["path"]


def _text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def columns(ds):
    """Column names of the [row, column] table DS (an h5py dataset), in order."""
    if "columns" in ds.attrs:
        return _text(ds.attrs["columns"]).split(",")
    decl = _BY_PATH.get(ds.name)
    if not decl or not decl["columns"]:
        raise KeyError(f"{ds.name}: no declared columns")
    return [c["name"] for c in decl["columns"]]


def column(ds, name):
    """Index of column NAME of table DS."""
    return columns(ds).index(name)


def rows(ds):
    """Row names of table DS (its `rows` attribute, e.g. the head-end's request classes)."""
    return _text(ds.attrs["rows"]).split(",")
