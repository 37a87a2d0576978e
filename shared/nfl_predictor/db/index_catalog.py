"""The indexes the migrations declare, read from their SQL, and how big a fresh B-tree would be.

Index maintenance (indexes.py) holds the live database to this catalogue: every declared index exists
and is valid, and a B-tree far larger than ``estimate_pages`` says is rebuilt.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from nfl_predictor.db.migrate import Migration

_CREATE_INDEX = re.compile(
    r"^CREATE\s+(UNIQUE\s+)?INDEX\s+(?:CONCURRENTLY\s+)?(?:IF\s+NOT\s+EXISTS\s+)?"
    r"([a-z_][a-z0-9_]*)\s+ON\s+(?:ONLY\s+)?([a-z_][a-z0-9_]*)\b(.*)$",
    re.IGNORECASE | re.DOTALL,
)
_DROP_INDEX = re.compile(
    r"^DROP\s+INDEX\s+(?:CONCURRENTLY\s+)?(?:IF\s+EXISTS\s+)?([a-z_][a-z0-9_,\s]*?)\s*(?:CASCADE|RESTRICT)?$",
    re.IGNORECASE,
)
_DOLLAR_QUOTED = re.compile(r"\$([a-z_]*)\$.*?\$\1\$", re.IGNORECASE | re.DOTALL)
REINDEX_LEFTOVER = re.compile(r"_cc(new|old)\d*$")


@dataclass(frozen=True, slots=True)
class DeclaredIndex:
    name: str
    table: str
    create_sql: str  # always CREATE ... INDEX CONCURRENTLY IF NOT EXISTS


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _strip_sql(sql: str) -> str:
    without_bodies = _DOLLAR_QUOTED.sub("''", sql)
    return "\n".join(line.split("--", 1)[0] for line in without_bodies.splitlines())


def declared_indexes(migrations: list[Migration]) -> dict[str, DeclaredIndex]:
    """Every index the migrations create (and no later one drops), as a concurrent, idempotent build."""
    found: dict[str, DeclaredIndex] = {}
    for migration in migrations:
        for statement in _strip_sql(migration.sql).split(";"):
            text = " ".join(statement.split())
            created = _CREATE_INDEX.match(text)
            if created:
                unique, name, table, rest = created.groups()
                sql = f"CREATE {'UNIQUE ' if unique else ''}INDEX CONCURRENTLY IF NOT EXISTS {name} ON {table}{rest}"
                found[name.lower()] = DeclaredIndex(name.lower(), table.lower(), sql)
                continue
            dropped = _DROP_INDEX.match(text)
            if dropped:
                for name in dropped.group(1).split(","):
                    found.pop(name.strip().lower(), None)
    return found


def estimate_pages(tuples: float, key_width: int, fillfactor: int = 90, block_size: int = 8192) -> int:
    """Pages a freshly built B-tree over ``tuples`` keys of ``key_width`` bytes would take.

    Each leaf entry costs an 8-byte index tuple header plus the key (MAXALIGNed to 8) plus a 4-byte
    line pointer; a leaf page holds ``block_size`` minus its 24-byte header and 16-byte B-tree
    trailer, filled to ``fillfactor``; plus the metapage. Internal pages (~1%), NULLs and PG13+
    deduplication are ignored, which errs towards *under*-estimating bloat: a ratio of 2 means the
    index is at least about twice the size a rebuild would give.
    """
    entry = 8 + 8 * math.ceil(max(key_width, 1) / 8) + 4
    usable = (block_size - 24 - 16) * fillfactor / 100
    return 1 + max(1, math.ceil(tuples * entry / usable))
