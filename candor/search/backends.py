"""The two index backends behind one interface: SQLite FTS5, PostgreSQL tsvector + pg_trgm.

Both store one row per candidate, keyed by the person's id, with the columns of
``documents.Document``. Queries arrive as folded words (see ``text``), never as raw syntax.

- **SQLite**: an FTS5 table ``search_candidate`` (rowid = person id); words match as prefixes;
  results under the cap are ranked by weighted matches (names highest, then functions, skills,
  career and education, notes), scored here from the stored text.
- **PostgreSQL**: a table ``search_candidate`` with a weighted ``document`` tsvector (names A,
  functions B, skills C, the rest and the filter tokens D) under GIN, and the folded names under
  a trigram GIN index; ranking is ``ts_rank``. When words find nothing, names
  are matched by trigram similarity, so a typo in a surname still finds the person. A list of
  the indexed words (``search_word``) turns prefix words into exact ones before a search of
  several terms (see ``PostgresBackend``).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from django.db import connection

from candor.search.documents import Document, Entry
from candor.search.text import FACET

SQLITE_TABLE = (
    "CREATE VIRTUAL TABLE search_candidate USING fts5("
    "names, functions, skills, career, education, notes, facets, "
    "tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')"
)
# How FTS5 merges the segments each transaction writes: 16 at a level before one merge (the
# default is 4), and a forced merge only at 32. Every entry is then rewritten about half as
# often; an import spent a fifth less on the index, and searches over 100,000 people kept the
# same latency (docs/benchmarks.md). Stored in the table's own configuration.
SQLITE_CONFIG = (
    "INSERT INTO search_candidate (search_candidate, rank) VALUES ('automerge', 16)",
    "INSERT INTO search_candidate (search_candidate, rank) VALUES ('crisismerge', 32)",
)
COLUMNS = ("names", "functions", "skills", "career", "education", "notes", "facets")
TEXT_COLUMNS = COLUMNS[:-1]
WEIGHTS = {"names": "A", "functions": "B", "skills": "C"}  # PostgreSQL; others D
EXPAND_MAX = 32  # PostgreSQL: a prefix standing for more words stays a prefix match


@dataclass(frozen=True, slots=True)
class Terms:
    """A search, ready for a backend: words per column group and filter tokens."""

    anywhere: tuple[str, ...] = ()  # free text: any text column
    functions: tuple[str, ...] = ()
    skills: tuple[str, ...] = ()
    facets: tuple[str, ...] = ()
    available_by: dt.date | None = None

    def has_text(self) -> bool:
        return bool(self.anywhere or self.functions or self.skills or self.facets)


class Backend(Protocol):
    def replace(
        self, docs: Sequence[Document | Entry], remove: Sequence[int], *, new: bool = False
    ) -> None: ...
    def clear(self) -> None: ...
    def tidy(self) -> None: ...
    def prune(self) -> None: ...
    def ranked(self, terms: Terms, *, cap: int) -> list[int]:
        """Up to ``cap`` matching ids, best first; ``cap`` of them means "at least that many"."""
        ...

    def newest(self, terms: Terms, *, limit: int, offset: int) -> list[int]: ...


def prefix(word: str) -> bool:
    """Words of three letters or more match as prefixes; shorter ones (``de``, ``la``) exactly,
    or they would expand to thousands of index terms."""
    return len(word) >= 3


SCORE_WEIGHTS = (
    10.0,
    6.0,
    4.0,
    2.0,
    2.0,
    1.0,
)  # names, functions, skills, career, education, notes


def _hits(word: str, text: str) -> int:
    tokens = text.split()
    if prefix(word):
        return sum(1 for token in tokens if token.startswith(word))
    return tokens.count(word)


def _score(terms: Terms, columns: Sequence[str]) -> float:
    """Weighted matches of the searched words in one entry's columns (``TEXT_COLUMNS`` order):
    a name or function match counts more than a mention in the notes. Every entry found holds
    every word, so the rarity of a word (BM25's other half) would not reorder them."""
    score = 0.0
    for word in terms.anywhere:
        score += sum(w * _hits(word, text) for w, text in zip(SCORE_WEIGHTS, columns, strict=True))
    score += sum(SCORE_WEIGHTS[1] * _hits(word, columns[1]) for word in terms.functions)
    score += sum(SCORE_WEIGHTS[2] * _hits(word, columns[2]) for word in terms.skills)
    return score


def _best_first(rows: list[tuple[int, float]], *, higher_is_better: bool) -> list[int]:
    sign = -1 if higher_is_better else 1
    return [pk for pk, _score in sorted(rows, key=lambda r: (sign * r[1], -r[0]))]


def _available_sql(terms: Terms, key: str) -> tuple[str, list[Any]]:
    if terms.available_by is None:
        return "", []
    return (
        f" AND {key} IN (SELECT person_id FROM recruitment_candidateprofile"  # noqa: S608
        " WHERE available_from IS NULL OR available_from <= %s)",
        [terms.available_by],
    )


class SQLiteBackend:
    def _match(self, terms: Terms) -> str:
        def group(columns: str, ws: Sequence[str]) -> list[str]:
            return [f'{{{columns}}} : "{w}"{"*" if prefix(w) else ""}' for w in ws]

        # Free text may match any column: filter tokens cannot match a searched word (see
        # text.FACET), and a column filter over six columns costs a third more.
        parts = [f'"{w}"{"*" if prefix(w) else ""}' for w in terms.anywhere]
        parts += group("functions", terms.functions)
        parts += group("skills", terms.skills)
        parts += [f'{{facets}} : "{f}"' for f in terms.facets]
        return " AND ".join(parts)

    def replace(
        self, docs: Sequence[Document | Entry], remove: Sequence[int], *, new: bool = False
    ) -> None:
        """``new``: the documents are known to be absent (a rebuild), nothing to delete."""
        gone = [] if new else [(d.person_id,) for d in docs]
        gone += [(pk,) for pk in remove]
        with connection.cursor() as cursor:
            if gone:  # one rowid at a time: FTS5 looks up ``rowid = ?``, but scans for ``IN``
                cursor.executemany("DELETE FROM search_candidate WHERE rowid = %s", gone)
            if docs:
                cursor.executemany(
                    f"INSERT INTO search_candidate (rowid, {', '.join(COLUMNS)}) "  # noqa: S608
                    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                    [(d.person_id, *d.columns()) for d in docs],
                )

    def clear(self) -> None:
        # Dropping and recreating is much faster than deleting every row of an FTS5 table,
        # and as transactional in SQLite.
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE search_candidate")
            cursor.execute(SQLITE_TABLE)
            for sql in SQLITE_CONFIG:
                cursor.execute(sql)

    def tidy(self) -> None:
        pass

    def prune(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM search_candidate WHERE rowid NOT IN "
                "(SELECT id FROM people_person WHERE is_candidate)"
            )

    def _where(self, terms: Terms) -> tuple[str, list[Any]]:
        extra, params = _available_sql(terms, "rowid")
        return "search_candidate MATCH %s" + extra, [self._match(terms), *params]

    def ranked(self, terms: Terms, *, cap: int) -> list[int]:
        where, params = self._where(terms)
        with connection.cursor() as cursor:
            # First only how many (up to the cap): scoring is the expensive part, and a result
            # that reaches the cap is shown newest first, unscored.
            sql = f"SELECT rowid FROM search_candidate WHERE {where} LIMIT %s"  # noqa: S608
            cursor.execute(sql, [*params, cap])
            found = [row[0] for row in cursor.fetchall()]
            if len(found) >= cap or not found:
                return found
            if not (terms.anywhere or terms.functions or terms.skills):
                return sorted(found, reverse=True)  # filters only: nothing to score, newest first
            # Score the few found here, from their stored text. FTS5's bm25() would first count
            # every row holding each filter token (hundreds of thousands for a language level).
            marks = ", ".join(["%s"] * len(found))
            cursor.execute(
                f"SELECT rowid, {', '.join(TEXT_COLUMNS)} FROM search_candidate "  # noqa: S608
                f"WHERE rowid IN ({marks})",
                found,
            )
            scored = [(row[0], _score(terms, row[1:])) for row in cursor.fetchall()]
            return _best_first(scored, higher_is_better=True)

    def newest(self, terms: Terms, *, limit: int, offset: int) -> list[int]:
        where, params = self._where(terms)
        sql = (
            f"SELECT rowid FROM search_candidate WHERE {where} "  # noqa: S608
            "ORDER BY rowid DESC LIMIT %s OFFSET %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, limit, offset])
            return [row[0] for row in cursor.fetchall()]


COMMON = 0.3  # PostgreSQL: a term held by more entries than this is checked, not looked up
_FREQUENCIES: dict[str, Any] = {"at": 0.0, "freq": {}}


def _frequencies(cursor: Any) -> dict[str, float]:
    """The share of entries holding each common term, from the planner's statistics of the
    index table (``ANALYZE``), read again every few minutes; empty without statistics."""
    if time.monotonic() - _FREQUENCIES["at"] < 300 and _FREQUENCIES["freq"]:
        return dict(_FREQUENCIES["freq"])
    cursor.execute(
        "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats "
        "WHERE schemaname = current_schema() AND tablename = 'search_candidate' "
        "AND attname = 'document'"
    )
    row = cursor.fetchone()
    terms, shares = (row[0] or [], row[1] or []) if row else ([], [])
    freq = {t: f for t, f in zip(terms, shares, strict=False) if f >= COMMON}
    _FREQUENCIES.update(at=time.monotonic(), freq=freq)
    return dict(freq)


class PostgresBackend:
    """One weighted tsvector per candidate: names A, functions B, skills C, the rest D, and the
    filter tokens (D as well) in the same vector, so words and filters meet in one GIN scan.

    Beside it, ``search_word`` lists every word the entries hold (filter tokens aside). A search
    of several terms first turns each prefix word into the words it stands for (``jans`` →
    ``janssens | jansen``): GIN answers exact words ANDed together many times faster than
    prefix matches ANDed together, which it must first collect into bitmaps of their own
    ("soudure permis" at 1M: 264 → 41 ms on a loaded machine). Ranking still uses the prefix
    query, so the order is the same. A word leaves the list when its last entry does (erasure).
    """

    def _operand(self, word: str, weight: str, words: Sequence[str] | None) -> str:
        if not prefix(word):
            return f"{word}:{weight}" if weight else word
        if words is None:  # not expanded: a prefix match
            return f"{word}:*{weight}"
        return "(" + " | ".join(f"{w}:{weight}" if weight else w for w in words) + ")"

    def _tsquery(
        self,
        terms: Terms,
        *,
        words: bool = True,
        expanded: Mapping[str, Sequence[str]] | None = None,
    ) -> str:
        return " & ".join(self._parts(terms, words=words, expanded=expanded))

    def _parts(
        self,
        terms: Terms,
        *,
        words: bool = True,
        expanded: Mapping[str, Sequence[str]] | None = None,
    ) -> list[str]:
        known = expanded or {}
        parts = []
        if words:
            parts += [self._operand(w, "", known.get(w)) for w in terms.anywhere]
            parts += [self._operand(w, "B", known.get(w)) for w in terms.functions]
            parts += [self._operand(w, "C", known.get(w)) for w in terms.skills]
        parts += list(terms.facets)
        return parts

    def _expanded(self, cursor: Any, terms: Terms) -> dict[str, list[str]] | None:
        """The indexed words each prefix word stands for (those with at most ``EXPAND_MAX``;
        others stay prefix matches); ``None`` when a word starts no indexed word at all, so
        nobody can match. A single term is left alone: one prefix match alone is fast."""
        asked = [*terms.anywhere, *terms.functions, *terms.skills]
        prefixes = sorted({w for w in asked if prefix(w)})
        if not prefixes or len(asked) + len(terms.facets) < 2:
            return {}
        # Words hold letters and digits only; in the "C" collation the words starting with
        # ``p`` are those from ``p`` up to ``p`` with its last letter moved one code point up.
        uppers = [p[:-1] + chr(ord(p[-1]) + 1) for p in prefixes]
        cursor.execute(
            "SELECT p.low, w.word FROM unnest(%s::text[], %s::text[]) AS p(low, high) "
            "CROSS JOIN LATERAL (SELECT word FROM search_word WHERE word >= p.low "
            "AND word < p.high ORDER BY word LIMIT %s) w",
            [prefixes, uppers, EXPAND_MAX + 1],
        )
        found: dict[str, list[str]] = {p: [] for p in prefixes}
        for low, word in cursor.fetchall():
            found[low].append(word)
        if not all(found.values()):
            return None
        return {p: ws for p, ws in found.items() if len(ws) <= EXPAND_MAX}

    def _words_of(self, cursor: Any, person_ids: Sequence[int]) -> set[str]:
        cursor.execute(
            "SELECT DISTINCT w FROM search_candidate s, unnest(tsvector_to_array(s.document)) w "
            "WHERE s.person_id = ANY(%s) AND NOT starts_with(w, %s)",
            [list(person_ids), FACET],
        )
        return {row[0] for row in cursor.fetchall()}

    def replace(
        self, docs: Sequence[Document | Entry], remove: Sequence[int], *, new: bool = False
    ) -> None:
        gone = ([] if new else [d.person_id for d in docs]) + list(remove)
        with connection.cursor() as cursor:
            old: set[str] = set()
            if gone:
                old = self._words_of(cursor, gone)
                cursor.execute("DELETE FROM search_candidate WHERE person_id = ANY(%s)", [gone])
            held: set[str] = set()
            if docs:
                vector = " || ".join(
                    f"setweight(to_tsvector('simple', %s), '{WEIGHTS.get(c, 'D')}')"
                    for c in COLUMNS
                )
                cursor.executemany(
                    "INSERT INTO search_candidate (person_id, names, document) "  # noqa: S608
                    f"VALUES (%s, %s, {vector})",
                    [(d.person_id, d.names, *d.columns()) for d in docs],
                )
                # The words as PostgreSQL's parser made them, so the list matches the index.
                held = self._words_of(cursor, [d.person_id for d in docs])
                # Every word, not only new ones: a word lost to a concurrent erasure comes back
                # with the next save of an entry holding it. Sorted: writers wait in one order.
                if held:
                    cursor.execute(
                        "INSERT INTO search_word (word) SELECT unnest(%s::text[]) "
                        "ON CONFLICT DO NOTHING",
                        [sorted(held)],
                    )
            gone_words = old - held
            if gone_words and (dropped := sorted(gone_words - self._common_words(cursor))):
                # Personal data: a word no entry holds any more (an erased name) leaves the list.
                cursor.execute(
                    "DELETE FROM search_word w WHERE w.word = ANY(%s) AND NOT EXISTS "
                    "(SELECT 1 FROM search_candidate s "
                    "WHERE s.document @@ quote_literal(w.word)::tsquery)",
                    [dropped],
                )

    @staticmethod
    def _common_words(cursor: Any) -> set[str]:
        """Words the planner's statistics count among the most common of the index: they stay
        in the list without a check. Checking that a word is still held costs a GIN scan of
        every entry holding it — over a second for a word held by a few hundred thousand
        entries at 1M, the cost of a whole erasure ten times over — and a word that common is
        held by others for certain (a name that common identifies nobody)."""
        cursor.execute(
            "SELECT most_common_elems::text::text[] FROM pg_stats "
            "WHERE schemaname = current_schema() AND tablename = 'search_candidate' "
            "AND attname = 'document'"
        )
        row = cursor.fetchone()
        return set(row[0]) if row and row[0] else set()

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE search_candidate, search_word")

    def tidy(self) -> None:
        """After a rebuild: merge GIN's pending list into the index (autovacuum would), or
        every search scans it."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT gin_clean_pending_list('search_candidate_document'::regclass)")
            cursor.execute("SELECT gin_clean_pending_list('search_candidate_names'::regclass)")

    def prune(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT s.person_id FROM search_candidate s WHERE NOT EXISTS (SELECT 1 FROM"
                " people_person p WHERE p.id = s.person_id AND p.is_candidate)"
            )
            gone = [row[0] for row in cursor.fetchall()]
        if gone:
            self.replace([], gone)

    def _where(self, query: str, terms: Terms) -> tuple[str, list[Any]]:
        clauses, params = (
            (["s.document @@ to_tsquery('simple', %s)"], [query]) if query else ([], [])
        )
        extra, more = _available_sql(terms, "s.person_id")
        return (" AND ".join(clauses) or "TRUE") + extra, params + more

    def _match(self, cursor: Any, terms: Terms) -> tuple[str, list[Any]] | None:
        """The WHERE clause of these terms, prefix words expanded; ``None``: nobody matches.

        Terms most entries hold (a language level half the candidates speak, "de") are left out
        of the GIN scan and checked on the rows it finds (``ts_match_vq``, which no index
        answers): GIN would walk their long posting lists for every match of the rarer terms.
        The same rows match either way."""
        expanded = self._expanded(cursor, terms)
        if expanded is None:
            return None
        parts = self._parts(terms, expanded=expanded)
        freq = _frequencies(cursor) if len(parts) > 1 else {}
        common = [p for p in parts if freq.get(p, 0.0) >= COMMON]
        indexed = [p for p in parts if p not in common] or common[:1]
        checked = [p for p in common if p not in indexed]
        where, params = self._where(" & ".join(indexed), terms)
        if checked:
            where += " AND ts_match_vq(s.document, to_tsquery('simple', %s))"
            params.append(" & ".join(checked))
        return where, params

    def ranked(self, terms: Terms, *, cap: int) -> list[int]:
        with connection.cursor() as cursor:
            found: list[int] = []
            if (match := self._match(cursor, terms)) is not None:
                # First only how many (up to the cap): ranking reads every matching vector, and
                # a result that reaches the cap is shown newest first, unranked.
                where, params = match
                sql = f"SELECT s.person_id FROM search_candidate s WHERE {where} LIMIT %s"  # noqa: S608
                cursor.execute(sql, [*params, cap])
                found = [row[0] for row in cursor.fetchall()]
            if len(found) >= cap:
                return found
            if found:
                cursor.execute(
                    "SELECT s.person_id, ts_rank(s.document, to_tsquery('simple', %s), 1) "
                    "FROM search_candidate s WHERE s.person_id = ANY(%s)",
                    [self._tsquery(terms), found],
                )
                return _best_first(cursor.fetchall(), higher_is_better=True)
            if not terms.anywhere or terms.functions or terms.skills:
                return []
            # Nothing for these words: a typo in a name? Names by trigram similarity.
            text = " ".join(terms.anywhere)
            where, params = self._where(self._tsquery(terms, words=False), terms)
            cursor.execute(
                "SELECT s.person_id, similarity(s.names, %s) FROM search_candidate s "  # noqa: S608
                f"WHERE s.names %% %s AND {where} LIMIT %s",
                [text, text, *params, cap],
            )
            return _best_first(cursor.fetchall(), higher_is_better=True)

    def newest(self, terms: Terms, *, limit: int, offset: int) -> list[int]:
        with connection.cursor() as cursor:
            if (match := self._match(cursor, terms)) is None:
                return []
            where, params = match
            sql = (
                f"SELECT s.person_id FROM search_candidate s WHERE {where} "  # noqa: S608
                "ORDER BY s.person_id DESC LIMIT %s OFFSET %s"
            )
            cursor.execute(sql, [*params, limit, offset])
            return [row[0] for row in cursor.fetchall()]


def backend() -> Backend:
    return PostgresBackend() if connection.vendor == "postgresql" else SQLiteBackend()
