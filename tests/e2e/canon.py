"""Canonical, comparable dumps of a live database and of a files tree.

`dump(engine, connect)` reads every table of a database through pyodbc (with the same ODBC
connection strings the installation uses) and returns a `Canon`: per table the schema
facts (columns with nullability, native type and default; primary key; indexes with their
unique flag and column lists; foreign keys -> referenced table/columns and ON DELETE; the
identity column) and the rows, each value normalised per type:

  tag 'i'   integers and booleans (booleans as 0/1)
  tag 'd'   decimals: the exact text the engine gives (scale kept; compare by value with
            `portable()` where an engine pads)
  tag 'f4'  real (float32) as the hex of its IEEE bits, 'f8' double likewise: bit-exact,
            -0.0 differs from 0.0, one canonical NaN
  tag 't'   text exactly as stored (char(n) as the engine returns it), uuids in lowercase,
            dates/times/timestamps as 'YYYY-MM-DD', 'HH:MM:SS.ffffff',
            'YYYY-MM-DD HH:MM:SS.ffffff' (fraction truncated to microseconds)
  tag 'z'   timestamps with a UTC offset, converted to UTC, same text form
  tag 'b'   bytes, exact
  None      NULL

SQLite is typeless: its values are read with their storage class (typeof) and losslessly
(REAL through quote(), which prints the digits needed to read the double back; BLOB through
hex()), because the ODBC driver itself rounds doubles to 15 digits. Text in columns declared
DATE/TIME/TIMESTAMP/DATETIME is normalised like the temporal types above.

`file_tree(root)` is the canonical form of a files folder: relative paths with '/', file
sha256, size and mtime to the second, and every folder (so empty ones count).

`identity_probe()` checks that a fresh INSERT without the identity column gets a value
above the current maximum (inside a transaction that is rolled back).
"""

import hashlib
import os
import re
import struct
import uuid as uuidmod
from collections import Counter
from datetime import date, datetime, time, timedelta
from decimal import Context, Decimal, InvalidOperation

import pyodbc

ENGINES = ("sqlite", "postgresql", "mariadb")
_EXACT = Context(prec=1000)        # decimals are compared without rounding


def engine_of(connect):
    c = connect.lower()
    if "sqlite" in c:
        return "sqlite"
    if "postgres" in c:
        return "postgresql"
    if "maria" in c or "mysql" in c:
        return "mariadb"
    raise ValueError("engine of %r unknown" % connect)


def connect(engine, conn, autocommit=True):
    cn = pyodbc.connect(conn, autocommit=autocommit)
    cur = cn.cursor()
    if engine == "postgresql":
        cur.execute("SET TIME ZONE 'UTC'")
    elif engine == "mariadb":
        cur.execute("SET time_zone = '+00:00'")
    cur.close()
    return cn


def quote_ident(engine, name):
    if engine == "mariadb":
        return "`" + name.replace("`", "``") + "`"
    return '"' + name.replace('"', '""') + '"'


# ------------------------------------------------------------------ value normalisation

_TIME = re.compile(r"^(-?\d{2,3}):(\d{2}):(\d{2})(?:\.(\d*))?$")
_TS = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d*))?)?"
                 r"\s*(Z|[+-]\d{2}(?::?\d{2}(?::?\d{2})?)?)?$")


def _frac6(s):
    return ((s or "")[:6]).ljust(6, "0")


def norm_temporal(text):
    """('t', normalised) or ('z', UTC normalised) for date/time/timestamp text; None when
    the text is none of them."""
    s = text.strip()
    m = _TIME.match(s)
    if m:
        return ("t", "%s:%s:%s.%s" % (m[1], m[2], m[3], _frac6(m[4])))
    m = _TS.match(s)
    if not m:
        return None
    if m[4] is None and m[8] is None:
        return ("t", "%s-%s-%s" % (m[1], m[2], m[3]))
    y, mo, d = int(m[1]), int(m[2]), int(m[3])
    h, mi, sec = (int(m[4] or 0), int(m[5] or 0), int(m[6] or 0))
    frac = _frac6(m[7])
    if m[8] is None:
        return ("t", "%04d-%02d-%02d %02d:%02d:%02d.%s" % (y, mo, d, h, mi, sec, frac))
    off = m[8]
    minutes = 0
    if off != "Z":
        body = off[1:].replace(":", "")
        minutes = int(body[:2]) * 60 + int(body[2:4] or 0)
        if off[0] == "-":
            minutes = -minutes
    try:
        utc = datetime(y, mo, d, h, mi, sec) - timedelta(minutes=minutes)
    except (ValueError, OverflowError):
        return ("z", s)
    return ("z", "%04d-%02d-%02d %02d:%02d:%02d.%s" % (utc.year, utc.month, utc.day, utc.hour,
                                                        utc.minute, utc.second, frac))


def _fbits(v, width):
    v = float(v)
    if v != v:
        return "nan"
    return struct.pack(">f" if width == 4 else ">d", v).hex()


def fval(tagged):
    """The float a 'f4'/'f8' canonical value stands for."""
    tag, h = tagged
    if h == "nan":
        return float("nan")
    return struct.unpack(">f" if tag == "f4" else ">d", bytes.fromhex(h))[0]


def _text(v):
    if isinstance(v, (bytes, bytearray)):
        return bytes(v).decode("utf-8")
    return str(v)


def canon_value(cls, v):
    """Canonical tagged value of a pyodbc value of column class cls (PostgreSQL/MariaDB)."""
    if v is None:
        return None
    if cls == "bool":
        if isinstance(v, str):
            return ("i", 1 if v.strip().lower() in ("1", "t", "true", "y", "yes", "on") else 0)
        return ("i", 1 if v else 0)
    if cls == "int":
        return ("i", int(v))
    if cls == "dec":
        return ("d", str(v) if isinstance(v, Decimal) else str(v).strip())
    if cls == "f4":
        return ("f4", _fbits(v, 4))
    if cls == "f8":
        return ("f8", _fbits(v, 8))
    if cls == "bytes":
        return ("b", bytes(v) if not isinstance(v, str) else v.encode("utf-8"))
    if cls == "uuid":
        return ("t", _text(v).lower())
    if cls == "temporal":
        if isinstance(v, (datetime, date, time)):
            v = v.isoformat(sep=" ") if isinstance(v, datetime) else v.isoformat()
        t = norm_temporal(_text(v))
        return t if t else ("t", _text(v))
    return ("t", _text(v))


def canon_sqlite(storage, text, temporal_decl):
    """Canonical tagged value of a SQLite value read as (typeof, lossless text)."""
    if storage == "null" or text is None:
        return None
    if storage == "integer":
        return ("i", int(text))
    if storage == "real":
        return ("f8", _fbits(float(text), 8))
    if storage == "blob":
        return ("b", bytes.fromhex(text))
    if temporal_decl:
        t = norm_temporal(text)
        if t:
            return t
    return ("t", text)


def show(v, n=70):
    if v is None:
        return "NULL"
    if v[0] in ("f4", "f8"):
        r = repr(fval(v))
    elif v[0] == "b":
        r = "bytes[%d]%s sha256:%s" % (len(v[1]), v[1][:8].hex(),
                                       hashlib.sha256(v[1]).hexdigest()[:12])
    else:
        r = repr(v[1])
    return r if len(r) <= n else r[:n] + "..."


def sort_key(row):
    return tuple((0, "", "") if v is None else (1, v[0], v[1]) for v in row)


# ------------------------------------------------------------------ the dump

class Table:
    def __init__(self, name):
        self.name = name
        self.columns = []        # [{name, nullable, native, default, identity, cls}]
        self.pk = []
        self.indexes = set()     # {(unique, (col, ...))}, the primary key's index excluded
        self.fks = set()         # {((col, ...), ref_table, (ref_col, ...), on_delete)}
        self.identity = None     # column name
        self.autoincrement = None   # SQLite: declared AUTOINCREMENT
        self.rows = []           # sorted tuples of tagged values, in column order

    def colnames(self):
        return [c["name"] for c in self.columns]

    def col(self, name):
        return next((c for c in self.columns if c["name"] == name), None)


class Canon:
    def __init__(self, engine):
        self.engine = engine
        self.tables = {}


def _rule(r):
    r = (r or "").strip().upper()
    return "NO ACTION" if r in ("", "NONE", "RESTRICT", "NO ACTION") else r


def _pg_cls(typname):
    t = typname.lower()
    if t == "bool":
        return "bool"
    if t in ("int2", "int4", "int8", "oid"):
        return "int"
    if t == "numeric":
        return "dec"
    if t == "float4":
        return "f4"
    if t == "float8":
        return "f8"
    if t == "bytea":
        return "bytes"
    if t in ("date", "time", "timetz", "timestamp", "timestamptz"):
        return "temporal"
    if t == "uuid":
        return "uuid"
    return "text"


def _my_cls(data_type):
    t = data_type.lower()
    if t in ("tinyint", "smallint", "mediumint", "int", "integer", "bigint", "year"):
        return "int"
    if t in ("decimal", "numeric"):
        return "dec"
    if t == "float":
        return "f4"
    if t in ("double", "real"):
        return "f8"
    if t in ("binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob", "bit"):
        return "bytes"
    if t in ("date", "time", "datetime", "timestamp"):
        return "temporal"
    if t == "uuid":
        return "uuid"
    return "text"


def _sqlite_tables(cur):
    cur.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name")
    return [(r[0], r[1] or "") for r in cur.fetchall()]


def _schema_sqlite(cur, t, sql):
    cur.execute("SELECT cid, name, type, \"notnull\", dflt_value, pk FROM pragma_table_info(?) "
                "ORDER BY cid", t.name)
    pks = []
    for cid, name, decl, notnull, dflt, pk in cur.fetchall():
        decl = " ".join((decl or "").split())
        t.columns.append({"name": name, "nullable": not int(notnull), "native": decl.upper(),
                          "default": dflt, "identity": False,
                          "temporal": bool(re.search(r"DATE|TIME", decl.upper()))})
        if int(pk):
            pks.append((int(pk), name))
    t.pk = [n for _, n in sorted(pks)]
    if len(t.pk) == 1 and t.col(t.pk[0])["native"] == "INTEGER":
        # INTEGER PRIMARY KEY: an alias of the rowid, handed out on INSERT
        t.identity = t.pk[0]
        t.col(t.identity)["identity"] = True
        t.autoincrement = bool(re.search(r"\bAUTOINCREMENT\b", sql, re.I))
    cur.execute("SELECT name, \"unique\", origin FROM pragma_index_list(?)", t.name)
    for iname, unique, origin in cur.fetchall():
        cur2 = cur.connection.cursor()
        cur2.execute("SELECT name FROM pragma_index_info(?) ORDER BY seqno", iname)
        cols = tuple(r[0] for r in cur2.fetchall())
        cur2.close()
        if None in cols or not cols:
            continue                       # an expression index
        if origin == "pk" or (int(unique) and list(cols) == t.pk):
            continue
        t.indexes.add((bool(int(unique)), cols))
    cur.execute("SELECT id, seq, \"table\", \"from\", \"to\", on_delete "
                "FROM pragma_foreign_key_list(?) ORDER BY id, seq", t.name)
    fks = {}
    for fid, _seq, ref, frm, to, ondel in cur.fetchall():
        f = fks.setdefault(fid, [[], ref, [], _rule(ondel)])
        f[0].append(frm)
        f[2].append(to)
    for cols, ref, refcols, ondel in fks.values():
        t.fks.add((tuple(cols), ref, tuple(refcols), ondel))


def _rows_sqlite(cur, t):
    if not t.columns:
        return
    exprs = []
    for c in t.columns:
        q = quote_ident("sqlite", c["name"])
        exprs.append("typeof(%s)" % q)
        exprs.append("CASE typeof(%s) WHEN 'real' THEN quote(%s) WHEN 'blob' THEN hex(%s) "
                     "ELSE CAST(%s AS TEXT) END" % (q, q, q, q))
    cur.execute("SELECT %s FROM %s" % (", ".join(exprs), quote_ident("sqlite", t.name)))
    temporal = [c["temporal"] for c in t.columns]
    for r in cur.fetchall():
        t.rows.append(tuple(canon_sqlite(r[2 * i], r[2 * i + 1], temporal[i])
                            for i in range(len(t.columns))))


def _pg_tables(cur):
    cur.execute("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') ORDER BY 1")
    return [(r[0], "") for r in cur.fetchall()]


def _pg_attnames(cur, table):
    cur.execute("SELECT a.attnum, a.attname FROM pg_attribute a JOIN pg_class c ON "
                "c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE "
                "n.nspname = current_schema() AND c.relname = ? AND a.attnum > 0 "
                "AND NOT a.attisdropped", table)
    return {int(r[0]): r[1] for r in cur.fetchall()}


def _intlist(text):
    return [int(x) for x in re.findall(r"-?\d+", text or "")]


def _schema_pg(cur, t, _sql):
    cur.execute(
        "SELECT a.attnum, a.attname, format_type(a.atttypid, a.atttypmod), ty.typname, "
        "a.attnotnull, a.attidentity, pg_get_expr(d.adbin, d.adrelid) "
        "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_type ty ON ty.oid = a.atttypid "
        "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
        "WHERE n.nspname = current_schema() AND c.relname = ? AND a.attnum > 0 "
        "AND NOT a.attisdropped ORDER BY a.attnum", t.name)
    num = {}
    for attnum, name, fmt, typname, notnull, ident, dflt in cur.fetchall():
        notnull = str(notnull).lower() in ("1", "true", "t")
        is_ident = (ident or "").strip() in ("a", "d") or \
            (dflt or "").startswith("nextval(")
        num[int(attnum)] = name
        t.columns.append({"name": name, "nullable": not notnull, "native": fmt,
                          "default": None if is_ident else dflt, "identity": is_ident,
                          "cls": _pg_cls(typname)})
        if is_ident and t.identity is None:
            t.identity = name
    cur.execute("SELECT i.indisprimary, i.indisunique, i.indkey::text, i.indexprs IS NOT NULL "
                "FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = current_schema() AND c.relname = ?", t.name)
    idx = cur.fetchall()
    for prim, uniq, keys, expr in idx:
        if str(prim).lower() in ("1", "true", "t"):
            t.pk = [num[k] for k in _intlist(keys)]
    for prim, uniq, keys, expr in idx:
        if str(prim).lower() in ("1", "true", "t") or str(expr).lower() in ("1", "true", "t"):
            continue
        ks = _intlist(keys)
        if 0 in ks:
            continue
        cols = tuple(num[k] for k in ks)
        unique = str(uniq).lower() in ("1", "true", "t")
        if unique and list(cols) == t.pk:
            continue
        t.indexes.add((unique, cols))
    cur.execute("SELECT con.conkey::text, con.confkey::text, fc.relname, con.confdeltype "
                "FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "JOIN pg_class fc ON fc.oid = con.confrelid "
                "WHERE con.contype = 'f' AND n.nspname = current_schema() AND c.relname = ?",
                t.name)
    for conkey, confkey, ref, deltype in cur.fetchall():
        refnum = _pg_attnames(cur.connection.cursor(), ref)
        rule = {"c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}.get(
            (deltype or "").strip(), "NO ACTION")
        t.fks.add((tuple(num[k] for k in _intlist(conkey)), ref,
                   tuple(refnum[k] for k in _intlist(confkey)), rule))


def _my_tables(cur):
    cur.execute("SELECT table_name FROM information_schema.tables WHERE "
                "table_schema = DATABASE() AND table_type = 'BASE TABLE' ORDER BY 1")
    return [(r[0], "") for r in cur.fetchall()]


def _schema_my(cur, t, _sql):
    cur.execute("SELECT column_name, column_type, data_type, is_nullable, column_default, extra "
                "FROM information_schema.columns WHERE table_schema = DATABASE() AND "
                "table_name = ? ORDER BY ordinal_position", t.name)
    for name, ctype, dtype, nullable, dflt, extra in cur.fetchall():
        is_ident = "auto_increment" in (extra or "").lower()
        t.columns.append({"name": name, "nullable": nullable == "YES", "native": ctype,
                          "default": dflt, "identity": is_ident, "cls": _my_cls(dtype)})
        if is_ident:
            t.identity = name
    cur.execute("SELECT index_name, non_unique, column_name FROM information_schema.statistics "
                "WHERE table_schema = DATABASE() AND table_name = ? "
                "ORDER BY index_name, seq_in_index", t.name)
    idx = {}
    for iname, non_unique, col in cur.fetchall():
        idx.setdefault(iname, [int(non_unique) == 0, []])[1].append(col)
    if "PRIMARY" in idx:
        t.pk = idx.pop("PRIMARY")[1]
    for unique, cols in idx.values():
        if None in cols or (unique and cols == t.pk):
            continue
        t.indexes.add((unique, tuple(cols)))
    cur.execute("SELECT k.constraint_name, k.column_name, k.referenced_table_name, "
                "k.referenced_column_name, r.delete_rule FROM "
                "information_schema.key_column_usage k JOIN "
                "information_schema.referential_constraints r ON "
                "r.constraint_schema = k.constraint_schema AND "
                "r.constraint_name = k.constraint_name AND r.table_name = k.table_name "
                "WHERE k.table_schema = DATABASE() AND k.table_name = ? AND "
                "k.referenced_table_name IS NOT NULL ORDER BY k.constraint_name, "
                "k.ordinal_position", t.name)
    fks = {}
    for cname, col, ref, refcol, rule in cur.fetchall():
        f = fks.setdefault(cname, [[], ref, [], _rule(rule)])
        f[0].append(col)
        f[2].append(refcol)
    for cols, ref, refcols, rule in fks.values():
        t.fks.add((tuple(cols), ref, tuple(refcols), rule))


def _rows_typed(cur, engine, t):
    exprs = []
    for c in t.columns:
        q = quote_ident(engine, c["name"])
        if c["cls"] == "temporal":
            q = "CAST(%s AS %s)" % (q, "text" if engine == "postgresql" else "CHAR")
        exprs.append(q)
    cur.execute("SELECT %s FROM %s" % (", ".join(exprs), quote_ident(engine, t.name)))
    classes = [c["cls"] for c in t.columns]
    for r in cur.fetchall():
        t.rows.append(tuple(canon_value(classes[i], r[i]) for i in range(len(classes))))


def dump(engine, conn, rows=True):
    """The Canon of the database conn (an ODBC connection string) of engine."""
    cn = connect(engine, conn)
    try:
        cur = cn.cursor()
        lister, schema = {"sqlite": (_sqlite_tables, _schema_sqlite),
                          "postgresql": (_pg_tables, _schema_pg),
                          "mariadb": (_my_tables, _schema_my)}[engine]
        out = Canon(engine)
        for name, sql in lister(cur):
            t = Table(name)
            schema(cur, t, sql)
            if rows:
                if engine == "sqlite":
                    _rows_sqlite(cur, t)
                else:
                    _rows_typed(cur, engine, t)
                t.rows.sort(key=sort_key)
            out.tables[name] = t
        return out
    finally:
        cn.close()


def table_names(engine, conn):
    cn = connect(engine, conn)
    try:
        return [n for n, _ in {"sqlite": _sqlite_tables, "postgresql": _pg_tables,
                               "mariadb": _my_tables}[engine](cn.cursor())]
    finally:
        cn.close()


# ------------------------------------------------------------------ comparing dumps

def _row_label(t, row):
    if t.pk:
        names = t.colnames()
        return "%s(%s)" % (t.name, ", ".join(
            "%s=%s" % (k, show(row[names.index(k)], 30)) for k in t.pk if k in names))
    return "%s row %s" % (t.name, ", ".join(show(v, 20) for v in row[:3]))


def diff_rows(t_before, t_after, limit=6):
    """Problems between the rows of two tables of the same columns (multiset equality);
    rows with the same primary key are shown column by column."""
    p = []
    if t_before.colnames() != t_after.colnames():
        return ["%s: columns %s, want %s" % (t_before.name, t_after.colnames(),
                                             t_before.colnames())]
    cb, ca = Counter(t_before.rows), Counter(t_after.rows)
    missing = list((cb - ca).elements())
    extra = list((ca - cb).elements())
    if not missing and not extra:
        return p
    names = t_before.colnames()
    pki = [names.index(k) for k in t_before.pk if k in names]
    if pki:
        by_pk = {tuple(r[i] for i in pki): r for r in extra}
        for r in missing:
            key = tuple(r[i] for i in pki)
            other = by_pk.pop(key, None)
            if other is None:
                p.append("%s missing" % _row_label(t_before, r))
                continue
            cols = ["%s %s -> %s" % (names[i], show(r[i]), show(other[i]))
                    for i in range(len(names)) if r[i] != other[i]]
            p.append("%s: %s" % (_row_label(t_before, r), "; ".join(cols)))
        for r in by_pk.values():
            p.append("%s unexpected" % _row_label(t_before, r))
    else:
        p += ["%s missing" % _row_label(t_before, r) for r in missing]
        p += ["%s unexpected" % _row_label(t_before, r) for r in extra]
    if len(t_before.rows) != len(t_after.rows):
        p.insert(0, "%s: %d rows, want %d" % (t_before.name, len(t_after.rows),
                                              len(t_before.rows)))
    return p[:limit] + (["(+%d more)" % (len(p) - limit)] if len(p) > limit else [])


def diff_data(before, after):
    p = []
    for name in sorted(set(before.tables) - set(after.tables)):
        p.append("table %s missing" % name)
    for name in sorted(set(after.tables) - set(before.tables)):
        p.append("unexpected table %s" % name)
    for name in sorted(set(before.tables) & set(after.tables)):
        p += diff_rows(before.tables[name], after.tables[name])
    return p


def diff_schema(before, after, native=False):
    """Problems in columns (order, nullability), primary keys, indexes and foreign keys;
    with native=True also in native column types and defaults (same engine only)."""
    p = []
    if set(before.tables) != set(after.tables):
        p.append("tables %s, want %s" % (sorted(after.tables), sorted(before.tables)))
    for name in sorted(set(before.tables) & set(after.tables)):
        b, a = before.tables[name], after.tables[name]
        if native:
            for cb in b.columns:
                ca = a.col(cb["name"])
                if ca is None:
                    continue
                if cb["native"] != ca["native"]:
                    p.append("%s.%s: type %s, want %s" % (name, cb["name"], ca["native"],
                                                          cb["native"]))
                if cb["default"] != ca["default"]:
                    p.append("%s.%s: default %r, want %r" % (name, cb["name"], ca["default"],
                                                             cb["default"]))
            continue
        if b.colnames() != a.colnames():
            p.append("%s: columns %s, want %s" % (name, a.colnames(), b.colnames()))
        for cb in b.columns:
            ca = a.col(cb["name"])
            if ca is not None and ca["nullable"] != cb["nullable"]:
                p.append("%s.%s: nullable %s, want %s" % (name, cb["name"], ca["nullable"],
                                                          cb["nullable"]))
        if b.pk != a.pk:
            p.append("%s: primary key %s, want %s" % (name, a.pk, b.pk))
        if b.indexes != a.indexes:
            p.append("%s: indexes %s, want %s" % (name, sorted(a.indexes), sorted(b.indexes)))
        if b.fks != a.fks:
            p.append("%s: foreign keys %s, want %s" % (name, sorted(a.fks), sorted(b.fks)))
        if b.identity != a.identity:
            p.append("%s: identity column %s, want %s" % (name, a.identity, b.identity))
        if b.autoincrement != a.autoincrement:
            p.append("%s: AUTOINCREMENT %s, want %s" % (name, a.autoincrement,
                                                        b.autoincrement))
    return p


# ------------------------------------------------------------------ identity

def identity_probe(engine, conn, table, column):
    """None when a fresh INSERT without column gets a value above the table's maximum
    (rolled back afterwards), else the problem. NOT NULL columns are copied from the row
    holding the maximum; a table whose copy would break a unique index is not probed."""
    t = dump(engine, conn, rows=False).tables.get(table)
    if t is None:
        return "table %s missing" % table
    if t.col(column) is None:
        return "%s.%s missing" % (table, column)
    copy = [c["name"] for c in t.columns if c["name"] != column and not c["nullable"]]
    uniq = {c for u, cols in t.indexes if u for c in cols} | \
        ({c for c in t.pk} if t.pk != [column] else set())
    if set(copy) & uniq:
        return None
    cn = connect(engine, conn, autocommit=False)
    q = lambda n: quote_ident(engine, n)  # noqa: E731
    try:
        cur = cn.cursor()
        cur.execute("SELECT MAX(%s), COUNT(*) FROM %s" % (q(column), q(table)))
        mx, n = cur.fetchone()
        try:
            if copy:
                if mx is None:
                    return None
                cur.execute("INSERT INTO %s (%s) SELECT %s FROM %s WHERE %s = ?" % (
                    q(table), ", ".join(map(q, copy)), ", ".join(map(q, copy)), q(table),
                    q(column)), mx)
            elif engine == "mariadb":
                cur.execute("INSERT INTO %s () VALUES ()" % q(table))
            else:
                cur.execute("INSERT INTO %s DEFAULT VALUES" % q(table))
        except pyodbc.Error as e:
            return "%s: INSERT without %s failed: %s" % (table, column,
                                                         " ".join(str(e).split())[:200])
        cur.execute("SELECT MAX(%s), COUNT(*) FROM %s" % (q(column), q(table)))
        mx2, n2 = cur.fetchone()
        if n2 != n + 1 or mx2 is None or (mx is not None and int(mx2) <= int(mx)):
            return ("%s: INSERT without %s gave maximum %s (was %s, rows %s -> %s), want a "
                    "value above the restored maximum" % (table, column, mx2, mx, n, n2))
        return None
    finally:
        try:
            cn.rollback()
        finally:
            cn.close()


# ------------------------------------------------------------------ portable comparison

def _num(v, text=False):
    """A tagged value as a Python number, or None when it is not numeric (text counts only
    with text=True: a number stored as text is not the same value for a number column)."""
    tag, x = v
    if tag == "i":
        return x
    if tag in ("f4", "f8"):
        return fval(v)
    if tag == "d" or (tag == "t" and text):
        try:
            return Decimal(str(x).strip())
        except InvalidOperation:
            return None
    return None


def portable(v, col, target_engine):
    """A comparable key for tagged value v of a column whose package schema is col
    (schema.json), as stored in an engine (target_engine; applied to both sides). With
    target_engine None the key is exact: no allowance for what an engine cannot hold."""
    if v is None:
        return None
    t = col.get("type")
    tag, x = v
    if t == "boolean":
        n = _num(v)
        return ("bool", int(n)) if n is not None and n in (0, 1) else ("not 0/1", tag, x)
    if t in ("smallint", "integer", "bigint"):
        n = _num(v)
        try:
            return ("int", int(n)) if n is not None and n == int(n) else ("not int", tag, x)
        except (OverflowError, ValueError, InvalidOperation):
            return ("not int", tag, x)
    if t == "decimal":
        # SQLite may keep a decimal as text where its affinity allows: the value counts
        n = _num(v, text=True)
        if n is None:
            return ("not a number", tag, x)
        d = n if isinstance(n, Decimal) else Decimal(repr(float(n))) \
            if isinstance(n, float) else Decimal(n)
        if target_engine == "sqlite":
            # SQLite's NUMERIC affinity keeps a decimal as a REAL (a double) when its first
            # 15 significant digits survive: that is what it can promise, compare as doubles.
            return ("dec~double", float(d))
        # normalize() rounds to the context's precision (28 digits by default): not here
        return ("dec", Decimal(0) if d == 0 else d.normalize(_EXACT))
    if t in ("real", "double"):
        n = _num(v)
        if n is None:
            return ("not a number", tag, x)
        f = float(n)
        if f == 0 and target_engine in ("mariadb", "sqlite"):
            f = 0.0        # MariaDB and SQLite do not keep the sign of -0.0
        if t == "real":
            f = struct.unpack(">f", struct.pack(">f", f))[0] if f == f else f
        return ("float", _fbits(f, 8))
    if t in ("binary", "varbinary", "blob"):
        return ("bytes", x) if tag == "b" else ("not bytes", tag, x)
    if t == "date":
        tv = norm_temporal(str(x)) if tag in ("t", "z") else None
        return ("date", tv[1] if tv else x)
    if t == "time":
        tv = norm_temporal(str(x)) if tag in ("t", "z") else None
        return ("time", tv[1] if tv else x)
    if t in ("timestamp", "timestamptz"):
        # a timestamptz is an instant (compared in UTC); text without an offset is taken as
        # UTC (the sessions run in UTC), also where the target has no such type
        tv = norm_temporal(str(x)) if tag in ("t", "z") else None
        return ("ts", tv[1] if tv else x)
    if t == "uuid":
        if tag == "b" and len(x) == 16:
            return ("uuid", str(uuidmod.UUID(bytes=x)))
        return ("uuid", str(x).strip().lower())
    if t == "char":
        # CHAR(n) pads: PostgreSQL returns the padding, MariaDB strips it, SQLite keeps what
        # was stored; compare without trailing blanks
        return ("text", x.rstrip(" ") if tag == "t" else x)
    return ("text", x) if tag == "t" else ("not text", tag, x)


def show_key(k, n=70):
    if k is None:
        return "NULL"
    if len(k) == 3:
        r = "%s: %s" % (k[0], show((k[1], k[2]), n))
    elif k[0] == "float":
        r = repr(struct.unpack(">d", bytes.fromhex(k[1]))[0]) if k[1] != "nan" else "nan"
    elif k[0] == "bytes":
        r = show(("b", k[1]), n)
    else:
        r = repr(k[1])
    return r if len(r) <= n else r[:n] + "..."


# ------------------------------------------------------------------ files

def walk_tree(root):
    """([(relative path with '/', path)] of the files, {relative dir + '/'}) below root."""
    files, dirs = [], set()
    for dirpath, dirnames, filenames in os.walk(root):
        rel = os.path.relpath(dirpath, root)
        if rel != ".":
            dirs.add(rel.replace(os.sep, "/") + "/")
        for fn in filenames:
            p = os.path.join(dirpath, fn)
            files.append((os.path.relpath(p, root).replace(os.sep, "/"), p))
    return files, dirs


def file_tree(root):
    """(files, dirs): {relpath: (sha256, size, mtime in whole seconds)} and {relpath + '/'}.
    None when root does not exist."""
    if not os.path.isdir(root):
        return None
    found, dirs = walk_tree(root)
    files = {}
    for r, p in found:
        st = os.lstat(p)
        h = hashlib.sha256()
        if os.path.islink(p):
            h.update(b"symlink:" + os.readlink(p).encode())
        else:
            with open(p, "rb") as f:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    h.update(chunk)
        files[r] = (h.hexdigest(), st.st_size, int(st.st_mtime))
    return files, dirs


def diff_tree(before, after, limit=6):
    if before is None and after is None:
        return []
    if after is None:
        return ["files folder missing"]
    if before is None:
        return ["files folder exists, want none"]
    (fb, db), (fa, da) = before, after
    p = []
    for r in sorted(set(fb) - set(fa)):
        p.append("file %s missing" % r)
    for r in sorted(set(fa) - set(fb)):
        p.append("unexpected file %s" % r)
    for r in sorted(set(fa) & set(fb)):
        if fa[r][0] != fb[r][0] or fa[r][1] != fb[r][1]:
            p.append("file %s: content differs (%d bytes, want %d)" % (r, fa[r][1], fb[r][1]))
        elif fa[r][2] != fb[r][2]:
            p.append("file %s: mtime %d, want %d" % (r, fa[r][2], fb[r][2]))
    for r in sorted(db - da):
        p.append("folder %s missing" % r)
    for r in sorted(da - db):
        p.append("unexpected folder %s" % r)
    return p[:limit] + (["(+%d more)" % (len(p) - limit)] if len(p) > limit else [])


def sha256_file(path):
    if not os.path.exists(path):
        return None
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
