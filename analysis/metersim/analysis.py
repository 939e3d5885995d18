"""Answers to the questions people ask of a trace, each from the Trace's lazy readers.

Time-of-day windows are read in TZ (default UTC, the simulator's clock; "Europe/London" for
local clock time, BST included).  Energies are kWh, powers kW per household (after diversity:
the group's mean), money GBP.
"""
import numpy as np
import pandas as pd

from . import tables
from .trace import TraceError


def _time_of_day(index, tz):
    local = index.tz_convert(tz) if tz else index
    return local.hour * 60 + local.minute


def _minutes(hhmm):
    h, m = str(hhmm).split(":")
    return int(h) * 60 + int(m)


def _in_window(index, start, end, tz):
    tod = _time_of_day(index, tz)
    a, b = _minutes(start), _minutes(end)
    return (tod >= a) & (tod < b) if a <= b else (tod >= a) | (tod < b)


def window_energy(t, start="16:00", end="19:00", by=None, channel="import_wh", households=None,
                  tz="UTC", days=None):
    """Energy of CHANNEL per group BY in the daily window [START, END) (clock times in TZ)
    and its share of the group's energy, over the run or the DAYS (start, end) given.

    Returns a DataFrame by group: households, total_kwh, window_kwh, share (window/total),
    window_kwh_per_household_day, window_kw_per_household (mean power in the window)."""
    a, b = days if days else (None, None)
    wh = t.channel_sum(channel, by=by, households=households, start=a, end=b)
    inside = _in_window(wh.index, start, end, tz)
    sizes = t.group_sizes(by, households).reindex(wh.columns).fillna(0).astype(int)
    n_days = len(wh) / 48.0
    out = pd.DataFrame(index=wh.columns)
    out["households"] = sizes
    out["total_kwh"] = wh.sum() / 1000.0
    out["window_kwh"] = wh[inside].sum() / 1000.0
    out["share"] = out["window_kwh"] / out["total_kwh"].where(out["total_kwh"] > 0)
    out["window_kwh_per_household_day"] = out["window_kwh"] / sizes.where(sizes > 0) / max(n_days, 1e-9)
    hours = inside.sum() * 0.5
    out["window_kw_per_household"] = out["window_kwh"] / sizes.where(sizes > 0) / max(hours, 1e-9)
    return out


def daily_profile(t, by=None, channel="import_wh", households=None, tz="UTC"):
    """Mean power per household [kW] at each half-hour of the day (clock time in TZ), by
    group: a DataFrame indexed by "HH:MM"."""
    wh = t.channel_sum(channel, by=by, households=households)
    sizes = t.group_sizes(by, households).reindex(wh.columns).astype(float)
    kw = wh * 2.0 / 1000.0 / sizes.where(sizes > 0)  # Wh per 30 min -> kW
    local = wh.index.tz_convert(tz) if tz else wh.index
    key = [f"{h:02d}:{m:02d}" for h, m in zip(local.hour, local.minute)]
    prof = kw.groupby(key).mean()
    prof.index.name = "time_of_day"
    return prof


def peak_rebound(t, start="16:00", end="19:00", by=None, rebound_hours=3.0, channel="import_wh",
                 households=None, tz="UTC"):
    """Peak and rebound of the average day per group, in kW per household.

    peak_kw and peak_at: the highest half-hour of the average daily profile; window_kw: its
    mean in [START, END); before_kw: its mean in the REBOUND_HOURS before START; rebound_kw
    and rebound_at: its highest half-hour in the REBOUND_HOURS after END; rebound_ratio:
    rebound_kw / before_kw (above 1: demand moved out of the window comes back after it)."""
    prof = daily_profile(t, by=by, channel=channel, households=households, tz=tz)
    mins = np.array([_minutes(k) for k in prof.index])
    a, b = _minutes(start), _minutes(end)
    span = int(rebound_hours * 60)
    inside = (mins >= a) & (mins < b) if a <= b else (mins >= a) | (mins < b)
    before = ((mins - (a - span)) % 1440) < span
    after = ((mins - b) % 1440) < span
    out = pd.DataFrame(index=prof.columns)
    out["peak_kw"] = prof.max()
    out["peak_at"] = prof.idxmax()
    out["window_kw"] = prof[inside].mean()
    out["before_kw"] = prof[before].mean()
    out["rebound_kw"] = prof[after].max()
    out["rebound_at"] = prof[after].idxmax()
    out["rebound_ratio"] = out["rebound_kw"] / out["before_kw"]
    return out


def bills(t, by="tariff"):
    """The firmware's bills at the end by group BY: households, mean, median and total cost
    [GBP], mean import [kWh], average unit cost [p/kWh]."""
    b = t.billing
    imp = t.registers["import_wh"] / 1000.0
    group = t.households[by] if by else pd.Series("all", index=b.index)
    df = pd.DataFrame({"group": group, "cost": b["cost_gbp"], "kwh": imp})
    g = df.groupby("group", observed=True)
    out = pd.DataFrame({
        "households": g.size(),
        "mean_gbp": g["cost"].mean(),
        "median_gbp": g["cost"].median(),
        "total_gbp": g["cost"].sum(),
        "mean_import_kwh": g["kwh"].mean(),
    })
    out["p_per_kwh"] = 100.0 * out["total_gbp"] / g["kwh"].sum().where(g["kwh"].sum() > 0)
    if isinstance(group.dtype, pd.CategoricalDtype):  # in the category order, as other helpers
        out = out.reindex([c for c in group.cat.categories if c in out.index])
    out.index.name = by
    return out


def _phases(t):
    """Default phases of a run: with supply losses, before the first, until the last
    restoration, and after it; otherwise the whole run."""
    end = float(t.dataset("headend_arrivals").shape[0])
    lost = t.events("SUPPLY_LOST")
    back = t.events(list(tables.RESTORE_ALERTS))
    if lost.empty:
        return {"run": (0.0, end)}
    a = float(lost["t_s"].min())
    b = float(back["t_s"].max()) + 1 if not back.empty else end
    return {"before": (0.0, a), "outages": (a, b), "after": (b, end)}


def headend_load(t, phases=None):
    """Head-end load by phase: PHASES maps a name to (start, end) seconds since the run's
    start (default: before the first supply loss, until the last restoration, after).
    Columns: seconds, arrivals, mean and peak rate (1 s and 10 s moving average), accepted,
    dropped, quarantined, excluded, completed, largest queue.  By class: t.headend_classes."""
    he = t.headend(["arrivals", "accepted", "dropped", "quarantined", "excluded", "completed",
                    "queue_max"])
    phases = phases or _phases(t)
    rows = {}
    for name, (a, b) in phases.items():
        s = he.iloc[int(a):int(np.ceil(b))]
        arr = s["arrivals"].to_numpy(np.float64)
        ma = np.convolve(arr, np.ones(10) / 10, mode="valid") if len(arr) >= 10 else arr
        rows[name] = {
            "seconds": len(s), "arrivals": int(arr.sum()),
            "mean_per_s": arr.mean() if len(arr) else 0.0,
            "peak_per_s": arr.max(initial=0), "peak_10s_per_s": ma.max(initial=0),
            **{c: int(s[c].sum()) for c in ("accepted", "dropped", "quarantined", "excluded",
                                            "completed")},
            "queue_max": int(s["queue_max"].to_numpy().max(initial=0)),
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def storm_curves(t, freq="1min"):
    """Outages over time, cumulative, one row per FREQ: premises off (without supply),
    restorations, AD1 alerts sent and delivered, restore alerts sent and delivered, and the
    DNO's known-restored premises (restored, with a restore alert delivered after its last
    restoration: /network/dno/restoration's `known`, counted as it grows)."""
    ev = t.events(["SUPPLY_LOST", *tables.RESTORE_ALERTS, "WAN_ALERT_SENT", "WAN_ALERT_DELIVERED"])
    end = t.start + pd.Timedelta(seconds=float(t.dataset("demand_w").shape[0]) * 60)
    idx = pd.date_range(t.start, end, freq=freq, name="time")

    def cum(mask):
        times = ev.loc[mask, "time"]
        return pd.Series(np.searchsorted(np.sort(times.to_numpy()), idx.to_numpy(), side="right"), index=idx)

    restored = ev["code"].isin(tables.RESTORE_ALERTS)
    alert = ev["name"].isin(["WAN_ALERT_SENT", "WAN_ALERT_DELIVERED"])
    is_ad1 = alert & (ev["value"] == tables.AD1)
    is_rest = alert & ev["value"].isin(tables.RESTORE_ALERTS)
    out = pd.DataFrame(index=idx)
    out["lost"] = cum(ev["name"] == "SUPPLY_LOST")
    out["restored"] = cum(restored)
    out["off"] = out["lost"] - out["restored"]
    out["ad1_sent"] = cum(is_ad1 & (ev["name"] == "WAN_ALERT_SENT"))
    out["ad1_delivered"] = cum(is_ad1 & (ev["name"] == "WAN_ALERT_DELIVERED"))
    out["restore_sent"] = cum(is_rest & (ev["name"] == "WAN_ALERT_SENT"))
    out["restore_delivered"] = cum(is_rest & (ev["name"] == "WAN_ALERT_DELIVERED"))
    view = dno_view(t, ev)
    k = view["known_at"].dropna().sort_values().to_numpy()
    out["dno_known"] = np.searchsorted(k, idx.to_numpy(), side="right")
    return out


def dno_view(t, ev=None):
    """Every premises restored during the run, as the DNO sees it: household, restored_at
    (its last restoration), known_at (the restore alert delivered after it, NaT if none),
    lag_s, and for premises the DNO never heard from, why: "no communications" (traditional
    meter or no route), "SMETS1: logs restorations, sends none", "no alert sent" (the meter
    had not sent it by the end: dither, or supply lost again), "lost: <cause>" (the WAN lost
    it before the cell), "retries exhausted (last: <cause>)", "rejected at head-end: <why>",
    or "in flight at the end"."""
    if ev is None:
        ev = t.events(["SUPPLY_LOST", *tables.RESTORE_ALERTS, "WAN_ALERT_SENT",
                       "WAN_ALERT_DELIVERED"])
    more = t.events(["WAN_LOST", "WAN_RETRY", "HEADEND_REJECTED"])
    restored = ev[ev["code"].isin(tables.RESTORE_ALERTS)].groupby("household")["time"].max()
    cols = ["restored_at", "known_at", "lag_s", "reason"]
    if restored.empty:
        return pd.DataFrame(columns=cols, index=pd.Index([], name="household"))
    view = pd.DataFrame({"restored_at": restored})
    rest = ev["value"].isin(tables.RESTORE_ALERTS)
    dlv = ev[(ev["name"] == "WAN_ALERT_DELIVERED") & rest]
    dlv = dlv.join(restored.rename("r"), on="household")
    dlv = dlv[dlv["time"] >= dlv["r"]].groupby("household")["time"].min()
    view["known_at"] = dlv.reindex(view.index)
    view["lag_s"] = (view["known_at"] - view["restored_at"]).dt.total_seconds()
    sent = ev[(ev["name"] == "WAN_ALERT_SENT") & rest].join(restored.rename("r"), on="household")
    sent = sent[sent["time"] >= sent["r"]].groupby("household")["time"].min()
    hh = t.households.loc[view.index]
    route = (hh["route_end"] if "route_end" in hh else hh["route"]).astype(str)
    gen = (hh["generation_end"] if "generation_end" in hh else hh["generation"]).astype(str)
    reason = pd.Series(np.nan, index=view.index, dtype=object)
    unknown = view["known_at"].isna()
    reason[unknown & sent.reindex(view.index).isna()] = "no alert sent"
    # what happened to the restore alert after it was sent: the last rejection or loss
    after = more.join(sent.rename("sent"), on="household")
    after = after[after["sent"].notna() & (after["time"] >= after["sent"])]
    after = after[after["household"].isin(view.index[unknown])]
    retries = (after["name"] == "WAN_RETRY").groupby(after["household"]).sum()
    lost = after[after["name"] == "WAN_LOST"].groupby("household")["value_text"].last()
    rej = after[after["name"] == "HEADEND_REJECTED"].groupby("household")["value_text"].last()
    max_attempts = _retry_attempts(t)
    sent_unknown = unknown & sent.reindex(view.index).notna()
    reason[sent_unknown] = "in flight at the end"
    exhausted = (retries.reindex(lost.index).fillna(0) + 1 >= max_attempts) if max_attempts else \
        pd.Series(False, index=lost.index)
    reason.loc[lost.index] = np.where(exhausted, "retries exhausted (last: " + lost + ")", "lost: " + lost)
    reason.loc[rej.index] = "rejected at head-end: " + rej
    reason[unknown & (gen == "smets1") & (route == "smets1_operator")] = "SMETS1: logs restorations, sends none"
    reason[unknown & ((route == "none") | (gen == "traditional"))] = "no communications"
    view["reason"] = reason
    view.index.name = "household"
    return view


def _retry_attempts(t):
    try:
        return int(t.scenario["wan"]["retry"]["max_attempts"])
    except (KeyError, TypeError, ValueError, TraceError):
        return None
