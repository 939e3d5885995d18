"""The Python package on small runs: decoded categories, the time index, the helpers against
computations made here directly with h5py and numpy, laziness, and bad input.

Tolerances: sums of integer Wh read two ways agree to 1e-9 relative (float64 summation
order); everything else is compared exactly."""
import os
import shutil
import subprocess
import sys
import unittest

import h5py
import numpy as np
import pandas as pd

from common import BIN, SRC, Traces
import metersim
from metersim import tables

REL = 1e-9


def setUpModule():
    global TR
    TR = Traces("default", "storm", "mix", "regions")


def tearDownModule():
    TR.cleanup()


class Decoding(unittest.TestCase):
    def test_households_categories_decode_the_raw_codes(self):
        for run in ("default", "mix"):
            with metersim.open(TR.path[run]) as t, h5py.File(TR.path[run]) as f:
                raw = f["/households"][:]
                hh = t.households
                self.assertEqual(list(hh.index), list(raw["id"]))
                for col, table in (("wan_tech", tables.WAN_TECH), ("tariff", tables.TARIFF),
                                   ("heating", tables.HEATING), ("dwelling", tables.DWELLING),
                                   ("generation", tables.GENERATION), ("route", tables.ROUTE),
                                   ("payment", tables.PAYMENT), ("ev", tables.EV)):
                    src = "prepay" if col == "payment" else col
                    self.assertEqual(list(hh[col].astype(str)), [table[int(c)] for c in raw[src]], col)
                self.assertEqual(list(hh["region_name"].astype(str)),
                                 [tables.DNO_REGIONS[r - 1] for r in raw["region"]])
                self.assertEqual(list(hh["dcc_region"].astype(str)),
                                 [tables.DCC_REGION_OF_DNO[r - 1] for r in raw["region"]])
                sup = [s.decode() for s in f["/fleet/suppliers"]["name"]]
                pop = [s.decode() for s in f["/fleet/populations"]["name"]]
                img = [s.decode() for s in f["/fleet/images"]["name"]]
                self.assertEqual(list(hh["supplier"].astype(str)), [sup[i] for i in raw["supplier"]])
                self.assertEqual(list(hh["population"].astype(str)), [pop[i] for i in raw["population"]])
                self.assertEqual(list(hh["image"].astype(str)), [img[i] for i in raw["image"]])
                fin = f["/fleet/final"][:]
                self.assertEqual(list(hh["route_end"].astype(str)), [tables.ROUTE[int(c)] for c in fin[:, 3]])
                self.assertEqual(list(hh["dr_engaged"]), [bool(c) for c in raw["dr_engaged"]])

    def test_licence_areas_chosen_by_name(self):
        # London (2.3M customers) and South Wales (1.1M) share 400 households by largest
        # remainder: 270.6 and 129.4 give 271 and 129, exactly.
        with metersim.open(TR.path["regions"]) as t:
            hh = t.households
            self.assertEqual(hh["region_name"].astype(str).value_counts().to_dict(),
                             {"London": 271, "South Wales": 129})
            self.assertEqual(set(hh.loc[hh.region_name == "London", "dcc_region"]), {"South"})
            self.assertEqual(set(hh.loc[hh.region_name == "South Wales", "dcc_region"]), {"Central"})
            # the demand columns are the run's areas in area order, and add up to the nation's
            # (per minute there, averaged over each settlement period here)
            rd = t.region_demand
            self.assertEqual(list(rd.columns), ["South Wales", "London"])
            national = t.demand.resample("30min").mean()
            self.assertLess((rd.sum(axis=1) - national).abs().max(), 1e-6 * national.abs().max())
            # "DCC Central" hits South Wales only
            lost = t.events(names=["SUPPLY_LOST"])
            self.assertGreater(len(lost), 0)
            self.assertEqual(set(hh.loc[lost.household.unique(), "region_name"].astype(str)), {"South Wales"})

    def test_the_mixed_fleet_has_several_suppliers_and_generations(self):
        with metersim.open(TR.path["mix"]) as t:
            self.assertGreater(t.households["supplier"].nunique(), 1)
            self.assertEqual(t.households["generation"].nunique(), 3)

    def test_events_carry_names_and_decoded_values(self):
        with metersim.open(TR.path["storm"]) as t, h5py.File(TR.path["storm"]) as f:
            ev = t.events()
            raw = f["/events"][:]
            self.assertEqual(len(ev), len(raw))
            self.assertEqual(sorted(ev["code"]), sorted(raw["code"]))
            lost = ev[ev["name"] == "SUPPLY_LOST"]
            self.assertGreater(len(lost), 0)
            self.assertTrue(set(lost["value_text"]) <= set(tables.EVENT_VALUES["SUPPLY_LOST"].values()))
            sent = ev[ev["name"] == "WAN_ALERT_SENT"]
            self.assertIn("AD1", set(sent["value_text"]))
            self.assertIn("SUPPLY_RESTORED_LONG", set(sent["value_text"]))
            only = t.events("SUPPLY_LOST")
            self.assertEqual(len(only), (raw["code"] == tables.EVENT_CODE["SUPPLY_LOST"]).sum())

    def test_meta_and_scenario_are_dicts_of_the_run(self):
        with metersim.open(TR.path["storm"]) as t:
            self.assertEqual(t.meta["households"], 1000)
            self.assertEqual(t.scenario["households"], 1000)
            self.assertEqual(t.scenario["name"], t.meta["scenario_name"])
            self.assertIs(t.scenario["storm"]["enabled"], True)
            self.assertEqual(t.scenario["meter"]["restore_dither"], "5 min")
            self.assertEqual(t.scenario["fleet"]["populations"][0]["name"], "smets2")


class Time(unittest.TestCase):
    def test_series_carry_a_utc_index_from_the_start(self):
        with metersim.open(TR.path["default"]) as t, h5py.File(TR.path["default"]) as f:
            start = pd.Timestamp(f["/meta"].attrs["sim_start"])
            hh = t.halfhourly()
            self.assertEqual(str(hh.index.tz), "UTC")
            self.assertEqual(hh.index[0], start)
            self.assertEqual(hh.index[1] - hh.index[0], pd.Timedelta(minutes=30))
            self.assertEqual(len(hh), f["/meter/halfhourly/import_wh"].shape[1])
            self.assertEqual(hh.index[-1] + pd.Timedelta(minutes=30), pd.Timestamp(f["/meta"].attrs["sim_end"]))
            d = t.demand
            self.assertEqual(d.index[1] - d.index[0], pd.Timedelta(minutes=1))
            self.assertEqual(len(t.headend("arrivals")), f["/network/headend/arrivals"].shape[0])
            self.assertEqual(len(t.prices), f["/grid/price_p_kwh"].shape[0])

    def test_a_window_reads_only_its_periods_and_households(self):
        with metersim.open(TR.path["default"]) as t, h5py.File(TR.path["default"]) as f:
            w = t.halfhourly("import_wh", households=[5, 3, 7], start="2026-01-14 16:00", end="2026-01-14 19:00")
            self.assertEqual(list(w.columns), [3, 5, 7])
            self.assertEqual(len(w), 6)
            raw = f["/meter/halfhourly/import_wh"][[3, 5, 7], 32:38]
            self.assertTrue((w.to_numpy().T == raw).all())


class Lazy(unittest.TestCase):
    def test_open_and_households_do_not_read_the_channels(self):
        read = []
        orig = metersim.Trace.read

        def spy(self, key, sel=()):
            read.append(key)
            return orig(self, key, sel)

        metersim.Trace.read = spy
        try:
            with metersim.open(TR.path["mix"]) as t:
                self.assertEqual(read, [])
                t.households
                self.assertFalse({"import_wh", "export_wh", "gas_wh", "events", "demand_w"} & set(read), read)
                read.clear()
                t.halfhourly(households=[1])
                self.assertEqual(read, ["import_wh"])
        finally:
            metersim.Trace.read = orig


class Helpers(unittest.TestCase):
    def test_window_energy_matches_a_direct_sum(self):
        with metersim.open(TR.path["default"]) as t, h5py.File(TR.path["default"]) as f:
            imp = f["/meter/halfhourly/import_wh"][:].astype(np.int64)
            gen = f["/households"]["generation"]
            we = metersim.window_energy(t, "16:00", "19:00", by="generation")
            start = pd.Timestamp(f["/meta"].attrs["sim_start"])
            self.assertEqual((start.hour, start.minute), (0, 0))
            inside = np.array([32 <= p % 48 < 38 for p in range(imp.shape[1])])  # 16:00-19:00 UTC
            for code, name in tables.GENERATION.items():
                rows = gen == code
                if not rows.any():
                    continue
                total, window = imp[rows].sum(), imp[rows][:, inside].sum()
                self.assertAlmostEqual(we.at[name, "total_kwh"], total / 1000, delta=REL * total)
                self.assertAlmostEqual(we.at[name, "window_kwh"], window / 1000, delta=REL * total)
                self.assertAlmostEqual(we.at[name, "share"], window / total, delta=REL)
                self.assertEqual(we.at[name, "households"], rows.sum())

    def test_peak_is_the_highest_half_hour_of_the_average_day(self):
        with metersim.open(TR.path["default"]) as t, h5py.File(TR.path["default"]) as f:
            imp = f["/meter/halfhourly/import_wh"][:].astype(np.float64)
            day = (imp.sum(axis=0) * 2 / 1000 / imp.shape[0]).reshape(-1, 48).mean(axis=0)
            pr = metersim.peak_rebound(t)
            self.assertAlmostEqual(pr.at["all", "peak_kw"], day.max(), delta=REL * day.max())
            p = int(day.argmax())
            self.assertEqual(pr.at["all", "peak_at"], f"{p // 2:02d}:{30 * (p % 2):02d}")
            self.assertAlmostEqual(pr.at["all", "rebound_kw"], day[38:44].max(), delta=REL)
            self.assertAlmostEqual(pr.at["all", "before_kw"], day[26:32].mean(), delta=REL)

    def test_bills_match_the_firmware_bills(self):
        with metersim.open(TR.path["mix"]) as t, h5py.File(TR.path["mix"]) as f:
            cost = f["/meter/billing/final"][:, 0] * 1e-10  # 1e-8 p -> GBP
            tariff = f["/households"]["tariff"]
            b = metersim.bills(t, by="tariff")
            for code in np.unique(tariff):
                name = tables.TARIFF[int(code)]
                self.assertAlmostEqual(b.at[name, "mean_gbp"], cost[tariff == code].mean(), delta=1e-9)
                self.assertEqual(b.at[name, "households"], (tariff == code).sum())

    def test_headend_load_by_phase_adds_up_to_the_series(self):
        with metersim.open(TR.path["storm"]) as t, h5py.File(TR.path["storm"]) as f:
            hl = metersim.headend_load(t)
            self.assertEqual(list(hl.index), ["before", "outages", "after"])
            self.assertEqual(hl["arrivals"].sum(), f["/network/headend/arrivals"][:].sum())
            self.assertEqual(hl["seconds"].sum(), f["/network/headend/arrivals"].shape[0])
            cls = t.headend_classes
            self.assertEqual(cls.at["total", "offered"], f["/network/headend/class_stats"][-1, 0])

    def test_storm_and_dno_view_agree_with_the_simulators_own_count(self):
        with metersim.open(TR.path["storm"]) as t, h5py.File(TR.path["storm"]) as f:
            dno = dict(zip(f["/network/dno/restoration"].attrs["columns"].split(","),
                           f["/network/dno/restoration"][0]))
            self.assertGreater(dno["restored"], 0)
            view = metersim.dno_view(t)
            self.assertEqual(len(view), dno["restored"])
            self.assertEqual(view["known_at"].notna().sum(), dno["known"])
            self.assertTrue(view.loc[view["known_at"].isna(), "reason"].notna().all())
            self.assertTrue(view.loc[view["known_at"].notna(), "reason"].isna().all())
            sc = metersim.storm_curves(t)
            self.assertEqual(sc["dno_known"].iloc[-1], dno["known"])
            ev = f["/events"][:]
            self.assertEqual(sc["lost"].iloc[-1], (ev["code"] == tables.EVENT_CODE["SUPPLY_LOST"]).sum())
            self.assertEqual(sc["restored"].iloc[-1], np.isin(ev["code"], tables.RESTORE_ALERTS).sum())
            # a traditional meter's restoration can only be unknown, for want of communications
            hh = t.households
            trad = view.index[hh.loc[view.index, "generation"].astype(str) == "traditional"]
            self.assertTrue((view.loc[trad, "reason"] == "no communications").all())


class SilentPremises(unittest.TestCase):
    """dno_view's reasons on a copy of the storm trace whose /events are edited by hand: five
    premises the DNO knew restored lose their delivered restore alert, each in its own way."""

    def test_each_way_of_never_arriving_is_named(self):
        path = os.path.join(TR.dir.name, "edited.h5")
        shutil.copy(TR.path["storm"], path)
        C = tables.EVENT_CODE
        with h5py.File(path, "a") as f:
            ev = f["/events"][:]
            rest = np.isin(ev["value"], tables.RESTORE_ALERTS)
            dlv = ev[(ev["code"] == C["WAN_ALERT_DELIVERED"]) & rest]
            known = list(dict.fromkeys(int(h) for h in dlv["household"]))[:5]
            self.assertEqual(len(known), 5)
            drop = np.isin(ev["household"], known) & (ev["code"] == C["WAN_ALERT_DELIVERED"]) & rest
            drop |= (ev["household"] == known[3]) & (ev["code"] == C["WAN_ALERT_SENT"]) & rest
            sent_t = {int(r["household"]): float(r["t_s"]) for r in
                      ev[(ev["code"] == C["WAN_ALERT_SENT"]) & rest][::-1]}
            add = [(sent_t[known[0]] + 1, known[0], C["WAN_LOST"], 1),
                   (sent_t[known[1]] + 1, known[1], C["HEADEND_REJECTED"], 1)]
            add += [(sent_t[known[2]] + 30 * k, known[2], C["WAN_RETRY"], k) for k in range(1, 5)]
            add += [(sent_t[known[2]] + 30 * k + 1, known[2], C["WAN_LOST"], 4) for k in range(0, 5)]
            new = np.concatenate([ev[~drop], np.array(add, dtype=ev.dtype)])
            del f["/events"]
            f.create_dataset("/events", data=new)
        with metersim.open(path) as t:
            self.assertEqual(t.scenario["wan"]["retry"]["max_attempts"], 5)
            reason = metersim.dno_view(t)["reason"]
        self.assertEqual(reason[known[0]], "lost: access link")
        self.assertEqual(reason[known[1]], "rejected at head-end: queue full")
        self.assertEqual(reason[known[2]], "retries exhausted (last: site dark)")
        self.assertEqual(reason[known[3]], "no alert sent")
        self.assertEqual(reason[known[4]], "in flight at the end")


class BadInput(unittest.TestCase):
    def setUp(self):
        self.dir = os.path.join(TR.dir.name, self.id().rsplit(".", 1)[-1])
        os.makedirs(self.dir)

    def expect(self, path, words):
        with self.assertRaises(metersim.TraceError) as cm:
            with metersim.open(path) as t:
                t.households, t.halfhourly(), t.events()
        self.assertTrue(str(cm.exception).startswith(path), str(cm.exception))
        self.assertIn(words, str(cm.exception))
        r = subprocess.run([sys.executable, "-m", "metersim.report", path, "-o", os.path.join(self.dir, "r")],
                           capture_output=True, text=True, env={**os.environ, "PYTHONPATH": os.path.join(SRC, "analysis")})
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertEqual(len(r.stderr.strip().splitlines()), 1, r.stderr)
        self.assertNotIn("Traceback", r.stderr)
        self.assertIn(path, r.stderr)

    def test_missing_file(self):
        self.expect(os.path.join(self.dir, "none.h5"), "no such file")

    def test_not_hdf5(self):
        p = os.path.join(self.dir, "text.h5")
        with open(p, "w") as f:
            f.write("not a trace\n")
        self.expect(p, "not a readable HDF5 file")

    def test_truncated(self):
        p = os.path.join(self.dir, "cut.h5")
        with open(TR.path["default"], "rb") as f, open(p, "wb") as g:
            g.write(f.read(6000))
        self.expect(p, "truncated")

    def test_hdf5_that_is_not_a_trace(self):
        p = os.path.join(self.dir, "other.h5")
        with h5py.File(p, "w") as f:
            f["x"] = np.arange(3)
        self.expect(p, "not a metersim trace")

    def test_missing_dataset(self):
        p = os.path.join(self.dir, "nochannel.h5")
        shutil.copy(TR.path["default"], p)
        with h5py.File(p, "a") as f:
            del f["/meter/halfhourly/import_wh"]
        self.expect(p, "missing dataset /meter/halfhourly/import_wh")

    def test_damaged_data(self):
        p = os.path.join(self.dir, "damaged.h5")
        shutil.copy(TR.path["default"], p)
        with h5py.File(p, "r") as f:
            off = f["/meter/halfhourly/import_wh"].id.get_chunk_info(0).byte_offset
        with open(p, "r+b") as g:
            g.seek(off)
            g.write(b"\xff" * 64)  # a compressed chunk that no longer inflates
        self.expect(p, "damaged trace")

    def test_report_refuses_a_directory_it_did_not_make(self):
        mine = os.path.join(self.dir, "mine")
        os.makedirs(mine)
        with open(os.path.join(mine, "thesis.tex"), "w") as f:
            f.write("precious\n")
        r = subprocess.run([BIN, "report", TR.path["default"], "-o", mine], capture_output=True, text=True)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("not a metersim report directory", r.stderr)
        self.assertEqual(os.listdir(mine), ["thesis.tex"])
        r = subprocess.run([BIN, "report", TR.path["default"]], capture_output=True, text=True)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertEqual(len(r.stderr.strip().splitlines()), 1, r.stderr)

    def test_report_says_what_is_missing_when_python_cannot_run_it(self):
        # a package whose report needs a module Debian's python3 does not have
        fake = os.path.join(self.dir, "analysis")
        os.makedirs(os.path.join(fake, "metersim"))
        open(os.path.join(fake, "metersim", "__init__.py"), "w").close()
        with open(os.path.join(fake, "metersim", "report.py"), "w") as f:
            f.write("import no_such_module_for_metersim\n")
        out = os.path.join(self.dir, "r")
        r = subprocess.run([BIN, "report", TR.path["default"], "-o", out], capture_output=True, text=True,
                           env={**os.environ, "METERSIM_ANALYSIS_DIR": fake})
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertEqual(r.stderr.strip().splitlines(),
                         ["metersim report: the Python module no_such_module_for_metersim is missing: "
                          "install Debian's python3-no_such_module_for_metersim (scripts/install-deps.sh)"])
        r = subprocess.run([BIN, "report", TR.path["default"], "-o", out], capture_output=True, text=True,
                           env={**os.environ, "METERSIM_ANALYSIS_DIR": self.dir})
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("cannot find the Python package analysis/metersim", r.stderr)
        self.assertFalse(os.path.exists(out))


if __name__ == "__main__":
    unittest.main()
