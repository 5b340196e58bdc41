"""The optional row filter: an SQL boolean expression on the table's columns, nothing else.

    check_filter(con, "age >= 18 AND country IN ('FR', 'DE')", "src")

The text goes into `SELECT * FROM src WHERE (<text>)`, so it must not be able
to end that statement or reach anything but the table's own cells.  DuckDB
parses it (json_serialize_sql gives the syntax tree) and the tree is walked:
allowed are column references, constants, comparisons, AND/OR/NOT, IN lists,
BETWEEN, IS [NOT] NULL, CASE, CAST, arithmetic and LIKE operators, and scalar
functions from a short list of pure ones (no file, network or settings access).
Refused, each with a clear OptionError: more than one statement, ";", SQL
comments, subqueries, table functions, unknown functions, and an expression
that is not boolean.
"""
from __future__ import annotations

import json

from somdesk.errors import OptionError

__all__ = ["check_filter", "ALLOWED_FUNCTIONS"]

ALLOWED_FUNCTIONS = frozenset({
    # operators as DuckDB names them
    "+", "-", "*", "/", "//", "%", "^", "**", "||", "~~", "!~~", "~~*", "!~~*", "~~~", "!~~~",
    "like_escape", "not_like_escape", "ilike_escape", "not_ilike_escape",
    # pure scalar functions
    "abs", "round", "floor", "ceil", "ceiling", "sqrt", "ln", "log", "log10", "log2", "exp", "power", "pow",
    "sign", "trunc", "least", "greatest", "isnan", "isinf", "isfinite", "coalesce", "ifnull", "nullif",
    "lower", "upper", "lcase", "ucase", "length", "strlen", "trim", "ltrim", "rtrim", "substr", "substring",
    "contains", "starts_with", "ends_with", "prefix", "suffix", "regexp_matches", "regexp_full_match",
    "replace", "concat", "left", "right", "strpos", "instr", "position",
    "year", "month", "day", "hour", "minute", "second", "dayofweek", "dayofyear", "week", "quarter",
    "date_part", "datepart", "strftime", "strptime", "date_trunc", "datediff", "date_diff",
})
_ALLOWED_CLASSES = frozenset({"COLUMN_REF", "CONSTANT", "COMPARISON", "CONJUNCTION", "OPERATOR",
                              "FUNCTION", "CAST", "BETWEEN", "CASE", "TYPE"})


def _walk(node, found: list) -> None:
    if isinstance(node, dict):
        cls = node.get("class")
        if cls is not None:
            found.append((cls, node))
        for v in node.values():
            _walk(v, found)
    elif isinstance(node, list):
        for v in node:
            _walk(v, found)


def check_filter(con, where: str, source: str = "src") -> str:
    """Validate `where` against the relation named `source` on `con`; return it.

    Raises OptionError with the reason; DuckDB's own message is passed on for
    syntax errors and unknown columns.
    """
    text = where.strip()
    if not text:
        raise OptionError("the filter is empty")
    if len(text) > 10_000:
        raise OptionError("the filter is longer than 10,000 characters")
    import duckdb

    why = _outside_strings(text)
    if why:
        raise OptionError(f"the filter may not contain {why}: write only a condition such as  age >= 18")

    sql = f"SELECT * FROM {source} WHERE ({text})".replace("'", "''")
    try:
        tree = json.loads(con.execute(f"SELECT json_serialize_sql('{sql}')").fetchone()[0])
    except duckdb.Error as exc:
        raise OptionError(f"the filter is not valid SQL: {exc}") from None
    if tree.get("error"):
        raise OptionError(f"the filter is not a condition on the table: {_parse_error(con, text, source, tree)}")
    statements = tree.get("statements", [])
    node = statements[0].get("node", {}) if len(statements) == 1 else {}
    if len(statements) != 1 or node.get("type") != "SELECT_NODE":
        raise OptionError("the filter must be one condition, not a statement")
    found: list = []
    _walk(node.get("where_clause"), found)
    for cls, n in found:
        if cls not in _ALLOWED_CLASSES:
            what = "a subquery" if cls == "SUBQUERY" else f"{cls.lower()} expressions"
            raise OptionError(f"the filter may not use {what}; only conditions on the columns are allowed")
        if cls == "FUNCTION":
            fname = str(n.get("function_name", "")).lower()
            if fname not in ALLOWED_FUNCTIONS or n.get("schema") not in (None, "", "main"):
                raise OptionError(f"the filter may not call {fname!r}; allowed functions: "
                                  "abs, round, lower, upper, length, contains, starts_with, year, month, ...")
    if node.get("from_table", {}).get("table_name") != source or node.get("where_clause") is None:
        raise OptionError("the filter must be one condition on the table")
    _check_case_twins(con, source, [n for cls, n in found if cls == "COLUMN_REF"])
    try:
        kind = con.execute(f"SELECT typeof(({text})) FROM {source} LIMIT 1").fetchall()
    except duckdb.Error as exc:
        raise OptionError(_not_applied(con, source, exc)) from None
    if kind and kind[0][0] not in ("BOOLEAN", '"NULL"', "NULL"):
        raise OptionError(f"the filter must be true or false for each row, but it gives {kind[0][0]} values")
    return text


def _check_case_twins(con, source: str, refs: list) -> None:
    """OptionError for a column named as the file names a column read under a new name: of
    `yn,YN` the second is read as `YN_1` (io.tables.header_names), and the engine, which
    ignores letter case, would take `YN` in the filter for `yn` -- filtering on the wrong
    column without a word.  A name that is a column as written is never refused."""
    import re

    from somdesk.io.tables.header_names import engine_key

    asked = {str(r["column_names"][-1]) for r in refs if r.get("column_names")}
    if not asked:
        return
    names = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()]
    have = set(names)
    for a in sorted(asked - have):
        same = [n for n in names if engine_key(n) == engine_key(a)]
        renamed = [n for n in names if re.fullmatch(re.escape(a) + r"_\d+", n)]
        if same and renamed:
            raise OptionError(f"the filter names {a!r}, which the engine reads as the column {same[0]!r} "
                              f"(letter case aside), but the file's {a!r} is read as {renamed[0]!r} (names that "
                              f'differ only in letter case are made unique): write "{renamed[0]}" or "{same[0]}"')


def _parse_error(con, text: str, source: str, tree: dict) -> str:
    """DuckDB's parse error of the user's own text: the check parses `WHERE (text)`, whose error
    quoted a ")" the user never typed ("syntax error at or near ")"" for `mass >`, tester12 #11);
    the text parsed bare gives the words for what was typed ("syntax error at end of input")."""
    sql = f"SELECT * FROM {source} WHERE {text}".replace("'", "''")
    try:
        bare = json.loads(con.execute(f"SELECT json_serialize_sql('{sql}')").fetchone()[0])
    except Exception:  # noqa: BLE001 - no better words than the first parse's
        bare = {}
    said = str(bare.get("error_message") or tree.get("error_message", "")) if bare.get("error") else \
        str(tree.get("error_message", ""))
    return said + _keyword_hint(con, source, said)


def _keyword_hint(con, source: str, said: str) -> str:
    """'; ...' telling how to write a column named like an SQL word (`select`, `from`), when the
    parse failed at such a word that is a column's name; '' otherwise."""
    import re

    from somdesk.io.tables.header_names import engine_key

    m = re.search(r'at or near "([^"]+)"', said)
    if not m:
        return ""
    try:
        names = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()]
    except Exception:  # noqa: BLE001 - the parse error alone still says it
        return ""
    hit = next((n for n in names if engine_key(n) == engine_key(m.group(1))), None)
    if hit is None:
        return ""
    quoted = '"' + hit.replace('"', '""') + '"'
    return f"; a column named like an SQL word is written in double quotes: {quoted}"


def _outside_strings(text: str) -> str | None:
    """What the filter may not hold outside its string constants ("a ';' …", "an SQL comment"),
    or None.  DuckDB's own tokenizer tells a comment or ';' from the same characters inside a
    string: `name = 'a--b'` is a condition, and `glob('/etc/*')` a function call to refuse for what
    it is, not "an SQL comment" (tester6 F36).  Text it cannot tokenize is checked character by
    character, as before."""
    import duckdb

    try:
        tokens = duckdb.tokenize(text)
    except Exception:          # noqa: BLE001 - any tokenizer failure: the plain, stricter check
        tokens = None
    if tokens is None:
        pieces = [(text, None)]
    else:
        ends = [pos for pos, _kind in tokens[1:]] + [len(text)]
        pieces = [(text[pos:end], kind) for (pos, kind), end in zip(tokens, ends)]
    for piece, kind in pieces:
        if kind == duckdb.token_type.string_const:
            continue
        if kind == duckdb.token_type.comment or "--" in piece or "/*" in piece:
            return "an SQL comment"
        if ";" in piece:
            return "a ';' (one expression only)"
    return None


def _not_applied(con, source: str, exc: Exception) -> str:
    """The reason a valid condition cannot run, in the reader's words rather than the engine's
    ("Binder Error: Referenced column "nope" not found in FROM clause!", tester6 F21)."""
    import re

    text = _first_line(exc)
    m = re.search(r'Referenced column "((?:[^"]|"")*)" not found', text)
    if m:
        try:
            names = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()]
        except Exception:  # the name alone still says it
            names = []
        shown = ", ".join(names[:20]) + (f" and {len(names) - 20} more" if len(names) > 20 else "")
        cols = f" (its columns: {shown})" if names else ""
        return (f"the filter names a column the table does not have: {m.group(1)!r}{cols}; "
                'quote a name with spaces as "my name"')
    text = re.sub(r"^[A-Z][A-Za-z ]* Error: ", "", text)      # the engine's error class
    return f"the filter cannot be applied: {text}"


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
