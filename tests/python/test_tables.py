"""metersim.tables against the C sources it mirrors, so the two cannot drift apart: every
code, name and value meaning is parsed from the header or table named in tables.py."""
import os
import re
import unittest

from common import SRC
from metersim import tables


def source(rel):
    with open(os.path.join(SRC, rel), encoding="utf-8") as f:
        return f.read()


def x_rows(text, macro):
    """The X(...) rows of #define MACRO(X) as lists of raw argument texts."""
    body = re.search(r"#define\s+" + macro + r"\(X\)(.*?)(?:\n\s*\n|\n#|\ntypedef)", text, re.S).group(1)
    body = body.replace("\\\n", " ")
    rows = []
    for m in re.finditer(r"\bX\(", body):
        depth, i, start, args = 1, m.end(), m.end(), []
        in_str = False
        while depth:
            c = body[i]
            if c == '"' and body[i - 1] != "\\":
                in_str = not in_str
            elif not in_str and c == "(":
                depth += 1
            elif not in_str and c == ")":
                depth -= 1
            if not in_str and (c == "," and depth == 1 or depth == 0):
                args.append(body[start:i].strip())
                start = i + 1
            i += 1
        rows.append(args)
    return rows


def c_string(arg):
    """The value of adjacent C string literals."""
    return "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', arg))


def c_int(arg):
    return int(arg.rstrip("uU"), 0)


class Tables(unittest.TestCase):
    def test_event_codes_and_names_match_sim_events_h(self):
        rows = x_rows(source("sim/core/include/sim/events.h"), "SIM_EVENT_MAP")
        self.assertEqual({c_int(r[1]): r[0] for r in rows}, tables.EVENTS)

    def test_event_values_match_the_value_texts_of_sim_events_h(self):
        rows = {r[0]: c_string(r[2]) for r in x_rows(source("sim/core/include/sim/events.h"), "SIM_EVENT_MAP")}
        self.assertTrue(tables.EVENT_VALUES)
        for name, values in tables.EVENT_VALUES.items():
            text = rows[name]
            for v, meaning in values.items():
                self.assertRegex(text, rf"\b{v} {re.escape(meaning)}", f"{name} value {v}")
            # and nothing in the header's list is missing here
            self.assertEqual(len(re.findall(r"\b\d+ [A-Za-z]", text)), len(values), name)

    def test_alert_codes_match_mm_alerts_h(self):
        rows = x_rows(source("models/meter/include/mm/alerts.h"), "MM_ALERT_MAP")
        want = {c_int(r[1]): r[0] for r in rows}
        want[int(re.search(r"SIM_ALERT_AD1\s+(0x[0-9A-Fa-f]+)",
                           source("sim/core/include/sim/events.h")).group(1), 16)] = "AD1"
        self.assertEqual(want, tables.ALERTS)

    def test_wan_technologies_match_net_wantech_h(self):
        rows = x_rows(source("models/network/include/net/wantech.h"), "NET_WT_TECH_MAP")
        got = {k: v for k, v in tables.WAN_TECH.items() if k < 254}
        self.assertEqual({i: c_string(r[1]) for i, r in enumerate(rows)}, got)
        collect = source("sim/collect.c")
        self.assertIn("wan_tech = 254", collect.replace("row->", ""))
        self.assertRegex(collect, r"wt_on \? a->wt\[i\]\.tech : 255")

    def test_dno_and_dcc_regions_match_sim_regions_c(self):
        pairs = re.findall(r'\{"([^"]+)", SIM_DCC_(NORTH|CENTRAL|SOUTH)\}', source("sim/core/regions.c"))
        self.assertEqual(tuple(n for n, _ in pairs), tables.DNO_REGIONS)
        self.assertEqual(tuple(d.capitalize() for _, d in pairs), tables.DCC_REGION_OF_DNO)

    def test_tariffs_and_generations_match_the_scenario_keys(self):
        keys = source("sim/scenario/keys.c")
        enum = re.search(r"typedef enum sim_tariff \{(.*?)\}", source("sim/scenario.h"), re.S).group(1)
        order = re.findall(r"SIM_TARIFF_(\w+)", enum)
        names = dict(re.findall(r'\[SIM_TARIFF_(\w+)\] = "(\w+)"', keys))
        self.assertEqual({i: names[o] for i, o in enumerate(order)},
                         {k: v for k, v in tables.TARIFF.items() if k < 255})
        enum = re.search(r"typedef enum sim_generation \{(.*?)\}", source("sim/scenario.h"), re.S).group(1)
        order = re.findall(r"SIM_GEN_(\w+)", enum)
        names = dict(re.findall(r'\[SIM_GEN_(\w+)\] = "(\w+)"', keys))
        self.assertEqual({i: names[o] for i, o in enumerate(order)}, tables.GENERATION)

    def test_routes_heating_and_dwelling_match_their_enums(self):
        enum = re.search(r"typedef enum sim_route \{(.*?)\}", source("sim/fleet.h"), re.S).group(1)
        self.assertEqual(len(re.findall(r"SIM_ROUTE_\w+", enum)), len(tables.ROUTE))
        self.assertEqual(re.findall(r"SIM_ROUTE_(\w+)", enum), ["NONE", "DCC", "SMSO", "DCC_S1"])
        heat = dict((int(v), n) for n, v in re.findall(r"GRID_HEAT_(\w+) = (\d+)",
                                                      source("models/grid/include/grid/load.h")))
        self.assertEqual({k: heat[k] for k in heat},
                         {k: {"heat_pump": "HP"}.get(v, v).upper() for k, v in tables.HEATING.items()})
        dw = re.search(r"typedef enum grid_dwelling \{ GRID_HOUSE = 0, GRID_FLAT = 1 \}",
                       source("models/grid/include/grid/topology.h"))
        self.assertIsNotNone(dw)
        self.assertEqual((tables.DWELLING[0], tables.DWELLING[1]), ("house", "flat"))
        self.assertIn("#define GRID_DWELLING_UNKNOWN 0xFF", source("models/grid/include/grid/load.h"))


if __name__ == "__main__":
    unittest.main()
