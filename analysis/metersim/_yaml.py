"""A reader for the resolved scenario text metersim writes into /meta scenario_yaml.

That text is generated (sim/scenario: block mappings, block lists of mappings or scalars,
double-quoted or plain scalars, `[]` for an empty list), so this reads that subset and no
more; it keeps quantities with units ("30 GBP", "5 min") as text, exactly as the simulator
wrote them.  Debian's python3-yaml would do, but the package needs only h5py, numpy, pandas
and matplotlib.
"""


class YamlSubsetError(ValueError):
    pass


def _scalar(text):
    s = text.strip()
    if s.startswith('"'):
        if not s.endswith('"') or len(s) < 2:
            raise YamlSubsetError(f"unterminated string {s!r}")
        return s[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    if " #" in s:
        s = s.split(" #", 1)[0].rstrip()
    if s == "[]":
        return []
    if s == "{}":
        return {}
    if s in ("true", "false"):
        return s == "true"
    for conv in (int, float):
        try:
            return conv(s)
        except ValueError:
            pass
    return s


def _lines(text):
    out = []
    for raw in text.splitlines():
        body = raw.lstrip(" ")
        if not body or body.startswith("#"):
            continue
        out.append([len(raw) - len(body), body.rstrip()])
    return out


def _split_key(body, where):
    if body.startswith('"'):
        end = body.find('"', 1)
        key, rest = body[1:end], body[end + 1:]
        if not rest.startswith(":"):
            raise YamlSubsetError(f"line {where}: expected ':' after a quoted key")
        return key, rest[1:]
    if ":" not in body:
        raise YamlSubsetError(f"line {where}: expected 'key: value', got {body!r}")
    key, rest = body.split(":", 1)
    return key.strip(), rest


def _block(lines, i, indent):
    """The node whose lines start at I with INDENT; returns (node, next line)."""
    if lines[i][1].startswith("- ") or lines[i][1] == "-":
        return _list(lines, i, indent)
    return _mapping(lines, i, indent)


def _list(lines, i, indent):
    items = []
    while i < len(lines) and lines[i][0] == indent and lines[i][1].startswith("-"):
        rest = lines[i][1][1:].lstrip(" ")
        if not rest:
            node, i = _block(lines, i + 1, lines[i + 1][0]) if i + 1 < len(lines) else (None, i + 1)
            items.append(node)
        elif ":" in rest and not rest.startswith('"') or rest.startswith('"') and '":' in rest:
            # "- key: value": a mapping whose first entry shares the dash's line
            lines[i] = [indent + 2, rest]
            node, i = _mapping(lines, i, indent + 2)
            items.append(node)
        else:
            items.append(_scalar(rest))
            i += 1
    return items, i


def _mapping(lines, i, indent):
    out = {}
    while i < len(lines) and lines[i][0] == indent and not lines[i][1].startswith("- "):
        key, rest = _split_key(lines[i][1], i + 1)
        i += 1
        if rest.strip():
            out[key] = _scalar(rest)
        elif i < len(lines) and (lines[i][0] > indent or
                                 (lines[i][0] == indent and lines[i][1].startswith("- "))):
            out[key], i = _block(lines, i, lines[i][0])
        else:
            out[key] = None
    return out, i


def parse(text):
    """The scenario text as nested dicts and lists; YamlSubsetError when it is not the subset."""
    lines = _lines(text)
    if not lines:
        return {}
    node, i = _block(lines, 0, lines[0][0])
    if i != len(lines):
        raise YamlSubsetError(f"unexpected indentation near {lines[i][1]!r}")
    return node
