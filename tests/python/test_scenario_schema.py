"""The JSON Schema of scenario files (`metersim validate --schema`) against the loader it
describes: it is a valid draft 2020-12 schema, every shipped scenario (and the resolved text
metersim prints) passes it, and scenarios the loader refuses for a wrong key, value, unit or
type are refused by the schema too.

YAML is read the way yaml-language-server reads it, as YAML 1.2 (core schema): `yes` is a
string, `00:30` and `2026-01-12` are strings, not base-60 numbers or dates as PyYAML's YAML
1.1 resolvers would have them."""
import glob
import json
import os
import re
import subprocess
import tempfile
import unittest

import yaml
from jsonschema import Draft7Validator, Draft202012Validator

from common import BIN, SRC

MODELINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)$")


class Yaml12Loader(yaml.SafeLoader):
    """SafeLoader with the YAML 1.2 core schema's scalars only."""


Yaml12Loader.yaml_implicit_resolvers = {}
for _tag, _rx, _first in [
        ("null", r"~|null|Null|NULL|", "~nN"),
        ("bool", r"true|True|TRUE|false|False|FALSE", "tTfF"),
        ("int", r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+", "-+0123456789"),
        ("float", r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
                  r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)", "-+.0123456789")]:
    Yaml12Loader.add_implicit_resolver("tag:yaml.org,2002:" + _tag, re.compile(f"^(?:{_rx})$"),
                                       list(_first) + ([""] if _tag == "null" else []))


def yaml12(text):
    return yaml.load(text, Loader=Yaml12Loader)


def shipped():
    """Every scenario file in the tree: the shipped ones, the golden one, the test runs'."""
    files = []
    for pattern in ("scenarios/*.yaml", "tests/golden/*.yaml", "tests/sim/data/*.yaml"):
        files += sorted(glob.glob(os.path.join(SRC, pattern)))
    return files


def schema_text():
    return subprocess.run([BIN, "validate", "--schema"], check=True, capture_output=True,
                          text=True).stdout


SCHEMA = json.loads(schema_text())
VALIDATOR = Draft202012Validator(SCHEMA)

# Required keys only; each case adds one mistake.
MINIMAL = "name: t\nduration: 1 d\nhouseholds: 10\n"


def loader_accepts(text):
    """Whether `metersim validate` takes TEXT (exit 0; 2: a scenario error), and its stderr."""
    with tempfile.TemporaryDirectory(prefix="metersim-schema-") as d:
        path = os.path.join(d, "case.yaml")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        r = subprocess.run([BIN, "validate", path], capture_output=True, text=True)
    if r.returncode not in (0, 2):
        raise AssertionError(f"metersim validate exit {r.returncode}: {r.stderr}")
    return r.returncode == 0, r.stderr


def schema_errors(text):
    return [f"{'.'.join(map(str, e.absolute_path)) or '(top)'}: {e.message[:160]}"
            for e in VALIDATOR.iter_errors(yaml12(text))]


def properties(schema, path=""):
    """(dotted path, subschema) of every property of the schema's objects, element tables
    included ("suppliers[].share")."""
    for name, sub in schema.get("properties", {}).items():
        p = f"{path}.{name}" if path else name
        yield p, sub
        yield from properties(sub, p)
        if "items" in sub:
            yield from properties(sub["items"], p + "[]")


# One mistake each: the loader and the schema must both refuse the file, the loader naming
# the key (its message's "key.path:") and the schema the object or value at fault.
INVALID = {
    "unknown top-level key": ("zzz: 1\n", "zzz", ""),
    "unknown nested key": ("wan:\n  uplnk:\n    bandwidth: 2 Mbit/s\n", "wan.uplnk", "wan"),
    "unknown key in an element": ("suppliers:\n  - name: a\n    shair: 5 %\n",
                                  "suppliers[0].shair", "suppliers.0"),
    "wrong enum": ("prices:\n  tariff: cheap\n", "prices.tariff", "prices.tariff"),
    "wrong enum in an element": ("fleet:\n  populations:\n    - name: p\n      generation: smets3\n",
                                 "fleet.populations[0].generation",
                                 "fleet.populations.0.generation"),
    "integer out of range": ("trace:\n  compression: 10\n", "trace.compression", "trace.compression"),
    "region name misspelt": ("storm:\n  regions: \"London, Souht Wales\"\n", "storm.regions",
                             "storm.regions"),
    "negative integer": ("trace:\n  compression: -1\n", "trace.compression", "trace.compression"),
    "integer as a quoted string": ("trace:\n  compression: \"4\"\n", "trace.compression",
                                   "trace.compression"),
    "number out of range": ("load:\n  power_factor: 1.5\n", "load.power_factor",
                            "load.power_factor"),
    "unit of another kind": ("wan:\n  read_window: 4 kW\n", "wan.read_window", "wan.read_window"),
    "unknown unit": ("wan:\n  read_window: 4 hours\n", "wan.read_window", "wan.read_window"),
    "unit missing": ("wan:\n  read_window: 14400\n", "wan.read_window", "wan.read_window"),
    "negative duration": ("wan:\n  uplink:\n    latency: -5 ms\n", "wan.uplink.latency",
                          "wan.uplink.latency"),
    "negative percentage": ("storm:\n  share: -30 %\n", "storm.share", "storm.share"),
    "not a calendar date": ("start: 2026-02-30\n", "start", "start"),
    "not a time of day": ("wan:\n  read_start: \"24:00\"\n", "wan.read_start", "wan.read_start"),
    "yes is not a boolean": ("storm:\n  enabled: yes\n", "storm.enabled", "storm.enabled"),
    "boolean as a quoted string": ("storm:\n  enabled: \"true\"\n", "storm.enabled",
                                   "storm.enabled"),
    "sequence given as a mapping": ("suppliers:\n  name: a\n", "suppliers", "suppliers"),
    "sequence given as a scalar": ("fleet:\n  populations: 5\n", "fleet.populations",
                                   "fleet.populations"),
    "sequence of scalars": ("suppliers: [a, b]\n", "suppliers[0]", "suppliers.0"),
    "empty sequence that needs an element": ("suppliers: []\n", "suppliers", "suppliers"),
    "element missing a required key": ("firmware_campaigns:\n  - name: c\n",
                                       "firmware_campaigns[0].population", "firmware_campaigns.0"),
    "group given as a scalar": ("wan: fast\n", "wan", "wan"),
    "name with a space": ("suppliers:\n  - name: my supplier\n", "suppliers[0].name",
                          "suppliers.0.name"),
    "region out of range": ("storm:\n  regions: \"1, 15\"\n", "storm.regions", "storm.regions"),
    "no region": ("storm:\n  regions:\n", "storm.regions", "storm.regions"),
    "comma after the last household": ("trace:\n  firmware_log: \"0, 17,\"\n",
                                       "trace.firmware_log", "trace.firmware_log"),
    "boolean for a checked string": ("trace:\n  firmware_log: true\n", "trace.firmware_log",
                                     "trace.firmware_log"),
    "sweep of an unknown key": ("sweep:\n  key: wan.nosuch\n  values: [1]\n", "sweep.key", "sweep"),
    "sweep value of another unit": ("sweep:\n  key: wan.read_window\n  values: [2 h, 4 kW]\n",
                                    "wan.read_window", "sweep"),
    "sweep without values": ("sweep:\n  key: seed\n", "sweep", "sweep"),
}

# Valid in odd but accepted spellings: both must take them.
VALID = {
    "quoted unit value": "wan:\n  read_window: \"4 h\"\n",
    "unit without a blank": "wan:\n  read_window: 4h\n",
    "unit alias": "wan:\n  uplink:\n    bandwidth: 2 Mbps\n",
    "minus zero duration": "headend:\n  dno_delay: -0 s\n",
    "exponent": "wan:\n  read_window: 1.44e4 s\n",
    "negative percentage where allowed": "fleet:\n  populations:\n    - name: p\n"
                                         "      prepayment_share: -100 %\n",
    "number for a string key": "description: 5\n",
    "null string key": "weather:\n  csv:\n",
    "empty group": "wan:\n",
    "capitalised boolean": "storm:\n  enabled: TRUE\n",
    "leap day": "start: 2024-02-29\n",
    "date-time on a boundary": "start: 2026-01-12T06:30:00Z\n",
    "one-digit hour": "wan:\n  read_start: 6:30\n",
    "plus sign on an integer": "seed: +5\n",
    "regions with a comma after the last": "storm:\n  regions: 1, 2,\n",
    "one region as a number": "storm:\n  regions: 2\n",
    "no households logged": "trace:\n  firmware_log:\n",
    "sweep": "sweep:\n  key: wan.read_window\n  values: [2 h, 4 h]\n",
}


class ScenarioSchema(unittest.TestCase):
    def test_is_a_valid_draft_2020_12_schema(self):
        self.assertEqual(SCHEMA["$schema"], "https://json-schema.org/draft/2020-12/schema")
        Draft202012Validator.check_schema(SCHEMA)

    def test_reads_the_same_as_draft_07(self):
        """yaml-language-server validates by draft-07's rules: the schema keeps to keywords
        draft-07 has, and no $ref has siblings (draft-07 ignores them)."""
        Draft7Validator.check_schema(SCHEMA)

        def refs_alone(node):
            if isinstance(node, dict):
                self.assertTrue("$ref" not in node or len(node) == 1, node)
                for v in node.values():
                    refs_alone(v)
            elif isinstance(node, list):
                for v in node:
                    refs_alone(v)
        refs_alone(SCHEMA)
        draft7 = Draft7Validator(SCHEMA)
        texts = [MINIMAL + m for m, _, _ in INVALID.values()] + [MINIMAL + v for v in VALID.values()]
        for path in shipped():
            with open(path, encoding="utf-8") as f:
                texts.append(f.read())
        for text in texts:
            doc = yaml12(text)
            self.assertEqual(draft7.is_valid(doc), VALIDATOR.is_valid(doc), text)

    def test_every_shipped_scenario_passes(self):
        files = shipped()
        self.assertGreaterEqual(len(files), 10)
        for path in files:
            with open(path, encoding="utf-8") as f:
                text = f.read()
            with self.subTest(scenario=os.path.relpath(path, SRC)):
                self.assertEqual(schema_errors(text), [])

    def test_shipped_scenarios_name_the_schema_on_their_first_line(self):
        schema_file = os.path.realpath(os.path.join(SRC, "scenarios", "scenario.schema.json"))
        for path in shipped():
            if "/tests/sim/data/" in path:
                continue  # the test runs' own inputs
            with open(path, encoding="utf-8") as f:
                first = f.readline().rstrip("\n")
            with self.subTest(scenario=os.path.relpath(path, SRC)):
                m = MODELINE.match(first)
                self.assertIsNotNone(m, first)
                target = os.path.join(os.path.dirname(path), m.group(1))
                self.assertEqual(os.path.realpath(target), schema_file)

    def test_resolved_text_passes(self):
        """What `metersim validate` prints is a scenario too: every key, sequences in full."""
        for path in shipped():
            r = subprocess.run([BIN, "validate", path], capture_output=True, text=True,
                               cwd=SRC)
            with self.subTest(scenario=os.path.relpath(path, SRC)):
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertEqual(schema_errors(r.stdout), [])

    def test_defaults_pass_their_own_key(self):
        n = 0
        for path, sub in properties(SCHEMA):
            if "default" in sub:
                n += 1
                errors = [e.message for e in Draft202012Validator(sub).iter_errors(sub["default"])]
                self.assertEqual(errors, [], path)
        self.assertGreater(n, 150)

    def test_unit_patterns_take_every_symbol_of_their_kind(self):
        """The description lists the parser's symbols (sim_unit_symbol): each matches with a
        number before it, blanks or none between; other spellings do not."""
        n = 0
        for path, sub in properties(SCHEMA):
            m = re.search(r"\.  [A-Z][a-z ]+ \(([^)]*)\): ", sub.get("description", ""))
            if not m or "pattern" not in sub:
                continue
            n += 1
            pattern = re.compile(sub["pattern"])
            negative = re.search(r": -", sub["description"]) is not None
            for sym in m.group(1).split(", "):
                for text in (f"1 {sym}", f"2.5{sym}", f" .5e1 \t{sym} ", f"+3 {sym}", f"-0 {sym}"):
                    self.assertTrue(pattern.search(text), f"{path}: {text!r}")
                wrong = [f"1 {sym}{sym}", f"{sym}", f"1 x{sym}", f"1 {sym}.", f"1e {sym}",
                         f"0x10 {sym}", f"inf {sym}", f"1 {sym} 1"]
                if sym.swapcase() != sym:
                    wrong.append(f"1 {sym.swapcase()}")
                for text in wrong:
                    self.assertFalse(pattern.search(text), f"{path}: {text!r}")
                self.assertEqual(bool(pattern.search(f"-1 {sym}")), negative, path)
            self.assertFalse(pattern.search("1"), path)
        self.assertGreater(n, 80)

    def test_mistakes_are_refused_by_both(self):
        for what, (mistake, key, where) in INVALID.items():
            text = MINIMAL + mistake
            with self.subTest(mistake=what):
                ok, err = loader_accepts(text)
                self.assertFalse(ok, f"metersim validate took it:\n{text}")
                self.assertIn(f": {key}: ", err)
                errors = schema_errors(text)
                self.assertNotEqual(errors, [], f"the schema took it:\n{text}")
                self.assertTrue(errors[0].startswith(f"{where or '(top)'}: "), errors)

    def test_odd_but_valid_spellings_are_taken_by_both(self):
        for what, extra in VALID.items():
            text = MINIMAL + extra
            with self.subTest(spelling=what):
                ok, err = loader_accepts(text)
                self.assertTrue(ok, err)
                self.assertEqual(schema_errors(text), [])

    def test_extends_stands_in_for_the_required_keys(self):
        with tempfile.TemporaryDirectory(prefix="metersim-schema-") as d:
            with open(os.path.join(d, "base.yaml"), "w", encoding="utf-8") as f:
                f.write(MINIMAL)
            child = "extends: base.yaml\nhouseholds: 20\n"
            path = os.path.join(d, "child.yaml")
            with open(path, "w", encoding="utf-8") as f:
                f.write(child)
            r = subprocess.run([BIN, "validate", path], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(schema_errors(child), [])
        # without extends the same file misses name and duration
        self.assertNotEqual(schema_errors("households: 20\n"), [])

    def test_sweep_takes_its_three_forms(self):
        """{key, values}, and the grid and zip of several keys (their loader is another
        change's: the schema alone is checked here)."""
        axis = "    - key: wan.read_window\n      values: [2 h, 4 h]\n" \
               "    - key: seed\n      values: [1, 2]\n"
        for form in ("grid", "zip"):
            with self.subTest(form=form):
                self.assertEqual(schema_errors(MINIMAL + f"sweep:\n  {form}:\n" + axis), [])
                bad = axis.replace("[1, 2]", "[1, x]")
                self.assertNotEqual(schema_errors(MINIMAL + f"sweep:\n  {form}:\n" + bad), [])
        self.assertNotEqual(schema_errors(MINIMAL + "sweep:\n  grid: []\n"), [])
        self.assertNotEqual(schema_errors(MINIMAL + "sweep:\n  grid:\n" + axis + "  zip: []\n"),
                            [])
        # a name is not swept: it names the run's files
        self.assertNotEqual(schema_errors(MINIMAL + "sweep:\n  key: name\n  values: [a]\n"), [])


if __name__ == "__main__":
    unittest.main()
