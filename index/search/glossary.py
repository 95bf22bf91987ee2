"""Cross-language equivalents of the names and terms this conflict is reported with.

Lexical search only matches the words a question uses; a Dutch question about
"Sjoesja" must also find "Shusha", "Şuşa" and "Шуша" (Cyrillic spellings are kept as
written: the analysis transliterates both sides the same way). Each group lists spellings that
mean the same thing; a query word that matches one (by prefix, so inflected
forms count) brings in the others. Dense search does not need this, but the
lexical half of fusion and the abstention check do.
"""

from __future__ import annotations

from functools import lru_cache

__all__ = ["GLOSSARY", "expand_term"]

GLOSSARY: tuple[tuple[str, ...], ...] = (
    # places
    ("stepanakert", "xankəndi", "xankendi", "khankendi", "chankendi", "степанакерт", "ханкенди"),
    ("shusha", "sjoesja", "şuşa", "susa", "shushi", "schuscha", "chouchi", "choucha", "шуша", "шуши"),
    ("lachin", "latsjin", "laçın", "latschin", "berdzor", "latchine", "лачин", "лачинский"),
    ("ganja", "gandzja", "gəncə", "gence", "gandscha", "gandja", "гянджа"),
    ("hadrut", "hadroet"),
    ("kalbajar", "kelbajar", "kəlbəcər", "karvachar", "kelbadzjar"),
    ("agdam", "aghdam", "ağdam", "akna", "агдам", "агдамский"),
    ("fizuli", "füzuli", "fuzuli", "füsuli", "fizoeli"),
    ("jabrayil", "jabrail", "cəbrayıl", "dzjabrail"),
    ("martuni", "martoeni"),
    ("barda", "bərdə"),
    ("nagorno", "berg", "haut", "bergkarabach"),
    ("karabakh", "karabach", "karabagh", "karabağ", "qarabağ", "artsakh", "artsach", "arzach", "карабах", "арцах"),
    ("armenia", "armenië", "armenien", "arménie", "armeens", "armeense", "armenian", "armenians", "armenier",
     "armeniërs", "arménien", "arméniens", "armenische", "armenischen", "армения", "армянский",
     "армяне"),
    ("azerbaijan", "azerbeidzjan", "aserbaidschan", "azerbaïdjan", "azerbaijani", "azerbeidzjaans",
     "azerbeidzjaanse", "aserbaidschanisch", "aserbaidschanische", "azerbaïdjanais", "azeri", "azeris",
     "азербайджан", "азербайджанский"),
    ("russia", "rusland", "russland", "russie", "russian", "russisch", "russische", "russe", "russes", "россия",
     "российский"),
    ("turkey", "turkije", "türkei", "turquie", "turkish", "turks", "turkse", "türkisch", "turc", "turque", "турция",
     "турецкий"),
    ("yerevan", "jerevan", "eriwan", "erevan", "ереван"),
    ("baku", "bakoe", "bakou", "баку"),
    ("moscow", "moskou", "moskau", "moscou", "москва"),
    ("pashinyan", "pasjinjan", "paschinjan", "pachinian", "пашинян"),
    ("aliyev", "alijev", "alijew", "aliev", "алиев"),
    ("putin", "poetin", "poutine", "путин"),
    ("erdogan", "erdoğan"),
    # terms
    ("ceasefire", "cease-fire", "truce", "staakt-het-vuren", "bestand", "wapenstilstand", "waffenstillstand",
     "waffenruhe", "cessez-le-feu", "trêve"),
    ("peacekeepers", "peacekeeping", "vredestroepen", "vredesmacht", "friedenstruppen", "friedenstruppe",
     "soldats de la paix", "casques"),
    ("drone", "drones", "drohne", "drohnen", "bayraktar"),
    ("refugees", "refugee", "vluchtelingen", "vluchteling", "flüchtlinge", "réfugiés", "exodus", "uittocht",
     "exode", "fled", "gevlucht", "geflohen"),
    ("blockade", "blokkade", "blockiert", "blocus", "blocked", "geblokkeerd"),
    ("corridor", "corridors", "korridor"),
    ("prisoners", "prisoner", "krijgsgevangenen", "gevangenen", "kriegsgefangene", "gefangene", "prisonniers",
     "pow", "pows"),
    ("martial", "staat van beleg", "kriegsrecht", "loi martiale"),
    ("mobilisation", "mobilization", "mobilised", "mobilized", "mobilisatie", "gemobiliseerd", "mobilmachung",
     "mobilisation générale"),
    ("mines", "landmines", "landmijnen", "mijnen", "minen", "landminen"),
    ("shelling", "shelled", "beschietingen", "beschoten", "beschuss", "bombardement", "bombardements",
     "bombardementen", "bombarded"),
    ("casualties", "dead", "killed", "doden", "slachtoffers", "tote", "opfer", "morts", "victimes", "died"),
    ("civilians", "civilian", "burgers", "burgerslachtoffers", "zivilisten", "civils"),
    ("church", "kerk", "kathedraal", "cathedral", "kirche", "kathedrale", "église", "cathédrale"),
    ("president", "präsident", "président"),
    ("prime", "premier", "premierminister", "ministerpräsident"),
    ("dissolution", "ontbinding", "opgeheven", "auflösung", "aufgelöst", "dissous"),
    ("offensive", "offensief", "offensiv", "opération", "operation", "aanval", "angriff", "attaque", "attack"),
)


_PREFIX_MIN = 5
"""A word is a form of an entry it equals, or of an entry of at least this many letters it starts with."""


@lru_cache(maxsize=1)
def _groups_of_entry() -> dict[str, tuple[int, ...]]:
    groups: dict[str, list[int]] = {}
    for number, group in enumerate(GLOSSARY):
        for entry in group:
            groups.setdefault(entry, []).append(number)
    return {entry: tuple(numbers) for entry, numbers in groups.items()}


@lru_cache(maxsize=4096)
def expand_term(term: str) -> tuple[str, ...]:
    """Other spellings of `term` (lower-case), or () if it is not in the glossary.

    Looked up by the word and its prefixes (one dictionary lookup each), not by
    scanning the glossary: a topic filter of thousands of keywords expands each.
    """
    word = term.lower()
    if len(word) < 4:
        return ()
    by_entry = _groups_of_entry()
    found = set(by_entry.get(word, ()))
    for end in range(_PREFIX_MIN, len(word)):
        found.update(by_entry.get(word[:end], ()))
    out = [entry for number in sorted(found) for entry in GLOSSARY[number] if entry != word]
    return tuple(dict.fromkeys(out))
