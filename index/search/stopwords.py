"""Function words left out of lexical queries.

A question is turned into an OR query over its words; words such as "de",
"the" or "wat" match almost every paragraph, make BM25 noisy and make the OR
query slow on a large table. Lists for the languages users ask in, plus the
languages sources are most often in.
"""

from __future__ import annotations

__all__ = ["STOPWORDS", "is_stopword"]

_NL = """
aan af al als alles ben bij daar dan dat de deze die dit doch doen door dus een en er ge geen geweest had heb
hebben heeft hem het hier hij hoe hun iemand iets ik in is ja je kan kon kunnen maar me meer men met mij mijn
moet na naar niet niets nog nu of om omdat ons ook op over reeds te tegen toch toen tot u uit uw van veel voor
want waren was wat we wel werd wezen wie wij wil worden wordt zal ze zei zelf zich zij zijn zo zonder zou
welke welk waar wanneer waarom hoeveel hoeveelheid gebeurde gebeurd zeggen zegt zeiden vertel vertelde waren
wordt werden worden onder tussen tijdens sinds volgens ongeveer hoe heeft hadden eens echter ook nog steeds
"""
_EN = """
a about above after again against all am an and any are as at be because been before being below between both
but by can could did do does doing down during each few for from further had has have having he her here hers
him his how i if in into is it its itself just me more most my no nor not now of off on once only or other our
out over own same she should so some such than that the their them then there these they this those through to
too under until up very was we were what when where which while who whom why will with would you your
tell told say said says happen happened many much whose did does according
"""
_DE = """
aber alle als also am an auch auf aus bei bin bis bist da damit dann das dass dem den der des die dies doch dort
du durch ein eine einem einen einer eines er es für hat hatte ich ihr im in ist ja jetzt kann kein man mit nach
nicht noch nun nur ob oder ohne sehr sein sich sie sind so über um und uns unter vom von vor war was wer wie wir
wird wo zu zum zur wann warum welche welcher
"""
_FR = """
à au aux avec ce ces dans de des du elle en et eux il ils je la le les leur lui ma mais me même mes moi mon ne
nos notre nous on ou où par pas pour qu que qui sa se ses son sur ta te tes toi ton tu un une vos votre vous
été était sont est quand comment pourquoi quel quelle quels
"""

STOPWORDS: frozenset[str] = frozenset(word for block in (_NL, _EN, _DE, _FR) for word in block.split())


def is_stopword(word: str) -> bool:
    return word.lower() in STOPWORDS
