"""Cross-language equivalents of the names and terms this conflict is reported with.

Lexical search only matches the words a question uses; a Dutch question about
"Sjoesja" must also find "Shusha" and "Şuşa". Each group lists spellings that
mean the same thing; a query word that matches one (by prefix, so inflected
forms count) brings in the others. Dense search does not need this, but the
lexical half of fusion and the abstention check do.
"""

from __future__ import annotations

from functools import lru_cache

__all__ = ["GLOSSARY", "expand_term"]

GLOSSARY: tuple[tuple[str, ...], ...] = (
    # places
    ("stepanakert", "xankəndi", "xankendi", "khankendi", "chankendi"),
    ("shusha", "sjoesja", "şuşa", "susa", "shushi", "schuscha", "chouchi", "choucha"),
    ("lachin", "latsjin", "laçın", "latschin", "berdzor"),
    ("ganja", "gandzja", "gəncə", "gence", "gandscha", "gandja"),
    ("hadrut", "hadroet"),
    ("kalbajar", "kelbajar", "kəlbəcər", "karvachar", "kelbadzjar"),
    ("agdam", "aghdam", "ağdam", "akna"),
    ("fizuli", "füzuli", "fuzuli", "füsuli", "fizoeli"),
    ("jabrayil", "jabrail", "cəbrayıl", "dzjabrail"),
    ("martuni", "martoeni"),
    ("barda", "bərdə"),
    ("nagorno", "berg", "haut", "bergkarabach"),
    ("karabakh", "karabach", "karabagh", "karabağ", "qarabağ", "artsakh", "artsach", "arzach"),
    ("armenia", "armenië", "armenien", "arménie", "armeens", "armeense", "armenian", "armenians", "armenier",
     "armeniërs", "arménien", "arméniens", "armenische", "armenischen"),
    ("azerbaijan", "azerbeidzjan", "aserbaidschan", "azerbaïdjan", "azerbaijani", "azerbeidzjaans",
     "azerbeidzjaanse", "aserbaidschanisch", "aserbaidschanische", "azerbaïdjanais", "azeri", "azeris"),
    ("russia", "rusland", "russland", "russie", "russian", "russisch", "russische", "russe", "russes"),
    ("turkey", "turkije", "türkei", "turquie", "turkish", "turks", "turkse", "türkisch", "turc", "turque"),
    ("yerevan", "jerevan", "eriwan", "erevan"),
    ("baku", "bakoe", "bakou"),
    ("moscow", "moskou", "moskau", "moscou"),
    ("pashinyan", "pasjinjan", "paschinjan", "pachinian"),
    ("aliyev", "alijev", "alijew", "aliev"),
    ("putin", "poetin", "poutine"),
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


@lru_cache(maxsize=4096)
def expand_term(term: str) -> tuple[str, ...]:
    """Other spellings of `term` (lower-case), or () if it is not in the glossary."""
    word = term.lower()
    if len(word) < 4:
        return ()
    out: list[str] = []
    for group in GLOSSARY:
        if any(word == entry or (len(entry) >= 5 and word.startswith(entry)) for entry in group):
            out.extend(entry for entry in group if entry != word)
    return tuple(dict.fromkeys(out))
