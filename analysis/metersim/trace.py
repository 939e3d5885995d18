"""One metersim trace, opened read-only and read lazily.

Nothing is read at open but /meta; each property or method reads only its dataset (and for
the per-household arrays only the rows and periods asked for), so a 1M-household trace opens
in milliseconds and `t.households` does not touch the half-hourly channels.  Times are real:
half-hourly and per-minute series carry a UTC DatetimeIndex from /meta sim_start; integer
codes become pandas categories named from the trace itself or from tables.py.
"""
import builtins
import functools
import json
import os

import h5py
import numpy as np
import pandas as pd

from . import _yaml, tables

_HERE = os.path.dirname(os.path.abspath(__file__))
_SCHEMA_PATH = os.path.join(os.path.dirname(_HERE), "trace_schema.json")
# /households and /network/areas region: 1-based licence area (not a column of the run's).
_REGION_NAMES = {i + 1: n for i, n in enumerate(tables.DNO_REGIONS)}
_DCC_REGIONS = {i + 1: d for i, d in enumerate(tables.DCC_REGION_OF_DNO)}

PERIOD = pd.Timedelta(minutes=30)
NO_HOUSEHOLD = 0xFFFFFFFF  # sim_event.household of records that belong to no household


class TraceError(Exception):
    """A file that is not a readable metersim trace, or lacks what was asked of it.  The
    message starts with the file's path."""


@functools.lru_cache(maxsize=1)
def schema():
    """The trace declaration (analysis/trace_schema.json, generated from sim/output/schema.c)."""
    with builtins.open(_SCHEMA_PATH, encoding="utf-8") as f:
        s = json.load(f)
    s["by_key"] = {d["key"]: d for d in s["datasets"]}
    return s


def _text(v):
    return v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v)


def _category(codes, names):
    """Integer CODES as a categorical of the names in NAMES (dict code -> name); codes the
    table does not know keep their number as text, so nothing silently becomes NaN."""
    codes = np.asarray(codes)
    uniq = np.unique(codes)
    lookup = {int(c): names.get(int(c), str(int(c))) for c in uniq}
    cats = list(dict.fromkeys([names[k] for k in sorted(names)] + list(lookup.values())))
    labels = np.array([lookup[int(c)] for c in uniq], dtype=object)
    return pd.Categorical(labels[np.searchsorted(uniq, codes)], categories=cats)


def open(path):  # noqa: A001 - the package's entry point reads as metersim.open
    """Open the metersim trace at PATH; TraceError when it is not one."""
    return Trace(path)


class Trace:
    """A metersim trace.  Use as a context manager, or call close()."""

    def __init__(self, path):
        self.path = os.fspath(path)
        if not os.path.exists(self.path):
            raise TraceError(f"{self.path}: no such file")
        if os.path.isdir(self.path):
            raise TraceError(f"{self.path}: is a directory, not a trace")
        try:
            self.file = h5py.File(self.path, "r")
        except OSError as e:
            raise TraceError(f"{self.path}: not a readable HDF5 file "
                             f"(not HDF5, truncated or damaged: {_first_line(e)})") from None
        try:
            g = self.file.get(schema()["meta"]["group"])
            if not isinstance(g, h5py.Group) or "metersim_version" not in g.attrs:
                raise TraceError(f"{self.path}: not a metersim trace (no /meta metersim_version)")
            self.meta = {k: (_text(v) if isinstance(v, (bytes, str)) else v.item())
                         for k, v in g.attrs.items()}
            for need in ("sim_start", "households", "scenario_yaml"):
                if need not in self.meta:
                    raise TraceError(f"{self.path}: damaged trace: /meta has no {need}")
            self.start = pd.Timestamp(self.meta["sim_start"]).tz_convert("UTC")
        except TraceError:
            self.file.close()
            raise
        except (OSError, KeyError, ValueError, RuntimeError) as e:
            self.file.close()
            raise TraceError(f"{self.path}: damaged trace: {_first_line(e)}") from None

    # ---- basics ---------------------------------------------------------------------------

    def close(self):
        self.file.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return (f"<metersim trace {self.path}: {self.meta.get('scenario_name')}, "
                f"{self.meta['households']} households, {self.meta['sim_start']} .. "
                f"{self.meta.get('sim_end')}>")

    @functools.cached_property
    def scenario(self):
        """The resolved scenario (/meta scenario_yaml) as nested dicts and lists; values with
        units stay text as the simulator wrote them ("5 min")."""
        try:
            return _yaml.parse(self.meta["scenario_yaml"])
        except _yaml.YamlSubsetError as e:
            raise TraceError(f"{self.path}: damaged trace: /meta scenario_yaml: {e}") from None

    @property
    def n_households(self):
        return int(self.meta["households"])

    @property
    def complete(self):
        return bool(self.meta.get("complete", 0))

    def has(self, key):
        """Whether the trace holds dataset KEY (a key of trace_schema.json: "import_wh", ...)."""
        return schema()["by_key"][key]["path"] in self.file

    def dataset(self, key):
        """The h5py dataset KEY; TraceError naming the file when the trace lacks it."""
        decl = schema()["by_key"].get(key)
        if decl is None:
            raise KeyError(f"no dataset key {key!r} in the trace declaration")
        try:
            ds = self.file.get(decl["path"])
        except (OSError, RuntimeError) as e:
            raise TraceError(f"{self.path}: damaged trace: {decl['path']}: {_first_line(e)}") from None
        if not isinstance(ds, h5py.Dataset):
            raise TraceError(f"{self.path}: missing dataset {decl['path']} ({key})")
        return ds

    def read(self, key, sel=()):
        """Dataset KEY, or the selection SEL of it, as numpy; damaged data raises TraceError."""
        ds = self.dataset(key)
        try:
            return ds[sel] if sel != () else ds[()]
        except (OSError, RuntimeError, ValueError) as e:
            raise TraceError(f"{self.path}: damaged trace: cannot read {ds.name}: "
                             f"{_first_line(e)}") from None

    def columns(self, key):
        """Column names of table KEY: its `columns` attribute, else the declaration's."""
        ds = self.dataset(key)
        if "columns" in ds.attrs:
            return _text(ds.attrs["columns"]).split(",")
        return [c["name"] for c in schema()["by_key"][key]["columns"] or []]

    def rows(self, key):
        return _text(self.dataset(key).attrs["rows"]).split(",")

    def _table(self, key, index=None):
        """A [row, column] table as a DataFrame with its column names (and row names)."""
        a = self.read(key)
        df = pd.DataFrame(a.reshape(len(a), -1) if a.size else np.zeros((0, len(self.columns(key)))),
                          columns=self.columns(key))
        if index is not None:
            df.index = pd.Index(index[:len(df)], name=None)
        return df

    def _records(self, key):
        a = self.read(key)
        df = pd.DataFrame({n: a[n] for n in a.dtype.names})
        for n in a.dtype.names:
            if a.dtype[n].kind == "S":
                df[n] = [_text(v) for v in a[n]]
        return df

    # ---- time ------------------------------------------------------------------------------

    def periods(self, first, n):
        """UTC start times of settlement periods FIRST .. FIRST+N-1 of the run."""
        return pd.date_range(self.start + first * PERIOD, periods=n, freq=PERIOD, name="time")

    def seconds(self, first, n, step=1):
        return pd.date_range(self.start + pd.Timedelta(seconds=first), periods=n,
                             freq=pd.Timedelta(seconds=step), name="time")

    def _period_range(self, start, end, n):
        """Periods [a, b) of N covering START .. END (Timestamps, strings or None)."""
        def at(x, default):
            if x is None:
                return default
            ts = pd.Timestamp(x)
            ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
            return int(np.clip(np.ceil((ts - self.start) / PERIOD), 0, n))
        return at(start, 0), at(end, n)

    # ---- households ------------------------------------------------------------------------

    @functools.cached_property
    def region_names(self):
        """Names of the run's licence areas in area order (the columns of region_demand), from
        /grid/region_demand_w's columns attribute."""
        if self.has("region_demand_w"):
            names = self.columns("region_demand_w")
            if names and names != [""]:
                return names
        return list(tables.DNO_REGIONS)

    def _names(self, key, field="name"):
        if not self.has(key):
            return {}
        a = self.read(key)
        return {i: _text(v) for i, v in enumerate(a[field])} if a.size else {}

    @functools.cached_property
    def households(self):
        """/households as a DataFrame indexed by household id, categories decoded; with
        /fleet/final, the meter at the end as *_end columns."""
        a = self.read("households")
        df = pd.DataFrame({"id": a["id"]}).set_index("id")
        for n in ("area", "lv_substation", "primary", "region", "feeder", "occupants",
                  "pv_kwp", "mesh_hops"):
            df[n] = a[n]
        df["region_name"] = _category(a["region"], _REGION_NAMES)
        df["dcc_region"] = _category(a["region"], _DCC_REGIONS)
        df["wan_tech"] = _category(a["wan_tech"], tables.WAN_TECH)
        df["dwelling"] = _category(a["dwelling"], tables.DWELLING)
        df["heating"] = _category(a["heating"], tables.HEATING)
        df["ev"] = _category(a["ev"], tables.EV)
        df["tariff"] = _category(a["tariff"], tables.TARIFF)
        df["payment"] = _category(a["prepay"], tables.PAYMENT)
        df["dr_engaged"] = a["dr_engaged"].astype(bool)
        pops, sups, imgs = (self._names("fleet_populations"), self._names("fleet_suppliers"),
                            self._names("fleet_images"))
        df["population"] = _category(a["population"], pops)
        df["supplier"] = _category(a["supplier"], sups)
        df["generation"] = _category(a["generation"], tables.GENERATION)
        df["route"] = _category(a["route"], tables.ROUTE)
        df["image"] = _category(a["image"], imgs)
        if self.has("fleet_final"):
            fin = self.read("fleet_final")
            cols = self.columns("fleet_final")
            if len(fin) == len(df):
                for n, names in (("generation", tables.GENERATION), ("population", pops),
                                 ("image", imgs), ("route", tables.ROUTE)):
                    df[n + "_end"] = _category(fin[:, cols.index(n)], names)
        return df

    def select(self, households=None):
        """Sorted row indices of HOUSEHOLDS: None (all), a boolean mask or Series, ids, or a
        DataFrame (e.g. a filtered t.households)."""
        n = self.n_households
        if households is None:
            return np.arange(n)
        if isinstance(households, pd.DataFrame):
            households = households.index.to_numpy()
        h = np.asarray(households)
        if h.dtype == bool:
            if len(h) != n:
                raise ValueError(f"mask of {len(h)} households for a trace of {n}")
            return np.flatnonzero(h)
        h = np.unique(h.astype(np.int64))
        if len(h) and (h[0] < 0 or h[-1] >= n):
            raise ValueError(f"{self.path}: household {h[0] if h[0] < 0 else h[-1]} is out of "
                             f"range (0 .. {n - 1})")
        return h

    # ---- per household per period ----------------------------------------------------------

    def halfhourly(self, channel="import_wh", households=None, start=None, end=None):
        """Channel CHANNEL ("import_wh", "export_wh", "reactive_import_varh",
        "reactive_export_varh", "gas_wh") of HOUSEHOLDS (see select) over [START, END):
        a DataFrame, UTC period start times by household id.  Reads only those rows and
        periods."""
        ds = self.dataset(channel)
        rows = self.select(households)
        a, b = self._period_range(start, end, ds.shape[1])
        v = np.empty((len(rows), b - a), ds.dtype)
        for k, end_k, block in self._blocks(channel, rows, a, b):
            v[k:end_k] = block
        return pd.DataFrame(v.T, index=self.periods(a, b - a), columns=pd.Index(rows, name="household"))

    def channel_sum(self, channel="import_wh", by=None, households=None, start=None, end=None,
                    chunk=65536):
        """Sum of CHANNEL over HOUSEHOLDS per period, by group BY (a column of t.households,
        or a Series indexed by household) or in total: a DataFrame of Wh (or varh), UTC
        period times by group.  Reads CHUNK households at a time, so memory stays bounded."""
        ds = self.dataset(channel)
        rows = self.select(households)
        a, b = self._period_range(start, end, ds.shape[1])
        if by is None:
            labels = pd.Categorical(np.full(len(rows), "all"))
        else:
            col = self.households[by] if isinstance(by, str) else by
            labels = pd.Categorical(col.to_numpy()[rows]) if not isinstance(col.dtype, pd.CategoricalDtype) \
                else col.iloc[rows].array
            labels = pd.Categorical(labels).remove_unused_categories()
        codes = np.asarray(labels.codes)
        out = np.zeros((b - a, len(labels.categories)))
        for k, end_k, v in self._blocks(channel, rows, a, b, chunk):
            v = v.astype(np.float64)
            for g in np.unique(codes[k:end_k]):
                out[:, g] += v[codes[k:end_k] == g].sum(axis=0)
        return pd.DataFrame(out, index=self.periods(a, b - a),
                            columns=pd.Index(labels.categories, name=by if isinstance(by, str) else None))

    def _blocks(self, key, rows, a, b, chunk=65536):
        """(k, end, values) for the sorted household rows ROWS[k:end] and periods [A, B) of
        dataset KEY, each block read as one contiguous slab of at most CHUNK households of
        the file: h5py's point selections are slow, and memory stays bounded."""
        k = 0
        while k < len(rows):
            end = int(np.searchsorted(rows, rows[k] + chunk))
            r = rows[k:end]
            yield k, end, self.read(key, np.s_[int(r[0]):int(r[-1]) + 1, a:b])[r - r[0]]
            k = end

    def group_sizes(self, by=None, households=None):
        rows = self.select(households)
        if by is None:
            return pd.Series({"all": len(rows)})
        return self.households[by].iloc[rows].value_counts(sort=False)

    # ---- grid ------------------------------------------------------------------------------

    @property
    def demand(self):
        """/grid/demand_w: mean total demand of the households per simulated minute [W]."""
        v = self.read("demand_w")
        return pd.Series(v, index=self.seconds(0, len(v), 60), name="demand_w")

    @property
    def region_demand(self):
        """/grid/region_demand_w: W per settlement period by DNO region name."""
        v = self.read("region_demand_w")
        v = v.reshape(len(v), -1)
        return pd.DataFrame(v, index=self.periods(0, len(v)),
                            columns=pd.Index(self.region_names[:v.shape[1]], name="region"))

    @property
    def prices(self):
        """Tariff unit price [p/kWh] and day-ahead wholesale price [GBP/MWh] per period."""
        cols = {}
        for key in ("price_p_kwh", "wholesale_gbp_mwh"):
            if self.has(key):
                cols[key] = self.read(key)
        n = max((len(v) for v in cols.values()), default=0)
        return pd.DataFrame({k: pd.Series(v, index=self.periods(0, len(v))) for k, v in cols.items()},
                            index=self.periods(0, n))

    # ---- meters ----------------------------------------------------------------------------

    @property
    def registers(self):
        return self._table("registers").set_axis(self.households.index, axis=0)

    @property
    def billing(self):
        """The firmware's bill at the end, per household: cost_gbp (tariff cost since
        commissioning), balance_gbp, available_gbp (prepayment)."""
        b = self._table("billing")
        out = pd.DataFrame(index=self.households.index)
        out["cost_gbp"] = b["cost"].to_numpy() * 1e-10       # 1e-8 p -> GBP
        out["balance_gbp"] = b["balance"].to_numpy() * 1e-5  # 1e-5 GBP
        out["available_gbp"] = b["available"].to_numpy() * 1e-5
        return out

    @property
    def firmware_log(self):
        df = self._records("firmware_log")
        df["name"] = [tables.ALERTS.get(int(c), tables.EVENTS.get(int(c), f"0x{int(c):X}"))
                      for c in df["code"]]
        df.insert(0, "time", self.start + pd.to_timedelta(df["t_s"], unit="s"))
        return df

    # ---- events ----------------------------------------------------------------------------

    def events(self, names=None, households=None, start=None, end=None, block=1 << 20):
        """/events as a DataFrame in time order: time (UTC), t_s, household (<NA> for none),
        code, name, value, value_text.  NAMES (event names of tables.EVENTS, or codes) and
        HOUSEHOLDS (see select) filter as the records are read, BLOCK records at a time, so
        memory follows what is kept."""
        ds = self.dataset("events")
        want = None
        if names is not None:
            names = [names] if isinstance(names, (str, int)) else names
            want = [tables.EVENT_CODE[n] if isinstance(n, str) else int(n) for n in names]
        rows = None if households is None else self.select(households)
        t0 = None if start is None else (_utc(start) - self.start).total_seconds()
        t1 = None if end is None else (_utc(end) - self.start).total_seconds()
        parts = []
        for k in range(0, ds.shape[0], block):
            try:
                rec = ds[k:k + block]
            except (OSError, RuntimeError) as e:
                raise TraceError(f"{self.path}: damaged trace: cannot read /events: {_first_line(e)}") from None
            keep = np.ones(len(rec), bool)
            if want is not None:
                keep &= np.isin(rec["code"], want)
            if rows is not None:
                keep &= np.isin(rec["household"], rows)
            if t0 is not None:
                keep &= rec["t_s"] >= t0
            if t1 is not None:
                keep &= rec["t_s"] < t1
            parts.append(rec[keep])
        rec = np.concatenate(parts) if parts else np.zeros(0, ds.dtype)
        rec = rec[np.argsort(rec["t_s"], kind="stable")]
        hh = pd.array(rec["household"].astype(np.int64), dtype="Int64")
        hh[rec["household"] == NO_HOUSEHOLD] = pd.NA
        codes, inverse = np.unique(rec["code"], return_inverse=True)
        names_of = [tables.EVENTS.get(int(c), f"0x{int(c):X}") for c in codes]
        name = pd.Categorical.from_codes(inverse.reshape(-1), categories=pd.Index(names_of)) \
            if len(codes) else pd.Categorical([])
        return pd.DataFrame({
            "time": self.start + pd.to_timedelta(rec["t_s"], unit="s"),
            "t_s": rec["t_s"],
            "household": hh,
            "code": rec["code"],
            "name": name,
            "value": rec["value"],
            "value_text": _value_texts(names_of, inverse.reshape(-1), rec["value"]),
        })

    # ---- network ---------------------------------------------------------------------------

    def headend(self, fields=None, start=None, end=None):
        """The head-end's per-second series (/network/headend/*) as a DataFrame, UTC seconds by
        field ("arrivals", "queue_max", ...), over [START, END)."""
        keys = [d["key"] for d in schema()["datasets"]
                if d["path"].startswith("/network/headend/") and d["dims"] == "time"]
        names = [k[len("headend_"):] for k in keys]
        if fields is not None:
            fields = [fields] if isinstance(fields, str) else list(fields)
            bad = [f for f in fields if f not in names]
            if bad:
                raise KeyError(f"no head-end series {bad}; there are {names}")
        cols = {}
        n = None
        for k, name in zip(keys, names):
            if fields is not None and name not in fields or not self.has(k):
                continue
            ds = self.dataset(k)
            n = ds.shape[0] if n is None else n
            a, b = self._second_range(start, end, ds.shape[0])
            cols[name] = self.read(k, np.s_[a:b])
        if n is None:
            raise TraceError(f"{self.path}: missing dataset /network/headend/arrivals")
        a, b = self._second_range(start, end, n)
        return pd.DataFrame(cols, index=self.seconds(a, b - a))

    def _second_range(self, start, end, n):
        def at(x, default):
            if x is None:
                return default
            return int(np.clip(np.ceil((_utc(x) - self.start).total_seconds()), 0, n))
        return at(start, 0), at(end, n)

    def cells(self, kind="arrivals", start=None, end=None):
        """Per-area cell series: "arrivals" (messages/s) or "queue" (longest queue found), UTC
        seconds by area, over [START, END)."""
        key = {"arrivals": "cell_arrivals", "queue": "cell_queue"}[kind]
        ds = self.dataset(key)
        a, b = self._second_range(start, end, ds.shape[0])
        v = self.read(key, np.s_[a:b])
        return pd.DataFrame(v, index=self.seconds(a, b - a), columns=pd.Index(range(v.shape[1]), name="area"))

    def cell_summary(self, freq_s=60, block_s=3600):
        """All cells per FREQ_S seconds: arrivals (summed over areas) and queue_max (the
        longest queue any cell had), read BLOCK_S seconds at a time (the [second, area]
        datasets of a national run are gigabytes)."""
        qa, qq = self.dataset("cell_arrivals"), self.dataset("cell_queue")
        n = qa.shape[0]
        arr, qmax = [], []
        step = max(block_s // freq_s, 1) * freq_s
        for k in range(0, n, step):
            a = self.read("cell_arrivals", np.s_[k:k + step]).sum(axis=1, dtype=np.int64)
            q = self.read("cell_queue", np.s_[k:k + step]).max(axis=1, initial=0) if qq.shape[1] else np.zeros(len(a))
            m = -(-len(a) // freq_s) * freq_s
            arr.append(np.pad(a, (0, m - len(a))).reshape(-1, freq_s).sum(axis=1))
            qmax.append(np.pad(q, (0, m - len(q))).reshape(-1, freq_s).max(axis=1))
        arr = np.concatenate(arr) if arr else np.zeros(0)
        return pd.DataFrame({"arrivals": arr, "queue_max": np.concatenate(qmax) if qmax else arr},
                            index=self.seconds(0, len(arr), freq_s))

    @property
    def areas(self):
        """/network/areas by area, with region_name and technology decoded."""
        df = self._table("areas")
        df.index.name = "area"
        df["region_name"] = _category(df["region"].astype(int), _REGION_NAMES)
        df["tech_name"] = _category(df["tech"].astype(int) & 0xFF, {**tables.WAN_TECH, 255: "uniform"})
        return df

    @property
    def price_updates(self):
        df = self._table("price_updates")
        df.insert(0, "sent", self.start + pd.to_timedelta(df["sent_s"], unit="s"))
        df.insert(1, "first_period_start", self.start + df["first_period"].astype(int) * PERIOD)
        return df

    @property
    def headend_classes(self):
        """/network/headend/class_stats: one row per request class and a total."""
        return self._table("headend_class_stats", index=self.rows("headend_class_stats"))

    @property
    def dno_restoration(self):
        """/network/dno/restoration as a dict of its columns."""
        df = self._table("dno_restoration")
        return {c: float(df[c].iloc[0]) for c in df.columns} if len(df) else {}

    @property
    def han(self):
        df = self._records("han_premises")
        df.index = self.households.index[:len(df)]
        for b in ("band_gas", "band_ihd"):
            df[b] = _category(df[b], tables.HAN_BAND)
        df["works"] = df["works"].astype(bool)
        df["dual_band"] = df["dual_band"].astype(bool)
        return df

    # ---- fleet -----------------------------------------------------------------------------

    @property
    def fleet_daily(self):
        df = self._records("fleet_daily")
        df.index = pd.DatetimeIndex(pd.to_datetime(df.pop("date"), utc=True), name="date")
        return df

    @property
    def populations(self):
        df = self._records("fleet_populations")
        df["generation"] = _category(df["generation"], tables.GENERATION)
        df["tariff"] = _category(df["tariff"], tables.TARIFF)
        return df

    @property
    def suppliers(self):
        return self._records("fleet_suppliers")

    @property
    def campaigns(self):
        return self._records("fleet_campaigns")

    @property
    def images(self):
        return self._records("fleet_images")


def _value_texts(names, inverse, values):
    """tables.event_value_text of each record, worked out once per distinct (code, value)."""
    if not len(values):
        return np.array([], dtype=object)
    pairs, back = np.unique(np.stack([inverse.astype(np.int64), values.astype(np.int64)]), axis=1,
                            return_inverse=True)
    texts = np.array([tables.event_value_text(names[c], v) for c, v in pairs.T], dtype=object)
    return texts[back.reshape(-1)]


def _utc(x):
    ts = pd.Timestamp(x)
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def _first_line(e):
    s = str(e).strip().splitlines()
    return s[0] if s else e.__class__.__name__
