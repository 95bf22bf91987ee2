"""Word translations from installed bilingual dictionaries, for the lexical half of search.

The encoder places a Dutch question near English paragraphs only roughly; BM25 does
not cross languages at all. Translating the question's content words into the
archive's other languages lets the lexical half find "gewonden" in a paragraph
that says "wounded" or "Verletzte".

The dictionaries are FreeDict's, installed from the system's package manager
(Debian: `dict-freedict-nld-eng` and friends, data under GPL-3+, never copied into
this project). They come in dictd format: a sorted `.index` (headword, base64
offset, base64 length) and a `.dict.dz` compressed with dictzip, whose chunks can
be inflated one at a time. Only the index is read at start (under a second for
all of them); an entry is inflated when a question asks for it.

Missing dictionaries are not an error: search works without them (one log line
names what is missing and how to install it), only cross-language recall drops.
"""

from __future__ import annotations

import logging
import re
import struct
import threading
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

__all__ = ["BilingualDictionary", "Lexicon", "load_lexicon", "DICTIONARY_PACKAGES", "DEFAULT_DICTIONARY_DIR"]

log = logging.getLogger(__name__)

DEFAULT_DICTIONARY_DIR = Path("/usr/share/dictd")

# ISO 639-1 (what newsbot stores) -> ISO 639-3 (what FreeDict names its files by).
_ISO3 = {"nl": "nld", "en": "eng", "de": "deu", "fr": "fra", "ru": "rus"}

DIRECTIONS: tuple[tuple[str, str], ...] = (("nl", "en"), ("en", "nl"), ("en", "de"), ("en", "fr"))
"""The dictionaries looked for. Questions come in Dutch or English; German and French
reporting is reached from English directly and from Dutch through English. (Measured on
the development set: direct Dutch-German/French and Dutch-Russian dictionaries, and the
reverse German/French ones, changed no result, and the German ones cost startup time.)"""

DICTIONARY_PACKAGES = tuple(f"dict-freedict-{_ISO3[a]}-{_ISO3[b]}" for a, b in DIRECTIONS)

_MAX_TRANSLATIONS = 6
_CACHED_CHUNKS = 192
"""Inflated chunks kept per dictionary (about 11 MB at most): the small dictionaries end up whole in memory."""
_B64 = {c: i for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")}
_BRACKETS = re.compile(r"<[^>]*>|\[[^\]]*\]|\([^)]*\)|\{[^}]*\}")
_NUMBERING = re.compile(r"^\s*\d+\.\s*")
_WORDISH = re.compile(r"^[^\W\d_][\w'’ -]*$", re.UNICODE)


def _b64_number(text: str) -> int:
    value = 0
    for char in text:
        value = value * 64 + _B64[char]
    return value


class _DictZip:
    """Random access into a dictzip file: inflate only the chunks an entry spans."""

    def __init__(self, path: Path) -> None:
        self._file = path.open("rb")
        self._lock = threading.Lock()
        header = self._file.read(10)
        if header[:2] != b"\x1f\x8b" or not header[3] & 4:
            raise ValueError(f"{path}: not a dictzip file (no extra header field)")
        flags = header[3]
        (extra_length,) = struct.unpack("<H", self._file.read(2))
        extra = self._file.read(extra_length)
        chunk_length = 0
        sizes: list[int] = []
        position = 0
        while position + 4 <= len(extra):
            sub_id = extra[position:position + 2]
            (sub_length,) = struct.unpack("<H", extra[position + 2:position + 4])
            body = extra[position + 4:position + 4 + sub_length]
            if sub_id == b"RA":
                _version, chunk_length, count = struct.unpack("<HHH", body[:6])
                sizes = list(struct.unpack(f"<{count}H", body[6:6 + 2 * count]))
            position += 4 + sub_length
        if not chunk_length:
            raise ValueError(f"{path}: dictzip header without a chunk table")
        if flags & 8:  # FNAME
            while self._file.read(1) not in (b"\x00", b""):
                pass
        if flags & 16:  # FCOMMENT
            while self._file.read(1) not in (b"\x00", b""):
                pass
        if flags & 2:  # FHCRC
            self._file.read(2)
        start = self._file.tell()
        self._chunk_length = chunk_length
        self._offsets = [start]
        for size in sizes:
            self._offsets.append(self._offsets[-1] + size)

    def read(self, offset: int, length: int) -> bytes:
        first = offset // self._chunk_length
        last = (offset + length - 1) // self._chunk_length
        if last + 1 >= len(self._offsets):
            raise ValueError("entry beyond the end of the dictionary")
        data = b"".join(self._chunk(index) for index in range(first, last + 1))
        start = offset - first * self._chunk_length
        return data[start:start + length]

    @lru_cache(maxsize=_CACHED_CHUNKS)  # noqa: B019 - one instance per dictionary for the process's life
    def _chunk(self, index: int) -> bytes:
        """One inflated chunk (about 58 kB); recently used ones stay: a question's words share chunks."""
        with self._lock:
            self._file.seek(self._offsets[index])
            raw = self._file.read(self._offsets[index + 1] - self._offsets[index])
        return zlib.decompressobj(-15).decompress(raw)

    def close(self) -> None:
        self._file.close()


def _translations(entry: str) -> list[str]:
    """The translations in one dictd entry: the lines after the headword, minus notes and cross-references."""
    out: list[str] = []
    for line in entry.splitlines()[1:]:
        stripped = line.strip()
        if not stripped or stripped.startswith(("Note:", "Synonym", "see:", "Antonym", "Example", "\"")):
            continue
        stripped = _BRACKETS.sub(" ", _NUMBERING.sub("", stripped))
        for item in re.split(r"[,;]", stripped):
            word = " ".join(item.split()).lower()
            if word and _WORDISH.match(word) and len(word) <= 40:
                out.append(word)
    return out


class BilingualDictionary:
    """One installed FreeDict dictionary (source language -> target language)."""

    def __init__(self, index_path: Path, dict_path: Path) -> None:
        self.name = index_path.name.removesuffix(".index")
        # Offsets stay base64 text until looked up: building 370k tuples would double the load time.
        self._entries: dict[str, str] = {}
        with index_path.open(encoding="utf-8", errors="replace") as lines:
            for line in lines:
                word, _, place = line.rstrip("\n").partition("\t")
                key = word.strip().lower()
                if key in self._entries:
                    self._entries[key] += "\n" + place
                else:
                    self._entries[key] = place
        self._data = _DictZip(dict_path)

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, word: str) -> bool:
        return word.lower() in self._entries

    @lru_cache(maxsize=8192)  # noqa: B019 - one instance per dictionary for the process's life
    def lookup(self, word: str) -> tuple[str, ...]:
        """Translations of a headword, most common sense first; () when it is not in the dictionary."""
        places = self._entries.get(word.lower())
        if not places:
            return ()
        found: list[str] = []
        for place in places.split("\n"):
            offset, _, length = place.partition("\t")
            try:
                text = self._data.read(_b64_number(offset), _b64_number(length)).decode("utf-8", errors="replace")
            except (KeyError, ValueError, zlib.error):
                continue  # a damaged entry costs that word only
            found.extend(_translations(text))
        return tuple(dict.fromkeys(found))

    def close(self) -> None:
        self._data.close()


@dataclass(eq=False)
class Lexicon:
    """Every dictionary found, by (source, target) language."""

    dictionaries: dict[tuple[str, str], BilingualDictionary] = field(default_factory=dict)

    @property
    def available(self) -> bool:
        return bool(self.dictionaries)

    def knows(self, language: str, word: str) -> bool:
        """Whether any dictionary from `language` has `word` as a headword."""
        return any(word in d for (source, _), d in self.dictionaries.items() if source == language)

    def translate(self, word: str, source: str, targets: Iterable[str]) -> dict[str, tuple[str, ...]]:
        """Single-word translations of `word` into each target language.

        A direct dictionary is used where one is installed, else a pivot through
        English (nl -> en -> de). A reverse dictionary (de -> en read backwards)
        is not searched: its index is keyed the other way.
        """
        out: dict[str, tuple[str, ...]] = {}
        for target in targets:
            if target == source:
                continue
            direct = self._lookup(source, target, word)
            if not direct and source != "en" and target != "en":
                direct = tuple(
                    dict.fromkeys(t for english in self._lookup(source, "en", word)[:2]
                                  for t in self._lookup("en", target, english)[:2])
                )
            if direct:
                out[target] = direct[:_MAX_TRANSLATIONS]
        return out

    def split_compound(self, word: str, language: str, min_part: int = 4) -> tuple[str, ...]:
        """Two headwords that make up a compound ("waarnemingscentrum" -> waarneming, centrum), or ().

        Dutch and German glue words together, with a linking "s", "e" or "en"
        between them; a compound is often missing from the dictionary while its
        parts are not. The longest known tail wins.
        """
        dictionary = self.dictionaries.get((language, "en"))
        lowered = word.lower()
        if dictionary is None or len(lowered) < 2 * min_part or lowered in dictionary:
            return ()
        for cut in range(min_part, len(lowered) - min_part + 1):
            head, tail = lowered[:cut], lowered[cut:]
            if tail not in dictionary:
                continue
            for link in ("", "s", "e", "en", "n"):
                stem = head[:len(head) - len(link)]
                if head.endswith(link) and len(stem) >= min_part and stem in dictionary:
                    return (stem, tail)
        return ()

    def _lookup(self, source: str, target: str, word: str) -> tuple[str, ...]:
        dictionary = self.dictionaries.get((source, target))
        if dictionary is None:
            return ()
        return tuple(t for t in dictionary.lookup(word) if " " not in t)

    def close(self) -> None:
        for dictionary in self.dictionaries.values():
            dictionary.close()


def load_lexicon(directory: Path = DEFAULT_DICTIONARY_DIR) -> Lexicon:
    """Open the FreeDict dictionaries installed in `directory`; log which are missing."""
    lexicon = Lexicon()
    missing: list[str] = []
    for source, target in DIRECTIONS:
        stem = f"freedict-{_ISO3[source]}-{_ISO3[target]}"
        index_path, dict_path = directory / f"{stem}.index", directory / f"{stem}.dict.dz"
        if not (index_path.is_file() and dict_path.is_file()):
            missing.append(f"dict-{stem}")
            continue
        try:
            lexicon.dictionaries[(source, target)] = BilingualDictionary(index_path, dict_path)
        except (OSError, ValueError) as exc:
            log.warning("dictionary %s cannot be read (%s); searching without it", index_path, exc)
            missing.append(f"dict-{stem}")
    if missing:
        log.warning(
            "bilingual dictionaries missing in %s: %s; cross-language search relies on the encoder alone "
            "for those languages (install with: apt-get install %s)",
            directory, ", ".join(missing), " ".join(missing),
        )
    return lexicon
