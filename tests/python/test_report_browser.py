"""`metersim report` on two small runs, rendered by headless Chromium (Debian's chromium and
chromium-driver through python3-selenium): the page loads without errors, every image is
displayed with a non-zero natural size, the scenario differences are listed, and the key
numbers on the page equal what h5py reads from the traces here (formatted as the page
rounds them: that rounding is the tolerance).  Exit 77 (ctest: skipped) only when the
browser cannot start."""
import os
import subprocess
import sys

import h5py
import numpy as np

from common import BIN, Traces

SKIP = 77


def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    o = webdriver.ChromeOptions()
    o.binary_location = "/usr/bin/chromium"
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--window-size=1400,1000"):
        o.add_argument(a)
    o.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=o)


def expected(path):
    """The page's key numbers of the trace at PATH, computed here from the file alone."""
    with h5py.File(path, "r") as f:
        imp = f["/meter/halfhourly/import_wh"][:].astype(np.int64)
        n = {"households": str(len(f["/households"])),
             "import_kwh": f"{imp.sum() / 1000:.1f}",
             "peak_demand_kw": f"{f['/grid/demand_w'][:].max() / 1000:.1f}",
             "headend_messages": str(int(f["/network/headend/arrivals"][:].sum())),
             "mean_bill_gbp": f"{f['/meter/billing/final'][:, 0].mean() * 1e-10:.2f}",
             "days": f"{imp.shape[1] / 48:.2f}"}
        d = f["/network/dno/restoration"]
        cols = (d.attrs["columns"].decode() if isinstance(d.attrs["columns"], bytes) else d.attrs["columns"]).split(",")
        row = dict(zip(cols, d[0]))
        if row["restored"] > 0:
            n["dno_restored"] = str(int(row["restored"]))
            n["dno_known"] = str(int(row["known"]))
    return n


def main():
    tr = Traces("agile", "storm")
    fails = []
    try:
        out = os.path.join(tr.dir.name, "report")
        for attempt in (1, 2):  # the second rewrites the report it made
            r = subprocess.run([BIN, "report", tr.path["agile"], tr.path["storm"], "-o", out],
                               capture_output=True, text=True)
            if r.returncode != 0:
                print(f"FAIL: metersim report (run {attempt}) exit {r.returncode}: {r.stderr}")
                return 1
        try:
            d = browser()
        except Exception as e:  # selenium raises its own and OS errors alike
            print(f"SKIP: headless chromium does not start: {str(e).strip().splitlines()[0]}")
            return SKIP
        try:
            d.set_page_load_timeout(60)
            d.get("file://" + os.path.join(out, "index.html"))
            state = d.execute_script("return document.readyState")
            if state != "complete" or "metersim report" not in d.title:
                fails.append(f"page did not load: state {state}, title {d.title!r}")
            imgs = d.execute_script("""
                return Array.from(document.images).map(i => {
                    const r = i.getBoundingClientRect(), s = getComputedStyle(i);
                    return [i.getAttribute('src'), i.complete, i.naturalWidth, i.naturalHeight,
                            r.width, r.height, s.display, s.visibility];
                });""")
            if len(imgs) < 12:
                fails.append(f"only {len(imgs)} images")
            for src, done, nw, nh, w, h, disp, vis in imgs:
                if not (done and nw > 0 and nh > 0 and w > 0 and h > 0 and disp != "none" and vis == "visible"):
                    fails.append(f"image {src} not displayed: complete {done}, natural {nw}x{nh}, box {w}x{h}")
            shown = d.execute_script("""
                const o = {};
                document.querySelectorAll('[data-key]').forEach(e => {
                    o[e.dataset.key + '/' + e.dataset.trace] = e.textContent.trim(); });
                return o;""")
            for k, name in enumerate(("agile", "storm")):
                for key, want in expected(tr.path[name]).items():
                    got = shown.get(f"{key}/{k}")
                    if got != want:
                        fails.append(f"{name}: {key} on the page {got!r}, in the trace {want!r}")
            diffs = d.execute_script(
                "return Array.from(document.querySelectorAll('[data-diff]')).map(e => e.dataset.diff)")
            # every section with the data for it: prices from the first, outages from the second
            srcs = [i[0] for i in imgs]
            for want in ("t0-prices.png", "t1-storm.png", "t1-never.png", "t0-headend.png", "t1-cells.png",
                         "t0-battery.png", "t0-profile-tariff.png", "t0-bills-tariff.png"):
                if not any(x.endswith(want) for x in srcs):
                    fails.append(f"no image {want}")
            for key in ("households", "storm.enabled", "prices.tariff"):
                if key not in diffs:
                    fails.append(f"scenario difference {key} not listed ({diffs})")
            severe = [e for e in d.get_log("browser") if e.get("level") == "SEVERE"]
            if severe:
                fails.append(f"browser errors: {severe}")
            print(f"{len(imgs)} images displayed, {len(shown)} key numbers, {len(diffs)} scenario differences")
        finally:
            d.quit()
    finally:
        tr.cleanup()
    for f in fails:
        print("FAIL:", f)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
