"""Read and check ofbackup packages against docs/FORMAT.md (format version 1)."""

import hashlib
import json
import math
import re
import struct
import zipfile
import zlib
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

QUOTED = {"char", "varchar", "text", "date", "time", "timestamp", "timestamptz", "uuid",
          "other"}
UNQUOTED = {"boolean", "smallint", "integer", "bigint", "decimal", "real", "double",
            "binary", "varbinary", "blob"}
TEMPORAL = {"date", "time", "timestamp", "timestamptz"}
ID_RE = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}$")


class Problems(list):
    """Collects problems; a check passes when none were found."""

    def add(self, msg):
        self.append(msg)

    def summary(self, limit=4):
        more = "" if len(self) <= limit else " (+%d more)" % (len(self) - limit)
        return "; ".join(self[:limit]) + more


def short(v, n=60):
    r = repr(v)
    return r if len(r) <= n else r[:n] + "...(%d chars)" % len(r)


# ------------------------------------------------------------------ CSV

class CsvError(Exception):
    pass


_UNQ = re.compile(r'[^,\n"]*')


def parse_csv(text):
    """Records of (value, was_quoted) fields, per FORMAT.md's CSV rules."""
    records = []
    i, n = 0, len(text)
    rec = []
    while i < n:
        if text[i] == '"':
            parts = []
            j = i + 1
            while True:
                k = text.find('"', j)
                if k < 0:
                    raise CsvError("unterminated quoted field at offset %d" % i)
                parts.append(text[j:k])
                if k + 1 < n and text[k + 1] == '"':
                    parts.append('"')
                    j = k + 2
                    continue
                i = k + 1
                break
            rec.append(("".join(parts), True))
        else:
            m = _UNQ.match(text, i)
            val = m.group(0)
            if "\r" in val:
                raise CsvError("CR in an unquoted field at offset %d" % i)
            rec.append((val, False))
            i = m.end()
        if i >= n:
            raise CsvError("last record does not end with a newline")
        c = text[i]
        if c == ",":
            i += 1
            if i >= n:
                raise CsvError("file ends after a comma")
        elif c == "\n":
            records.append(rec)
            rec = []
            i += 1
        else:
            raise CsvError("unexpected %r after a field at offset %d" % (c, i))
    return records


# ------------------------------------------------------------------ canonical values

_TIME_RE = re.compile(r"^(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$")
_TS_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?"
                    r"(?:\s*(Z|[+-]\d{2}(?::?\d{2})?))?$")
_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def _frac(s):
    return Decimal("0." + s) if s else Decimal(0)


def _offset(s):
    if not s or s == "Z":
        return 0
    sign = -1 if s[0] == "-" else 1
    body = s[1:].replace(":", "")
    h, m = int(body[:2]), int(body[2:4] or 0)
    return sign * (h * 60 + m)


def canon_temporal(ptype, text, strict):
    """(kind, fields...) for a date/time text; strict applies FORMAT's exact shapes."""
    if ptype == "date":
        m = _DATE_RE.match(text)
        if not m:
            raise ValueError("not YYYY-MM-DD: %s" % short(text))
        return ("date",) + tuple(int(x) for x in m.groups())
    if ptype == "time":
        m = _TIME_RE.match(text)
        if not m:
            raise ValueError("not HH:MM:SS[.fraction]: %s" % short(text))
        return ("time", int(m[1]), int(m[2]), int(m[3]), _frac(m[4]))
    m = _TS_RE.match(text)
    if not m:
        raise ValueError("not a timestamp: %s" % short(text))
    if strict and ptype == "timestamp" and (m[8] or "T" in text):
        raise ValueError("timestamp not as YYYY-MM-DD HH:MM:SS[.fraction]: %s" % short(text))
    if strict and ptype == "timestamptz" and not m[8]:
        raise ValueError("timestamptz without UTC offset: %s" % short(text))
    y, mo, d, h, mi, s = (int(x) for x in m.groups()[:6])
    frac = _frac(m[7])
    if ptype == "timestamptz":
        base = datetime(y, mo, d, h, mi, s) - timedelta(minutes=_offset(m[8]))
        return ("timestamptz", base.isoformat(), frac)
    return ("timestamp", y, mo, d, h, mi, s, frac)


def _float_key(v, width):
    if math.isnan(v):
        return ("float", "NaN")
    return ("float", struct.pack(">f" if width == 4 else ">d", v))


def shortest_digits(v, width):
    """Significant digits of the shortest text that reads back to v (as float32/64)."""
    if math.isnan(v) or math.isinf(v) or v == 0:
        return 1
    fmt = ">f" if width == 4 else ">d"
    want = struct.pack(fmt, v)
    for p in range(1, 18):
        try:
            if struct.pack(fmt, float("%.*g" % (p, v))) == want:
                return p
        except OverflowError:      # rounded past the largest float32
            continue
    return 17


def sig_digits(text):
    m = re.match(r"^-?(\d*)(?:\.(\d*))?(?:[eE][-+]?\d+)?$", text)
    if not m:
        return 99
    digits = ((m[1] or "") + (m[2] or "")).lstrip("0").rstrip("0")
    return max(len(digits), 1)


def canon_csv(col, text, quoted):
    """The canonical value of one CSV field of column col (from schema.json).
    Raises ValueError when the field breaks FORMAT.md's encoding."""
    t = col.get("type")
    if not quoted and text == "":
        return None
    if t in QUOTED:
        if not quoted:
            raise ValueError("unquoted value %s for type %s" % (short(text), t))
        if t in TEMPORAL:
            return canon_temporal(t, text, strict=True)
        if t == "uuid":
            return ("text", text.lower())
        return ("text", text)
    if quoted:
        raise ValueError("quoted value %s for type %s" % (short(text), t))
    if t == "boolean":
        if text not in ("0", "1"):
            raise ValueError("boolean not 1/0: %s" % short(text))
        return ("int", int(text))
    if t in ("smallint", "integer", "bigint"):
        if not re.match(r"^-?\d+$", text):
            raise ValueError("%s not decimal digits: %s" % (t, short(text)))
        return ("int", int(text))
    if t == "decimal":
        try:
            d = Decimal(text)
        except InvalidOperation:
            raise ValueError("decimal not a number: %s" % short(text))
        return ("dec", "NaN") if d.is_nan() else ("dec", d)
    if t in ("real", "double"):
        width = 4 if t == "real" else 8
        if text in ("NaN", "Infinity", "-Infinity"):
            return _float_key(float(text), width)
        if not re.match(r"^-?\d+(\.\d+)?([eE][-+]?\d+)?$", text) and \
                not re.match(r"^-?\.\d+([eE][-+]?\d+)?$", text):
            raise ValueError("%s not a number: %s" % (t, short(text)))
        v = float(text)
        if width == 4:
            v = struct.unpack(">f", struct.pack(">f", v))[0]
        if sig_digits(text) > shortest_digits(v, width):
            raise ValueError("%s %s is not the shortest round-trip text" % (t, text))
        return _float_key(v, width)
    if t in ("binary", "varbinary", "blob"):
        if not re.match(r"^\\x([0-9a-f]{2})*$", text):
            raise ValueError("%s not \\x + lowercase hex: %s" % (t, short(text)))
        return ("bytes", bytes.fromhex(text[2:]))
    raise ValueError("unknown portable type %r" % t)


def canon_src(col, v):
    """The canonical value of a source value fetched with pyodbc (temporal types as text)."""
    t = col.get("type")
    if v is None:
        return None
    if t in TEMPORAL:
        if not isinstance(v, str):
            v = v.isoformat(sep=" ") if hasattr(v, "hour") and hasattr(v, "year") \
                else v.isoformat()
        return canon_temporal(t, v.strip(), strict=False)
    if t in ("char", "varchar", "text", "other"):
        if isinstance(v, (bytes, bytearray)):
            v = bytes(v).decode("utf-8")
        return ("text", v if isinstance(v, str) else str(v))
    if t == "uuid":
        return ("text", str(v).lower())
    if t == "boolean":
        if isinstance(v, str):
            return ("int", 1 if v.strip().lower() in ("1", "t", "true", "y", "yes") else 0)
        return ("int", 1 if v else 0)
    if t in ("smallint", "integer", "bigint"):
        return ("int", int(v))
    if t == "decimal":
        if isinstance(v, float):
            d = Decimal(repr(v))
        else:
            d = Decimal(str(v).strip())
        return ("dec", "NaN") if d.is_nan() else ("dec", d)
    if t in ("real", "double"):
        return _float_key(float(v), 4 if t == "real" else 8)
    if t in ("binary", "varbinary", "blob"):
        if isinstance(v, str):
            v = v.encode("utf-8")
        return ("bytes", bytes(v))
    raise ValueError("unknown portable type %r" % t)


# ------------------------------------------------------------------ table names

def encode_table(name):
    out = []
    for b in name.encode("utf-8"):
        c = chr(b)
        if b < 128 and (c.isalnum() or c in "_-"):
            out.append(c)
        else:
            out.append("%%%02X" % b)
    return "".join(out)


# ------------------------------------------------------------------ the package

class Package:
    def __init__(self, path):
        self.path = path
        self.zf = zipfile.ZipFile(path)
        self.infos = self.zf.infolist()
        self.names = [i.filename for i in self.infos]
        self.manifest = json.loads(self.zf.read("manifest.json").decode("utf-8"))
        self._cache = {}

    def read(self, name):
        if name not in self._cache:
            self._cache[name] = self.zf.read(name)
        return self._cache[name]

    def json(self, name):
        return json.loads(self.read(name).decode("utf-8"))

    def close(self):
        self.zf.close()


def check_structure(pkg, kind, p):
    """Zip-level checks, manifest fields, entries' sizes and checksums."""
    m = pkg.manifest
    if len(set(pkg.names)) != len(pkg.names):
        p.add("duplicate entry names in the zip")
    if not pkg.names or pkg.names[-1] != "manifest.json":
        p.add("manifest.json is not the last entry")
    for k, want in (("format", "ofbackup-package"), ("format_version", 2), ("kind", kind),
                    ("tool", "ofbackup")):
        if m.get(k) != want:
            p.add("manifest %s = %s, want %s" % (k, short(m.get(k)), short(want)))
    if not isinstance(m.get("tool_version"), str) or not m.get("tool_version"):
        p.add("manifest tool_version missing")
    if not re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$", str(m.get("created"))):
        p.add("manifest created not UTC ISO: %s" % short(m.get("created")))
    if not isinstance(m.get("host"), str) or not m.get("host"):
        p.add("manifest host missing")
    if not isinstance(m.get("clients"), list):
        p.add("manifest clients is not a list")
    if not isinstance(m.get("warnings", []), list):
        p.add("manifest warnings is not a list")
    entries = m.get("entries")
    if not isinstance(entries, list):
        p.add("manifest entries is not a list")
        return
    by_path = {}
    for e in entries:
        if e.get("path") in by_path:
            p.add("entry %s listed twice" % e.get("path"))
        by_path[e.get("path")] = e
    members = set(pkg.names) - {"manifest.json"}
    for name in sorted(members - set(by_path)):
        p.add("zip member %s missing from manifest entries" % name)
    for name in sorted(set(by_path) - members):
        p.add("manifest entry %s not in the zip" % name)
    for info in pkg.infos:
        name = info.filename
        if name == "manifest.json" or name not in by_path:
            continue
        e = by_path[name]
        if any(ord(ch) > 127 for ch in name) and not info.flag_bits & 0x800:
            p.add("%s: non-ASCII name without the UTF-8 flag" % name)
        if name.endswith("/"):
            if e.get("type") != "dir":
                p.add("%s: directory entry without type dir" % name)
            continue
        data = pkg.read(name)
        if e.get("size") != len(data) or info.file_size != len(data):
            p.add("%s: size %s in manifest, %d in zip" % (name, e.get("size"), len(data)))
        if e.get("sha256") != hashlib.sha256(data).hexdigest():
            p.add("%s: sha256 mismatch" % name)
        if info.compress_type not in (zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED):
            p.add("%s: compression method %d, want deflate" % (name, info.compress_type))
        elif info.compress_type == zipfile.ZIP_STORED and len(data) > 1024 and \
                len(zlib.compress(data, 1)) < len(data) * 0.9:
            # Storing is fine where deflate gains nothing (tiny or random data).
            p.add("%s: stored although deflate would shrink it" % name)
        if "/data/" in name and name.endswith(".csv") and "rows" not in e:
            p.add("%s: table data entry without rows" % name)
    return by_path


def layout_problems(pkg, kind, client_ids, p):
    """Every member has a place in FORMAT.md's layout; login/ only for full/partial."""
    allowed = [re.compile(r"^manifest\.json$")]
    if kind != "export":
        allowed += [re.compile(r"^login/$"), re.compile(r"^login/data/$"),
                    re.compile(r"^login/schema\.json$"),
                    re.compile(r"^login/data/[A-Za-z0-9_%-]+(~\d+)?\.csv$")]
    for cid in client_ids:
        c = re.escape(cid)
        allowed += [re.compile(r"^clients/$"), re.compile(r"^clients/%s/$" % c),
                    re.compile(r"^clients/%s/db/$" % c), re.compile(r"^clients/%s/db/data/$" % c),
                    re.compile(r"^clients/%s/db/schema\.json$" % c),
                    re.compile(r"^clients/%s/db/data/[A-Za-z0-9_%%-]+(~\d+)?\.csv$" % c),
                    re.compile(r"^clients/%s/files/.*$" % c)]
    for name in pkg.names:
        if not any(r.match(name) for r in allowed):
            p.add("unexpected member %s" % name)
        if name.startswith("/") or "\\" in name or "/../" in "/" + name or "//" in name:
            p.add("unsafe member name %s" % name)
    if kind == "export" and any(n.startswith("login/") for n in pkg.names):
        p.add("export has a login/ folder")
    if kind != "export" and "login/schema.json" not in pkg.names:
        p.add("login/schema.json missing")
    for cid in client_ids:
        if "clients/%s/db/schema.json" % cid not in pkg.names:
            p.add("clients/%s/db/schema.json missing" % cid)


# ------------------------------------------------------------------ database checks

def fetch_source(engine, cn, table, columns, pk):
    exprs = [engine.text_expr(c["name"]) if c.get("type") in TEMPORAL else engine.q(c["name"])
             for c in columns]
    sql = "SELECT %s FROM %s" % (", ".join(exprs), engine.q(table))
    if pk:
        sql += " ORDER BY " + ", ".join(engine.q(c) for c in pk)
    if engine.name == "sqlite":
        # The SQLite ODBC driver reads doubles with 15 significant digits only: read the
        # source through SQLite's own library, which hands over the stored double exactly.
        import sqlite3
        lite = sqlite3.connect(engine.path)
        try:
            return [tuple(r) for r in lite.execute(sql).fetchall()]
        finally:
            lite.close()
    cur = cn.cursor()
    cur.execute(sql)
    return cur.fetchall()


def sort_key(row):
    return [repr(v) for v in row]


def check_table_data(pkg, engine, cn, t, man_rows, p):
    """The table's CSV decoded per FORMAT.md equals the source rows."""
    name, entry, cols = t.get("name"), t.get("entry"), t.get("columns") or []
    if entry not in pkg.names:
        p.add("%s: entry %s missing" % (name, entry))
        return
    raw = pkg.read(entry)
    if raw.startswith(b"\xef\xbb\xbf"):
        p.add("%s: CSV starts with a byte-order mark" % name)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        p.add("%s: CSV not UTF-8 (%s)" % (name, e))
        return
    try:
        recs = parse_csv(text)
    except CsvError as e:
        p.add("%s: bad CSV: %s" % (name, e))
        return
    if not recs:
        p.add("%s: CSV has no header" % name)
        return
    header = recs[0]
    want_header = [(c["name"], True) for c in cols]
    if header != want_header:
        p.add("%s: header %s, want %s" % (name, short(header, 120), short(want_header, 120)))
    rows = recs[1:]
    cur = cn.cursor()
    cur.execute("SELECT COUNT(*) FROM %s" % engine.q(name))
    count = int(cur.fetchone()[0])
    if len(rows) != count:
        p.add("%s: %d CSV rows, source has %d" % (name, len(rows), count))
    if man_rows is not None and man_rows != count:
        p.add("%s: manifest rows %s, source has %d" % (name, man_rows, count))
    pk = (t.get("primary_key") or {}).get("columns") or []
    try:
        src = fetch_source(engine, cn, name, cols, pk)
    except Exception as e:  # noqa: BLE001 - report any driver error
        p.add("%s: cannot read source: %s" % (name, e))
        return
    got = []
    bad = 0
    for ri, rec in enumerate(rows):
        if len(rec) != len(cols):
            p.add("%s: CSV row %d has %d fields, want %d" % (name, ri + 1, len(rec), len(cols)))
            bad += 1
            if bad > 3:
                return
            continue
        vals = []
        for c, (text_, quoted) in zip(cols, rec):
            try:
                vals.append(canon_csv(c, text_, quoted))
            except ValueError as e:
                p.add("%s row %d column %s: %s" % (name, ri + 1, c["name"], e))
                vals.append(("error",))
        got.append(vals)
    want = []
    for row in src:
        vals = []
        for c, v in zip(cols, row):
            try:
                vals.append(canon_src(c, v))
            except (ValueError, InvalidOperation) as e:
                vals.append(("source-error", str(e)))
        want.append(vals)
    if not pk:
        got.sort(key=sort_key)
        want.sort(key=sort_key)
    if got == want:
        return
    if len(got) != len(want):
        return  # already reported as a count mismatch
    for ri, (g, w) in enumerate(zip(got, want)):
        for c, gv, wv in zip(cols, g, w):
            if gv != wv and gv != ("error",):
                p.add("%s row %d column %s: package %s, source %s"
                      % (name, ri + 1, c["name"], short(gv), short(wv)))
                if len(p) > 12:
                    return


def check_database(pkg, folder, dbman, engine, p, expect=None):
    """A database folder: schema.json, manifest tables, every table's data."""
    schema_entry = folder + "schema.json"
    if dbman.get("folder") != folder:
        p.add("database folder %s, want %s" % (short(dbman.get("folder")), folder))
    if dbman.get("schema") != schema_entry:
        p.add("database schema %s, want %s" % (short(dbman.get("schema")), schema_entry))
    if dbman.get("engine") != engine.name:
        p.add("engine %s, want %s" % (short(dbman.get("engine")), engine.name))
    for k in ("dbms_name", "dbms_version", "source"):
        if not dbman.get(k):
            p.add("database %s missing" % k)
    if schema_entry not in pkg.names:
        p.add("%s missing" % schema_entry)
        return None
    schema = pkg.json(schema_entry)
    if schema.get("engine") != engine.name:
        p.add("schema engine %s, want %s" % (short(schema.get("engine")), engine.name))
    tables = schema.get("tables") or []
    cn = engine.odbc()
    try:
        src_tables = engine.tables(cn)
        names = [t.get("name") for t in tables]
        if sorted(names) != sorted(src_tables):
            p.add("tables %s, source has %s" % (sorted(names), sorted(src_tables)))
        man_tables = {t.get("name"): t for t in dbman.get("tables") or []}
        if sorted(man_tables) != sorted(names):
            p.add("manifest tables %s, schema.json has %s" % (sorted(man_tables), sorted(names)))
        seen_entries = {}
        for t in tables:
            name, entry = t.get("name"), t.get("entry") or ""
            base = entry[len(folder + "data/"):] if entry.startswith(folder + "data/") else None
            if base is None:
                p.add("%s: entry %s not under %sdata/" % (name, short(entry), folder))
            else:
                m = re.match(r"^(.*?)(~\d+)?\.csv$", base)
                if not m or m[1] != encode_table(name):
                    p.add("%s: entry name %s, want %s.csv" % (name, base, encode_table(name)))
                low = base.lower()
                if low in seen_entries:
                    p.add("%s and %s: entries differ only in case" % (seen_entries[low], name))
                seen_entries[low] = name
            mt = man_tables.get(name) or {}
            if mt and mt.get("entry") != entry:
                p.add("%s: manifest entry %s, schema.json %s" % (name, mt.get("entry"), entry))
            cols = t.get("columns") or []
            if name in src_tables:
                src_cols = engine.columns(cn, name)
                if [c.get("name") for c in cols] != src_cols:
                    p.add("%s: columns %s, source %s" % (name, [c.get("name") for c in cols],
                                                         src_cols))
            for c in cols:
                if c.get("type") not in QUOTED | UNQUOTED:
                    p.add("%s.%s: unknown portable type %s" % (name, c.get("name"),
                                                               short(c.get("type"))))
                if not c.get("native_type"):
                    p.add("%s.%s: native_type missing" % (name, c.get("name")))
            check_table_data(pkg, engine, cn, t, mt.get("rows"), p)
            if len(p) > 20:
                break
        if expect:
            expect(schema, engine, cn, p)
    finally:
        cn.close()
    return schema


def check_files(pkg, prefix, src_root, fman, src_tree, p):
    """clients/<id>/files/: the whole tree, content, checksums, mtimes, empty folders."""
    files, dirs = src_tree
    if fman.get("folder") != prefix:
        p.add("files folder %s, want %s" % (short(fman.get("folder")), prefix))
    if fman.get("source") != src_root:
        p.add("files source %s, want %s" % (short(fman.get("source")), src_root))
    got_files, got_dirs = {}, set()
    for info in pkg.infos:
        n = info.filename
        if not n.startswith(prefix) or n == prefix:
            continue
        rel = n[len(prefix):]
        if rel.endswith("/"):
            got_dirs.add(rel)
        else:
            got_files[rel] = info
    for d in sorted(dirs - got_dirs):
        p.add("folder %s missing" % d)
    for d in sorted(got_dirs - dirs):
        p.add("unexpected folder %s" % d)
    for f in sorted(set(files) - set(got_files)):
        p.add("file %s missing" % f)
    for f in sorted(set(got_files) - set(files)):
        p.add("unexpected file %s" % f)
    entries = {e.get("path"): e for e in pkg.manifest.get("entries") or []}
    for rel, info in got_files.items():
        if rel not in files:
            continue
        sha, mtime_ns, size = files[rel]
        data = pkg.read(prefix + rel)
        if hashlib.sha256(data).hexdigest() != sha or len(data) != size:
            p.add("file %s: content differs" % rel)
        e = entries.get(prefix + rel) or {}
        mt = e.get("mtime")
        m = re.match(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z$", str(mt))
        if not m:
            p.add("file %s: manifest mtime %s not UTC ISO" % (rel, short(mt)))
        else:
            secs = int((datetime.fromisoformat(m[1]) - datetime(1970, 1, 1)).total_seconds())
            frac = (m[2] or "")
            ns = secs * 10**9 + int((frac + "000000000")[:9])
            scale = 10 ** (9 - len(frac))
            if ns != mtime_ns // scale * scale:
                p.add("file %s: manifest mtime %s, file has %d ns" % (rel, mt, mtime_ns))
    if fman.get("files") != len(files):
        p.add("files count %s, want %d" % (fman.get("files"), len(files)))
    if fman.get("bytes") != sum(v[2] for v in files.values()):
        p.add("files bytes %s, want %d" % (fman.get("bytes"), sum(v[2] for v in files.values())))
    if fman.get("folders") not in (len(dirs), len(dirs) + 1):
        p.add("files folders %s, want %d" % (fman.get("folders"), len(dirs)))


def find_secret(pkg, secret, p):
    s = secret.encode()
    with open(pkg.path, "rb") as f:
        if s in f.read():
            p.add("password found in the raw package file")
    for name in pkg.names:
        if not name.endswith("/") and s in pkg.read(name):
            p.add("password found in %s" % name)
