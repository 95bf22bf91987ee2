"""Realistic reporting for the scale benchmark: sentences about the conflict, recombined into articles.

Not random vectors and not pseudo-words: every sentence is a plausible line of
reporting (shelling, truces, refugees, prisoners, peacekeepers, border clashes,
diplomacy, the blockade, mines, politics) in Dutch, English, German or French,
written for this benchmark with slots for places, officials, numbers, weekdays
and dates. An article keeps one topic, one main place and one official, has
8–12 paragraphs of 2–4 sentences, and is dated in order: `ARTICLES_PER_DAY`
articles a day from 27 September 2020, so a date window always holds the same
amount of reporting whatever the archive's size.

Every sentence template has two phrasings. A planted wire copy (one article
in `COPY_EVERY`) takes an article published shortly before, swaps every
sentence and the title to the other phrasing and appears under another outlet
on the same or the next day: the "lightly reworded" copies near-duplicate
detection has to find. One article in `MONTH_ONLY_EVERY` carries only a month.

Everything is a pure function of the article's sequence number, so a run can
stop and resume anywhere.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

__all__ = [
    "ARTICLES_PER_DAY", "LANGUAGES", "PlannedArticle", "day_of", "original_of", "plan_article", "published_of",
    "question", "seed_text",
]

ARTICLES_PER_DAY = 60
"""About 600 paragraphs a day: a few dozen outlets following one conflict."""
COPY_EVERY = 40
MONTH_ONLY_EVERY = 97
START = date(2020, 9, 27)
LANGUAGES = ("nl", "en", "de", "fr")
_LANGUAGE_WEIGHTS = (0.35, 0.35, 0.15, 0.15)

# -- vocabulary: one entry per language (nl, en, de, fr) -----------------------------------------


def _four(text: str) -> tuple[str, str, str, str]:
    parts = text.split("|")
    if len(parts) == 1:
        parts = parts * 4
    assert len(parts) == 4, text
    return (parts[0], parts[1], parts[2], parts[3])


PLACES = [_four(p) for p in (
    "Stepanakert", "Sjoesja|Shusha|Schuscha|Choucha", "Gandzja|Ganja|Gandscha|Gandja", "Barda", "Terter|Tartar|Terter|Tartar",
    "Agdam", "Fuzuli|Fizuli|Füsuli|Fizouli", "Jabrajil|Jabrayil|Dschabrajil|Djabraïl", "Hadrut", "Martuni",
    "Martakert", "Latsjin|Lachin|Latschin|Latchine", "Kelbadzjar|Kalbajar|Kelbadschar|Kelbadjar", "Goris", "Jermuk",
    "Kapan", "Sotk", "Vardenis", "Berdzor", "Askeran", "Chodzjavend|Khojavend|Chodschawend|Khodjavend",
    "Zangilan|Zangilan|Sangilan|Zanguilan", "Goebadli|Gubadli|Gubadly|Goubadly", "Talisj|Talish|Talysch|Talich",
    "Mingetsjaoer|Mingachevir|Mingetschaur|Minguetchaour", "Jevlach|Yevlakh|Jewlach|Yevlakh", "Tavoesj|Tavush|Tawusch|Tavouch",
    "Idzjevan|Ijevan|Idschewan|Idjevan", "Syunik|Syunik|Sjunik|Siounik", "Nachitsjevan|Nakhchivan|Nachitschewan|Nakhitchevan",
    "Madagiz", "Soegovoesjan|Sugovushan|Sugowuschan|Soukhovouchan", "Chodzjali|Khojaly|Chodschali|Khodjaly",
    "Karvatsjar|Karvachar|Karwatschar|Karvatchar", "Tegh", "Kornidzor", "Hakari", "Dadivank",
)]
VENUES = [_four(p) for p in (
    "Moskou|Moscow|Moskau|Moscou", "Brussel|Brussels|Brüssel|Bruxelles", "Washington", "Genève|Geneva|Genf|Genève",
    "Sotsji|Sochi|Sotschi|Sotchi", "Praag|Prague|Prag|Prague", "Parijs|Paris|Paris|Paris", "Wenen|Vienna|Wien|Vienne",
    "Astana", "Tbilisi|Tbilisi|Tiflis|Tbilissi", "Istanboel|Istanbul|Istanbul|Istanbul", "Granada|Granada|Granada|Grenade",
    "Almaty", "München|Munich|München|Munich",
)]
OFFICIALS = [tuple(_four(p)) for p in (
    "de Armeense premier Nikol Pasjinjan|Armenian Prime Minister Nikol Pashinyan|der armenische Regierungschef Nikol "
    "Paschinjan|le Premier ministre arménien Nikol Pachinian",
    "de Azerbeidzjaanse president Ilham Alijev|Azerbaijani President Ilham Aliyev|der aserbaidschanische Präsident Ilham "
    "Alijew|le président azerbaïdjanais Ilham Aliev",
    "de Russische minister Sergej Lavrov|Russian Foreign Minister Sergei Lavrov|der russische Außenminister Sergej "
    "Lawrow|le ministre russe des Affaires étrangères Sergueï Lavrov",
    "EU-president Charles Michel|European Council President Charles Michel|EU-Ratspräsident Charles Michel|le président "
    "du Conseil européen Charles Michel",
    "de Armeense minister Ararat Mirzojan|Armenian Foreign Minister Ararat Mirzoyan|der armenische Außenminister Ararat "
    "Mirsojan|le ministre arménien des Affaires étrangères Ararat Mirzoyan",
    "de Azerbeidzjaanse minister Jeyhun Bayramov|Azerbaijani Foreign Minister Jeyhun Bayramov|der aserbaidschanische "
    "Außenminister Dscheyhun Bayramow|le ministre azerbaïdjanais des Affaires étrangères Djeyhoun Baïramov",
    "presidentieel adviseur Hikmet Hajiyev|presidential aide Hikmet Hajiyev|der Präsidentenberater Hikmet Hadschijew|le "
    "conseiller présidentiel Hikmet Hadjiev",
    "de Amerikaanse minister Antony Blinken|US Secretary of State Antony Blinken|US-Außenminister Antony Blinken|le "
    "secrétaire d'État américain Antony Blinken",
    "de Franse president Emmanuel Macron|French President Emmanuel Macron|der französische Präsident Emmanuel "
    "Macron|le président français Emmanuel Macron",
    "de Turkse president Recep Tayyip Erdogan|Turkish President Recep Tayyip Erdogan|der türkische Präsident Recep "
    "Tayyip Erdogan|le président turc Recep Tayyip Erdogan",
    "Kremlinwoordvoerder Dmitri Peskov|Kremlin spokesman Dmitry Peskov|Kremlsprecher Dmitri Peskow|le porte-parole du "
    "Kremlin Dmitri Peskov",
    "EU-gezant Toivo Klaar|EU envoy Toivo Klaar|der EU-Sondergesandte Toivo Klaar|l'envoyé de l'UE Toivo Klaar",
    "de Armeense ombudsman Arman Tatojan|Armenian ombudsman Arman Tatoyan|der armenische Ombudsmann Arman "
    "Tatojan|le médiateur arménien Arman Tatoyan",
    "woordvoerster Anna Naghdalyan|ministry spokeswoman Anna Naghdalyan|Sprecherin Anna Naghdaljan|la porte-parole Anna "
    "Naghdalyan",
    "woordvoerster Leyla Abdullayeva|ministry spokeswoman Leyla Abdullayeva|Sprecherin Leyla Abdullajewa|la porte-parole "
    "Leyla Abdoullaïeva",
    "de Russische commandant Roestam Moeradov|Russian commander Rustam Muradov|der russische Kommandeur Rustam "
    "Muradow|le commandant russe Roustam Mouradov",
)]
SIDES = [_four(p) for p in (
    "Azerbeidzjaanse troepen|Azerbaijani forces|aserbaidschanische Truppen|les forces azerbaïdjanaises",
    "Armeense eenheden|Armenian units|armenische Einheiten|les unités arméniennes",
    "het Azerbeidzjaanse leger|the Azerbaijani army|die aserbaidschanische Armee|l'armée azerbaïdjanaise",
    "Karabachse strijders|Karabakh fighters|karabachische Kämpfer|les combattants du Karabakh",
)]
WEAPONS = [_four(p) for p in (
    "artillerie|artillery|Artillerie|l'artillerie", "raketten|rockets|Raketen|des roquettes",
    "drones|drones|Drohnen|des drones", "clustermunitie|cluster munitions|Streumunition|des armes à sous-munitions",
    "mortieren|mortars|Mörser|des mortiers", "zware wapens|heavy weapons|schwere Waffen|des armes lourdes",
)]
ORGS = [_four(p) for p in (
    "het Rode Kruis|the Red Cross|das Rote Kreuz|la Croix-Rouge", "de OVSE|the OSCE|die OSZE|l'OSCE",
    "de EU-missie|the EU mission|die EU-Mission|la mission de l'UE", "de VN-vluchtelingenorganisatie|the UN refugee "
    "agency|das UN-Flüchtlingshilfswerk|l'agence des Nations unies pour les réfugiés",
    "Human Rights Watch", "Amnesty International",
)]
WEEKDAYS = {
    "nl": ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "de": ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"),
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
}
MONTH_NAMES = {
    "nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
           "november", "december"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
    "de": ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November",
           "Dezember"),
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
           "novembre", "décembre"),
}
FIRST_NAMES = ("Anahit", "Aram", "Gayane", "Hovhannes", "Lilit", "Narek", "Nigar", "Rashad", "Elchin", "Aygun",
               "Samir", "Sevda", "Tigran", "Karine", "Vugar", "Leyla", "Armen", "Gunel", "Davit", "Zaur")
LAST_NAMES = ("Petrosyan", "Grigoryan", "Hakobyan", "Sargsyan", "Avetisyan", "Mammadova", "Aliyeva", "Huseynov",
              "Guliyev", "Hasanova", "Karapetyan", "Babayan", "Ismayilov", "Rzayeva", "Vardanyan", "Abbasov")

# -- sentences: per topic, per language, each with two phrasings ----------------------------------

Template = tuple[str, str]

SENTENCES: dict[str, dict[str, list[Template]]] = {
    "shelling": {
        "en": [
            ("{side} shelled {place} on {weekday}, killing {n} civilians and wounding {m}, local officials said.",
             "Local officials said {n} civilians were killed and {m} wounded when {side} shelled {place} on {weekday}."),
            ("Residents of {place} spent the night in basements as {weapon} hit the town centre.",
             "As {weapon} struck the centre of {place}, residents sheltered overnight in basements."),
            ("{official} accused the other side of deliberately targeting homes, a school and a hospital in {place}.",
             "Homes, a school and a hospital in {place} were targeted on purpose, {official} said."),
            ("{person}, {age}, said her street in {place} had been hit {k} times since the {date} attack.",
             "Her street in {place} has been struck {k} times since the attack of {date}, said {person}, {age}."),
            ("The defence ministry said its troops had only returned fire at military positions near {place2}.",
             "Its forces had merely answered fire at army positions close to {place2}, the defence ministry said."),
        ],
        "nl": [
            ("{side} beschoten {place} op {weekday}, waarbij volgens lokale autoriteiten {n} burgers omkwamen en {m} "
             "gewond raakten.",
             "Bij de beschieting van {place} door {side} op {weekday} kwamen {n} burgers om en raakten er {m} gewond, "
             "aldus de lokale autoriteiten."),
            ("Bewoners van {place} brachten de nacht door in kelders terwijl {weapon} het centrum troffen.",
             "Terwijl {weapon} het centrum van {place} raakten, schuilden de bewoners de hele nacht in kelders."),
            ("{official} beschuldigde de tegenpartij ervan doelbewust woningen, een school en een ziekenhuis in {place} "
             "te bestoken.",
             "Volgens {official} werden woningen, een school en een ziekenhuis in {place} met opzet bestookt."),
            ("{person} ({age}) vertelde dat haar straat in {place} sinds de aanval van {date} al {k} keer is geraakt.",
             "Haar straat in {place} is sinds de aanval van {date} {k} keer getroffen, zei {person} ({age})."),
            ("Het ministerie van Defensie stelde dat zijn troepen alleen het vuur beantwoordden op militaire posities "
             "bij {place2}.",
             "De eigen troepen hadden enkel teruggeschoten op legerposities nabij {place2}, meldde het ministerie van "
             "Defensie."),
        ],
        "de": [
            ("{side} beschossen am {weekday} {place}; nach Angaben der Behörden wurden {n} Zivilisten getötet und {m} "
             "verletzt.",
             "Beim Beschuss von {place} durch {side} am {weekday} kamen laut den Behörden {n} Zivilisten ums Leben, {m} "
             "wurden verletzt."),
            ("Die Bewohner von {place} verbrachten die Nacht in Kellern, während {weapon} das Zentrum trafen.",
             "Während {weapon} im Zentrum von {place} einschlugen, harrten die Bewohner die ganze Nacht in Kellern aus."),
            ("{official} warf der Gegenseite vor, gezielt Wohnhäuser, eine Schule und ein Krankenhaus in {place} "
             "anzugreifen.",
             "Wohnhäuser, eine Schule und ein Krankenhaus in {place} seien absichtlich angegriffen worden, sagte "
             "{official}."),
            ("{person} ({age}) berichtete, ihre Straße in {place} sei seit dem Angriff vom {date} {k} Mal getroffen "
             "worden.",
             "Seit dem Angriff vom {date} wurde ihre Straße in {place} {k} Mal getroffen, sagte {person} ({age})."),
        ],
        "fr": [
            ("{side} ont bombardé {place} {weekday}, tuant {n} civils et en blessant {m}, selon les autorités locales.",
             "Selon les autorités locales, {n} civils ont été tués et {m} blessés lorsque {side} ont bombardé {place} "
             "{weekday}."),
            ("Les habitants de {place} ont passé la nuit dans les caves pendant que {weapon} frappaient le centre-ville.",
             "Alors que {weapon} frappaient le centre de {place}, les habitants se sont abrités toute la nuit dans les "
             "caves."),
            ("{official} a accusé l'autre camp de viser délibérément des maisons, une école et un hôpital à {place}.",
             "Des maisons, une école et un hôpital de {place} ont été visés à dessein, a affirmé {official}."),
            ("{person}, {age} ans, raconte que sa rue à {place} a été touchée {k} fois depuis l'attaque du {date}.",
             "Depuis l'attaque du {date}, sa rue à {place} a été frappée {k} fois, explique {person}, {age} ans."),
        ],
    },
    "truce": {
        "en": [
            ("After {k} hours of talks in {venue}, both sides agreed to a humanitarian ceasefire starting at noon on "
             "{weekday}.",
             "Both sides agreed in {venue} to a humanitarian truce from noon on {weekday}, after {k} hours of "
             "negotiations."),
            ("{official} read out the joint statement, which provides for the exchange of prisoners and the bodies of "
             "the dead.",
             "The joint statement, read out by {official}, foresees an exchange of prisoners and of the bodies of those "
             "killed."),
            ("Within minutes of the deadline each side accused the other of breaking the truce near {place}.",
             "Minutes after the truce took effect, the two sides traded accusations of violations around {place}."),
            ("Mediators from {org} said the specific parameters of the ceasefire would be agreed separately.",
             "The details of the ceasefire are to be settled separately, according to mediators from {org}."),
        ],
        "nl": [
            ("Na {k} uur onderhandelen in {venue} stemden beide partijen in met een humanitair staakt-het-vuren vanaf "
             "{weekday} 12.00 uur.",
             "Beide partijen gingen in {venue} akkoord met een humanitair bestand vanaf {weekday} twaalf uur, na {k} uur "
             "overleg."),
            ("{official} las de gezamenlijke verklaring voor, die voorziet in de uitwisseling van gevangenen en "
             "stoffelijke overschotten.",
             "De gezamenlijke verklaring, voorgelezen door {official}, regelt een uitwisseling van krijgsgevangenen en "
             "van de lichamen van de doden."),
            ("Binnen enkele minuten na de deadline beschuldigden beide kampen elkaar van schendingen bij {place}.",
             "Al minuten nadat het bestand inging, verweten de twee kampen elkaar schendingen rond {place}."),
            ("Bemiddelaars van {org} zeiden dat de precieze voorwaarden van het bestand apart worden vastgelegd.",
             "De details van het staakt-het-vuren worden later afzonderlijk geregeld, volgens bemiddelaars van {org}."),
        ],
        "de": [
            ("Nach {k} Stunden Verhandlungen in {venue} einigten sich beide Seiten auf eine humanitäre Waffenruhe ab "
             "{weekday} zwölf Uhr.",
             "Beide Seiten vereinbarten in {venue} nach {k} Stunden Gesprächen eine humanitäre Feuerpause ab {weekday} "
             "Mittag."),
            ("{official} verlas die gemeinsame Erklärung, die einen Austausch von Gefangenen und Leichen vorsieht.",
             "Die von {official} verlesene gemeinsame Erklärung sieht vor, Gefangene und die Leichen der Toten "
             "auszutauschen."),
            ("Wenige Minuten nach Beginn der Waffenruhe warfen sich beide Seiten Verstöße bei {place} vor.",
             "Kurz nach Inkrafttreten der Feuerpause beschuldigten sich die Konfliktparteien gegenseitig, sie bei "
             "{place} gebrochen zu haben."),
        ],
        "fr": [
            ("Après {k} heures de pourparlers à {venue}, les deux camps ont accepté une trêve humanitaire à partir de "
             "{weekday} midi.",
             "Les deux parties se sont entendues à {venue} sur un cessez-le-feu humanitaire dès {weekday} midi, au "
             "terme de {k} heures de négociations."),
            ("{official} a lu la déclaration commune, qui prévoit l'échange de prisonniers et des corps des victimes.",
             "La déclaration commune, lue par {official}, prévoit un échange de prisonniers et de dépouilles."),
            ("Quelques minutes après l'échéance, chaque camp accusait l'autre de violer la trêve près de {place}.",
             "Peu après l'entrée en vigueur de la trêve, les deux camps se sont mutuellement accusés de violations "
             "autour de {place}."),
        ],
    },
    "refugees": {
        "en": [
            ("More than {n} people have fled {place} since {date}, according to {org}.",
             "{org} says over {n} people have left {place} since {date}."),
            ("Families arrived in {place2} with only what they could carry, many after a drive of {k} hours.",
             "Many families reached {place2} after {k} hours on the road, carrying only what fitted in their cars."),
            ("{person}, {age}, said she did not know whether her house in {place} was still standing.",
             "She has no idea whether her home in {place} still stands, said {person}, {age}."),
            ("The government promised each displaced family a payment of {m} dollars and temporary housing.",
             "Every displaced family will receive {m} dollars and a temporary home, the government pledged."),
        ],
        "nl": [
            ("Sinds {date} zijn meer dan {n} mensen uit {place} gevlucht, meldt {org}.",
             "Volgens {org} hebben sinds {date} ruim {n} mensen {place} verlaten."),
            ("Gezinnen kwamen in {place2} aan met alleen wat ze konden dragen, velen na een rit van {k} uur.",
             "Veel gezinnen bereikten {place2} na {k} uur onderweg, met enkel wat in hun auto paste."),
            ("{person} ({age}) zei niet te weten of haar huis in {place} nog overeind staat.",
             "Of haar huis in {place} nog bestaat, weet {person} ({age}) niet."),
            ("De regering beloofde elk ontheemd gezin een uitkering van {m} dollar en tijdelijke huisvesting.",
             "Ieder ontheemd gezin krijgt {m} dollar en een tijdelijk onderdak, zegde de regering toe."),
        ],
        "de": [
            ("Seit dem {date} sind nach Angaben von {org} mehr als {n} Menschen aus {place} geflohen.",
             "Mehr als {n} Menschen haben {place} seit dem {date} verlassen, teilte {org} mit."),
            ("Familien kamen nach {k} Stunden Fahrt mit dem Nötigsten in {place2} an.",
             "Viele Familien erreichten {place2} erst nach {k} Stunden und nur mit dem, was ins Auto passte."),
            ("Die Regierung versprach jeder vertriebenen Familie {m} Dollar und eine vorläufige Unterkunft.",
             "Jede vertriebene Familie soll {m} Dollar und eine Notunterkunft erhalten, kündigte die Regierung an."),
        ],
        "fr": [
            ("Plus de {n} personnes ont fui {place} depuis le {date}, selon {org}.",
             "Selon {org}, plus de {n} personnes ont quitté {place} depuis le {date}."),
            ("Des familles sont arrivées à {place2} avec le strict nécessaire, souvent après {k} heures de route.",
             "Après {k} heures de route, de nombreuses familles ont atteint {place2} avec ce qu'elles pouvaient porter."),
            ("Le gouvernement a promis {m} dollars et un logement provisoire à chaque famille déplacée.",
             "Chaque famille déplacée recevra {m} dollars et un hébergement temporaire, a promis le gouvernement."),
        ],
    },
    "prisoners": {
        "en": [
            ("{n} prisoners of war were handed over at the border near {place} on {weekday}, mediated by {org}.",
             "On {weekday}, {org} oversaw the handover of {n} prisoners of war at the border close to {place}."),
            ("Yerevan says at least {m} of its soldiers are still held in Baku; Baku calls them saboteurs, not POWs.",
             "Baku refers to the {m} Armenians it still holds as saboteurs, while Yerevan insists they are prisoners of "
             "war."),
            ("In return, Armenia handed over maps of {k} minefields around {place}, {official} said.",
             "{official} said Armenia had delivered maps of {k} minefields near {place} in exchange."),
        ],
        "nl": [
            ("Op {weekday} werden bij {place} {n} krijgsgevangenen aan de grens overgedragen, met bemiddeling van {org}.",
             "Onder toezicht van {org} zijn {weekday} {n} krijgsgevangenen overgedragen aan de grens bij {place}."),
            ("Jerevan zegt dat minstens {m} van zijn soldaten nog in Bakoe vastzitten; Bakoe noemt hen saboteurs.",
             "Bakoe spreekt van saboteurs, terwijl Jerevan volhoudt dat de {m} vastgehouden Armeniërs krijgsgevangenen "
             "zijn."),
            ("In ruil daarvoor gaf Armenië kaarten van {k} mijnenvelden rond {place} af, zei {official}.",
             "Armenië overhandigde als tegenprestatie kaarten van {k} mijnenvelden bij {place}, aldus {official}."),
        ],
        "de": [
            ("Am {weekday} wurden an der Grenze bei {place} {n} Kriegsgefangene übergeben, vermittelt von {org}.",
             "Unter Vermittlung von {org} kamen am {weekday} an der Grenze nahe {place} {n} Kriegsgefangene frei."),
            ("Eriwan zufolge sitzen noch mindestens {m} Soldaten in Baku fest; Baku nennt sie Saboteure.",
             "Baku bezeichnet die {m} festgehaltenen Armenier als Saboteure, Eriwan dagegen als Kriegsgefangene."),
        ],
        "fr": [
            ("{n} prisonniers de guerre ont été remis {weekday} à la frontière près de {place}, avec la médiation de "
             "{org}.",
             "Par l'entremise de {org}, {n} prisonniers de guerre ont été échangés {weekday} à la frontière, près de "
             "{place}."),
            ("Erevan affirme qu'au moins {m} de ses soldats sont toujours détenus à Bakou, qui les qualifie de "
             "saboteurs.",
             "Bakou parle de saboteurs, alors qu'Erevan voit dans les {m} Arméniens détenus des prisonniers de guerre."),
        ],
    },
    "peacekeepers": {
        "en": [
            ("Some {n} Russian peacekeepers have set up {k} observation posts along the line of contact near {place}.",
             "Along the contact line around {place}, roughly {n} Russian peacekeepers now man {k} observation posts."),
            ("{official} said the mission would stay for five years and could be extended automatically.",
             "The mission is to last five years with an automatic extension, according to {official}."),
            ("The Russian-Turkish monitoring centre near {place2} began work on {date} with {m} officers from each "
             "country.",
             "On {date} the joint Russian-Turkish monitoring centre close to {place2} opened, staffed by {m} officers "
             "from each side."),
        ],
        "nl": [
            ("Zo'n {n} Russische vredestroepen hebben {k} observatieposten ingericht langs de frontlinie bij {place}.",
             "Langs de contactlinie rond {place} bemannen ongeveer {n} Russische vredeshandhavers nu {k} "
             "observatieposten."),
            ("{official} zei dat de missie vijf jaar blijft en automatisch kan worden verlengd.",
             "De missie duurt volgens {official} vijf jaar, met een automatische verlenging."),
            ("Het Russisch-Turkse waarnemingscentrum bij {place2} ging op {date} van start met {m} officieren uit elk "
             "land.",
             "Op {date} opende het gezamenlijke Russisch-Turkse monitoringcentrum nabij {place2}, met {m} officieren "
             "per land."),
        ],
        "de": [
            ("Rund {n} russische Friedenssoldaten haben entlang der Frontlinie bei {place} {k} Beobachtungsposten "
             "eingerichtet.",
             "Entlang der Kontaktlinie um {place} besetzen etwa {n} russische Friedenstruppen inzwischen {k} Posten."),
            ("{official} sagte, die Mission bleibe fünf Jahre und verlängere sich automatisch.",
             "Die Mission dauere fünf Jahre und werde automatisch verlängert, so {official}."),
        ],
        "fr": [
            ("Quelque {n} soldats russes de maintien de la paix ont installé {k} postes d'observation le long de la "
             "ligne de contact près de {place}.",
             "Le long de la ligne de contact autour de {place}, environ {n} casques bleus russes tiennent désormais {k} "
             "postes d'observation."),
            ("{official} a indiqué que la mission durerait cinq ans et serait prolongée automatiquement.",
             "La mission doit durer cinq ans, avec une prolongation automatique, selon {official}."),
        ],
    },
    "border": {
        "en": [
            ("Troops advanced about {k} kilometres into {place} province overnight, the defence ministry in Yerevan "
             "said.",
             "The Armenian defence ministry said soldiers had pushed roughly {k} km into {place} province during the "
             "night."),
            ("Baku said its soldiers were standing on its own side of the border according to Soviet-era maps.",
             "According to Baku, its forces stand on Azerbaijani land as drawn on Soviet maps."),
            ("{n} soldiers were killed in the clashes near {place2}, the heaviest since the war, {official} said.",
             "{official} said {n} soldiers died in the fighting around {place2}, the worst since the war."),
            ("Monitors from {org} visited the villages near {place} on {weekday} and counted {m} damaged houses.",
             "On {weekday} monitors of {org} toured villages around {place} and found {m} houses damaged."),
        ],
        "nl": [
            ("Troepen drongen 's nachts zo'n {k} kilometer de provincie {place} binnen, meldde het ministerie van "
             "Defensie in Jerevan.",
             "Volgens het Armeense ministerie van Defensie rukten soldaten 's nachts ongeveer {k} kilometer op in de "
             "provincie {place}."),
            ("Bakoe stelt dat zijn soldaten volgens Sovjetkaarten aan de eigen kant van de grens staan.",
             "Volgens Bakoe staan de eigen troepen op Azerbeidzjaans grondgebied zoals Sovjetkaarten dat aangeven."),
            ("Bij de gevechten bij {place2}, de zwaarste sinds de oorlog, kwamen {n} soldaten om, zei {official}.",
             "{official} meldde dat {n} militairen sneuvelden bij de gevechten rond {place2}, de hevigste sinds de "
             "oorlog."),
            ("Waarnemers van {org} bezochten op {weekday} de dorpen bij {place} en telden {m} beschadigde huizen.",
             "Op {weekday} trokken waarnemers van {org} door de dorpen rond {place}; ze telden {m} beschadigde woningen."),
        ],
        "de": [
            ("Truppen seien über Nacht etwa {k} Kilometer in die Provinz {place} vorgedrungen, teilte das "
             "Verteidigungsministerium in Eriwan mit.",
             "Laut dem armenischen Verteidigungsministerium rückten Soldaten in der Nacht rund {k} Kilometer in die "
             "Provinz {place} vor."),
            ("Bei den Gefechten nahe {place2}, den schwersten seit dem Krieg, wurden {n} Soldaten getötet, sagte "
             "{official}.",
             "{official} sagte, bei den Kämpfen um {place2}, den heftigsten seit Kriegsende, seien {n} Soldaten "
             "gefallen."),
            ("Beobachter von {org} besuchten am {weekday} Dörfer bei {place} und zählten {m} beschädigte Häuser.",
             "Am {weekday} zählten Beobachter von {org} in Dörfern rund um {place} {m} beschädigte Häuser."),
        ],
        "fr": [
            ("Des troupes ont avancé d'environ {k} kilomètres dans la province de {place} pendant la nuit, selon le "
             "ministère arménien de la Défense.",
             "Le ministère arménien de la Défense affirme que des soldats ont progressé de quelque {k} km dans la "
             "province de {place} durant la nuit."),
            ("{n} soldats ont été tués dans les affrontements près de {place2}, les plus graves depuis la guerre, a "
             "déclaré {official}.",
             "{official} a déclaré que {n} soldats avaient péri dans les combats autour de {place2}, les pires depuis "
             "la guerre."),
            ("Des observateurs de {org} ont visité {weekday} les villages proches de {place} et recensé {m} maisons "
             "endommagées.",
             "{weekday}, des observateurs de {org} ont parcouru les villages autour de {place} et compté {m} maisons "
             "endommagées."),
        ],
    },
    "diplomacy": {
        "en": [
            ("{official} met his counterpart in {venue} on {weekday} to discuss the text of a peace treaty.",
             "On {weekday} {official} held talks with his counterpart in {venue} on the draft peace treaty."),
            ("The two sides agreed on {k} of the treaty's articles, but not on border demarcation, diplomats said.",
             "Diplomats said {k} articles of the treaty had been settled, while the demarcation of the border remained "
             "open."),
            ("Baku insists that Armenia first change its constitution, which it says contains claims on Karabakh.",
             "Armenia must first amend a constitution that lays claim to Karabakh, Baku insists."),
            ("{official} called the meeting in {venue} constructive and said a new round would follow in {month}.",
             "A new round will follow in {month}, said {official}, who described the {venue} meeting as "
             "constructive."),
        ],
        "nl": [
            ("{official} ontmoette op {weekday} in {venue} zijn ambtgenoot om over de tekst van een vredesverdrag te "
             "praten.",
             "Op {weekday} overlegde {official} in {venue} met zijn collega over het ontwerp van het vredesverdrag."),
            ("Beide landen werden het eens over {k} artikelen van het verdrag, maar niet over de grensafbakening, "
             "zeggen diplomaten.",
             "Volgens diplomaten liggen {k} artikelen van het verdrag vast, terwijl de afbakening van de grens open "
             "blijft."),
            ("Bakoe eist dat Armenië eerst zijn grondwet wijzigt, die volgens Azerbeidzjan aanspraak maakt op Karabach.",
             "Armenië moet eerst een grondwet aanpassen die aanspraak maakt op Karabach, houdt Bakoe vol."),
            ("{official} noemde het overleg in {venue} constructief en kondigde een nieuwe ronde aan in {month}.",
             "In {month} volgt een nieuwe ronde, zei {official}, die het overleg in {venue} constructief noemde."),
        ],
        "de": [
            ("{official} traf am {weekday} in {venue} seinen Amtskollegen, um über den Text eines Friedensvertrags zu "
             "sprechen.",
             "Am {weekday} beriet {official} in {venue} mit seinem Kollegen über den Entwurf des Friedensvertrags."),
            ("Beide Seiten einigten sich auf {k} Artikel des Vertrags, nicht aber auf die Grenzziehung, hieß es aus "
             "Diplomatenkreisen.",
             "Diplomaten zufolge sind {k} Artikel des Vertrags geklärt, die Demarkation der Grenze bleibt offen."),
            ("{official} nannte das Treffen in {venue} konstruktiv; eine neue Runde solle im {month} folgen.",
             "Im {month} folge eine weitere Runde, sagte {official}, der das Treffen in {venue} als konstruktiv "
             "bezeichnete."),
        ],
        "fr": [
            ("{official} a rencontré {weekday} son homologue à {venue} pour discuter du texte d'un traité de paix.",
             "{weekday}, {official} s'est entretenu à {venue} avec son homologue du projet de traité de paix."),
            ("Les deux pays se sont accordés sur {k} articles du traité, mais pas sur la délimitation de la "
             "frontière, selon des diplomates.",
             "Selon des diplomates, {k} articles du traité sont réglés, la délimitation de la frontière restant en "
             "suspens."),
            ("{official} a qualifié la rencontre de {venue} de constructive et annoncé un nouveau cycle en {month}.",
             "Un nouveau cycle suivra en {month}, a dit {official}, qui a jugé la rencontre de {venue} constructive."),
        ],
    },
    "blockade": {
        "en": [
            ("The road through the Lachin corridor has been blocked for {k} days by protesters presenting themselves "
             "as environmental activists.",
             "Protesters who call themselves eco-activists have blocked the Lachin corridor road for {k} days."),
            ("Only {org} convoys still reach Stepanakert, carrying about {m} tonnes of food and medicine a week.",
             "About {m} tonnes of food and medicine a week now reach Stepanakert, all of it in {org} convoys."),
            ("Gas supplies to {place} were cut on {weekday}, leaving {n} households without heating.",
             "Since {weekday} {n} households in {place} have been without heating after the gas was cut off."),
        ],
        "nl": [
            ("De weg door de Latsjin-corridor is al {k} dagen geblokkeerd door demonstranten die zich milieuactivisten "
             "noemen.",
             "Betogers die zich als milieuactivisten voordoen, houden de weg door de Latsjin-corridor al {k} dagen "
             "dicht."),
            ("Alleen konvooien van {org} bereiken Stepanakert nog, met zo'n {m} ton voedsel en medicijnen per week.",
             "Per week komt er nog ongeveer {m} ton voedsel en medicijnen in Stepanakert aan, allemaal met konvooien "
             "van {org}."),
            ("De gastoevoer naar {place} werd op {weekday} afgesloten, waardoor {n} huishoudens zonder verwarming "
             "zitten.",
             "Sinds {weekday} zitten {n} huishoudens in {place} zonder verwarming, nadat het gas werd afgesloten."),
        ],
        "de": [
            ("Die Straße durch den Latschin-Korridor ist seit {k} Tagen von Demonstranten blockiert, die sich als "
             "Umweltschützer ausgeben.",
             "Seit {k} Tagen blockieren angebliche Umweltaktivisten die Straße durch den Latschin-Korridor."),
            ("Nur noch Konvois von {org} erreichen Stepanakert, mit etwa {m} Tonnen Lebensmitteln und Medikamenten pro "
             "Woche.",
             "Wöchentlich kommen nur noch rund {m} Tonnen Lebensmittel und Arznei in Stepanakert an, alle mit Konvois "
             "von {org}."),
        ],
        "fr": [
            ("La route du corridor de Latchine est bloquée depuis {k} jours par des manifestants se présentant comme "
             "des militants écologistes.",
             "Des manifestants se disant écologistes bloquent depuis {k} jours la route du corridor de Latchine."),
            ("Seuls les convois de {org} atteignent encore Stepanakert, avec environ {m} tonnes de vivres et de "
             "médicaments par semaine.",
             "Environ {m} tonnes de vivres et de médicaments arrivent chaque semaine à Stepanakert, uniquement par les "
             "convois de {org}."),
        ],
    },
    "mines": {
        "en": [
            ("Since the war, {n} people have been killed or injured by landmines around {place}, most of them "
             "civilians.",
             "Landmines around {place} have killed or injured {n} people since the war, most of them civilians."),
            ("Deminers have cleared {k} square kilometres near {place2} this year, but many villages remain off "
             "limits.",
             "This year deminers cleared {k} km² around {place2}, yet many villages are still closed."),
            ("The government says rebuilding the region will cost {m} million manat over the next years.",
             "Rebuilding the region will take {m} million manat in the coming years, according to the government."),
        ],
        "nl": [
            ("Sinds de oorlog zijn rond {place} {n} mensen gedood of gewond geraakt door landmijnen, de meesten "
             "burgers.",
             "Landmijnen rond {place} hebben sinds de oorlog {n} mensen gedood of verwond, vooral burgers."),
            ("Ontmijners hebben dit jaar {k} vierkante kilometer bij {place2} vrijgemaakt, maar veel dorpen blijven "
             "verboden terrein.",
             "Dit jaar ruimden ontmijners {k} vierkante kilometer rond {place2}, toch blijven veel dorpen afgesloten."),
            ("De wederopbouw van de regio kost de komende jaren {m} miljoen manat, zegt de regering.",
             "Volgens de regering vergt de wederopbouw van het gebied de komende jaren {m} miljoen manat."),
        ],
        "de": [
            ("Seit dem Krieg wurden rund um {place} {n} Menschen durch Landminen getötet oder verletzt, die meisten "
             "Zivilisten.",
             "Landminen um {place} haben seit dem Krieg {n} Menschen getötet oder verletzt, überwiegend Zivilisten."),
            ("Minenräumer haben in diesem Jahr {k} Quadratkilometer bei {place2} geräumt, viele Dörfer bleiben aber "
             "gesperrt.",
             "In diesem Jahr räumten Minenräumer {k} Quadratkilometer um {place2}, doch viele Dörfer sind weiter "
             "gesperrt."),
        ],
        "fr": [
            ("Depuis la guerre, {n} personnes ont été tuées ou blessées par des mines autour de {place}, en majorité "
             "des civils.",
             "Les mines ont tué ou blessé {n} personnes autour de {place} depuis la guerre, surtout des civils."),
            ("Les démineurs ont dépollué {k} kilomètres carrés près de {place2} cette année, mais de nombreux villages "
             "restent interdits.",
             "Cette année, {k} km² ont été déminés autour de {place2}, mais beaucoup de villages restent fermés."),
        ],
    },
    "politics": {
        "en": [
            ("The ruling party won {k} percent of the vote in {month}'s snap election, the central electoral commission "
             "said.",
             "According to the central electoral commission, the ruling party took {k} percent in the early election "
             "of {month}."),
            ("Thousands of protesters gathered in Yerevan on {weekday} to demand the resignation of the government.",
             "On {weekday} thousands of demonstrators rallied in Yerevan calling for the government to step down."),
            ("{official} told parliament that the handover of {place} had been unavoidable.",
             "The handover of {place} could not have been avoided, {official} told parliament."),
        ],
        "nl": [
            ("De regeringspartij kreeg {k} procent van de stemmen bij de vervroegde verkiezingen van {month}, meldt de "
             "kiescommissie.",
             "Volgens de centrale kiescommissie behaalde de regeringspartij {k} procent bij de vervroegde verkiezingen "
             "van {month}."),
            ("Duizenden demonstranten verzamelden zich op {weekday} in Jerevan om het aftreden van de regering te eisen.",
             "Op {weekday} eisten duizenden betogers in Jerevan het vertrek van de regering."),
            ("{official} zei in het parlement dat de overdracht van {place} onvermijdelijk was.",
             "De overdracht van {place} was niet te vermijden, zei {official} in het parlement."),
        ],
        "de": [
            ("Die Regierungspartei erhielt bei der vorgezogenen Wahl im {month} {k} Prozent der Stimmen, teilte die "
             "Wahlkommission mit.",
             "Laut der Zentralen Wahlkommission kam die Regierungspartei bei der vorgezogenen Wahl im {month} auf {k} "
             "Prozent."),
            ("Tausende Demonstranten forderten am {weekday} in Eriwan den Rücktritt der Regierung.",
             "Am {weekday} verlangten Tausende Menschen in Eriwan, dass die Regierung zurücktritt."),
        ],
        "fr": [
            ("Le parti au pouvoir a obtenu {k} % des voix aux législatives anticipées de {month}, selon la commission "
             "électorale.",
             "Selon la commission électorale centrale, le parti au pouvoir a recueilli {k} % lors du scrutin anticipé "
             "de {month}."),
            ("Des milliers de manifestants se sont rassemblés {weekday} à Erevan pour exiger la démission du "
             "gouvernement.",
             "{weekday}, des milliers de manifestants ont réclamé à Erevan le départ du gouvernement."),
        ],
    },
}

BACKGROUND: dict[str, list[Template]] = {
    "en": [
        ("Nagorno-Karabakh is internationally recognised as part of Azerbaijan but was run by ethnic Armenians for "
         "three decades.",
         "Internationally recognised as Azerbaijani, Nagorno-Karabakh was governed by ethnic Armenians for thirty "
         "years."),
        ("The six-week war in the autumn of 2020 killed more than {n} soldiers on both sides.",
         "More than {n} soldiers on both sides died in the six-week war of autumn 2020."),
        ("Neither claim could be independently verified.", "The claims could not be confirmed independently."),
        ("The statement did not say when talks would resume.", "No date was given for a new round of talks."),
    ],
    "nl": [
        ("Nagorno-Karabach hoort internationaal bij Azerbeidzjan, maar werd drie decennia bestuurd door etnische "
         "Armeniërs.",
         "Internationaal geldt Nagorno-Karabach als Azerbeidzjaans, maar dertig jaar lang hadden etnische Armeniërs er "
         "het bestuur."),
        ("In de oorlog van zes weken in het najaar van 2020 kwamen aan beide kanten meer dan {n} soldaten om.",
         "Meer dan {n} militairen aan beide zijden sneuvelden in de zes weken durende oorlog van najaar 2020."),
        ("Geen van beide beweringen kon onafhankelijk worden bevestigd.",
         "Onafhankelijke bevestiging van de beweringen was niet mogelijk."),
        ("In de verklaring stond niet wanneer de gesprekken worden hervat.",
         "Een datum voor nieuwe gesprekken werd niet genoemd."),
    ],
    "de": [
        ("Bergkarabach gehört völkerrechtlich zu Aserbaidschan, wurde aber drei Jahrzehnte lang von Armeniern "
         "verwaltet.",
         "Völkerrechtlich aserbaidschanisch, stand Bergkarabach dreißig Jahre unter armenischer Verwaltung."),
        ("Im sechswöchigen Krieg im Herbst 2020 wurden auf beiden Seiten mehr als {n} Soldaten getötet.",
         "Mehr als {n} Soldaten beider Seiten starben im sechswöchigen Krieg vom Herbst 2020."),
        ("Unabhängig überprüfen ließen sich die Angaben nicht.", "Die Angaben konnten nicht unabhängig bestätigt werden."),
    ],
    "fr": [
        ("Le Haut-Karabakh est reconnu internationalement comme azerbaïdjanais mais a été administré par des "
         "Arméniens pendant trois décennies.",
         "Reconnu comme territoire azerbaïdjanais, le Haut-Karabakh a été gouverné trente ans durant par des "
         "Arméniens."),
        ("La guerre de six semaines de l'automne 2020 a fait plus de {n} morts parmi les soldats des deux camps.",
         "Plus de {n} soldats des deux camps sont morts pendant la guerre de six semaines de l'automne 2020."),
        ("Aucune de ces affirmations n'a pu être vérifiée de source indépendante.",
         "Ces affirmations n'ont pas pu être confirmées de manière indépendante."),
    ],
}

# Quoted speech: the main source of difference between articles on the same topic. A wire copy keeps the
# quote word for word and rewords only the attribution, as copies do.
QUOTES: dict[str, tuple[str, ...]] = {
    "en": (
        "We have nowhere else to go; this is the land of our grandparents",
        "The ceasefire exists only on paper",
        "Every night we hear the drones above the village",
        "Our soldiers are defending the territorial integrity of our country",
        "Nobody from the government has come to see us",
        "The international community must not look away",
        "We buried my brother in the garden because the cemetery was under fire",
        "There is no military solution to this conflict",
        "The road has been closed for weeks and the shelves in the shops are empty",
        "We are ready to sign a peace treaty tomorrow if the other side is serious",
        "The hospital has no more insulin and the generators run out of fuel tonight",
        "These maps will save lives, but thousands of mines remain",
        "I taught in this school for twenty years, and now it has no roof",
        "The people who left will not come back under foreign rule",
        "This is a historic day for our nation",
        "Both sides must withdraw their troops to the positions of last year",
        "We ask the peacekeepers to guarantee the safety of the road",
        "My son was called up on the first day and we have not heard from him since",
        "The negotiations were difficult but honest",
        "Prisoners must be released without preconditions",
        "Our farmers cannot reach their fields because of snipers",
        "The border has to be drawn on the basis of the Alma-Ata declaration",
        "We will rebuild every house that was destroyed",
        "Children are sleeping in classrooms that have become shelters",
        "The shelling started at dawn and did not stop until the evening",
        "Nobody can tell us where our relatives are buried",
        "We have documented the use of banned weapons in residential areas",
        "The mission will report what it sees, nothing more and nothing less",
        "Gas, electricity and the internet were cut at the same time",
        "Elections will take place as planned despite the difficult situation",
        "Any provocation will receive an adequate response",
        "We lost everything in one night: the house, the animals, the orchard",
        "The corridor must remain open for civilian traffic at all times",
        "There can be no peace without justice for the victims",
        "The ambulance could not reach the village for three hours",
        "We count on our partners in Europe to keep their promises",
        "The church has stood here for eight hundred years",
        "The water pipeline was damaged and the town has been dry for days",
        "Our delegation left the talks because the other side changed the agenda",
        "I am seventy years old and this is the third war I have seen",
    ),
    "nl": (
        "We kunnen nergens anders heen; dit is het land van onze grootouders",
        "Het staakt-het-vuren bestaat alleen op papier",
        "Elke nacht horen we de drones boven het dorp",
        "Onze soldaten verdedigen de territoriale integriteit van ons land",
        "Niemand van de regering is bij ons langsgekomen",
        "De internationale gemeenschap mag niet wegkijken",
        "We hebben mijn broer in de tuin begraven omdat de begraafplaats onder vuur lag",
        "Er bestaat geen militaire oplossing voor dit conflict",
        "De weg is al weken dicht en de schappen in de winkels zijn leeg",
        "We tekenen morgen een vredesverdrag als de andere kant het meent",
        "Het ziekenhuis heeft geen insuline meer en de generatoren hebben vannacht geen brandstof meer",
        "Deze kaarten redden levens, maar er liggen nog duizenden mijnen",
        "Twintig jaar heb ik op deze school lesgegeven, en nu heeft ze geen dak meer",
        "Wie vertrokken is, komt niet terug onder vreemd bestuur",
        "Dit is een historische dag voor ons volk",
        "Beide kanten moeten hun troepen terugtrekken naar de posities van vorig jaar",
        "We vragen de vredestroepen de veiligheid van de weg te garanderen",
        "Mijn zoon werd op de eerste dag opgeroepen en sindsdien hebben we niets van hem gehoord",
        "De onderhandelingen waren moeilijk maar eerlijk",
        "Gevangenen moeten zonder voorwaarden worden vrijgelaten",
        "Onze boeren kunnen hun akkers niet bereiken door sluipschutters",
        "De grens moet worden getrokken op basis van de verklaring van Alma-Ata",
        "We bouwen elk verwoest huis weer op",
        "Kinderen slapen in klaslokalen die schuilkelders zijn geworden",
        "De beschietingen begonnen bij zonsopgang en hielden pas 's avonds op",
        "Niemand kan ons vertellen waar onze familieleden begraven liggen",
        "We hebben het gebruik van verboden wapens in woonwijken vastgelegd",
        "De missie meldt wat ze ziet, niet meer en niet minder",
        "Gas, stroom en internet vielen tegelijk uit",
        "De verkiezingen gaan ondanks de moeilijke situatie gewoon door",
        "Op elke provocatie volgt een passend antwoord",
        "We zijn in één nacht alles kwijtgeraakt: het huis, de dieren, de boomgaard",
        "De corridor moet altijd open blijven voor burgerverkeer",
        "Er kan geen vrede zijn zonder gerechtigheid voor de slachtoffers",
        "De ambulance kon het dorp drie uur lang niet bereiken",
        "We rekenen erop dat onze partners in Europa hun beloften nakomen",
        "Deze kerk staat hier al achthonderd jaar",
        "De waterleiding is beschadigd en de stad zit al dagen zonder water",
        "Onze delegatie verliet het overleg omdat de andere kant de agenda veranderde",
        "Ik ben zeventig en dit is de derde oorlog die ik meemaak",
    ),
    "de": (
        "Wir können nirgendwo anders hin; das ist das Land unserer Großeltern",
        "Die Waffenruhe existiert nur auf dem Papier",
        "Jede Nacht hören wir die Drohnen über dem Dorf",
        "Unsere Soldaten verteidigen die territoriale Integrität unseres Landes",
        "Niemand von der Regierung hat sich hier blicken lassen",
        "Die internationale Gemeinschaft darf nicht wegsehen",
        "Wir haben meinen Bruder im Garten begraben, weil der Friedhof unter Beschuss lag",
        "Es gibt keine militärische Lösung für diesen Konflikt",
        "Die Straße ist seit Wochen gesperrt und die Regale in den Läden sind leer",
        "Wir unterschreiben morgen einen Friedensvertrag, wenn die andere Seite es ernst meint",
        "Das Krankenhaus hat kein Insulin mehr, und heute Nacht geht den Generatoren der Treibstoff aus",
        "Diese Karten retten Leben, aber Tausende Minen liegen noch im Boden",
        "Zwanzig Jahre habe ich an dieser Schule unterrichtet, jetzt hat sie kein Dach mehr",
        "Wer gegangen ist, kommt unter fremder Herrschaft nicht zurück",
        "Das ist ein historischer Tag für unser Volk",
        "Beide Seiten müssen ihre Truppen auf die Stellungen des Vorjahres zurückziehen",
        "Wir bitten die Friedenstruppen, die Sicherheit der Straße zu garantieren",
        "Mein Sohn wurde am ersten Tag einberufen, seitdem haben wir nichts von ihm gehört",
        "Die Verhandlungen waren schwierig, aber ehrlich",
        "Gefangene müssen ohne Vorbedingungen freigelassen werden",
        "Unsere Bauern erreichen ihre Felder wegen der Scharfschützen nicht",
        "Die Grenze muss auf Grundlage der Erklärung von Alma-Ata gezogen werden",
        "Wir bauen jedes zerstörte Haus wieder auf",
        "Kinder schlafen in Klassenzimmern, die zu Schutzräumen geworden sind",
        "Der Beschuss begann im Morgengrauen und hörte erst am Abend auf",
        "Niemand kann uns sagen, wo unsere Angehörigen begraben sind",
        "Wir haben den Einsatz verbotener Waffen in Wohngebieten dokumentiert",
        "Die Mission berichtet, was sie sieht, nicht mehr und nicht weniger",
        "Gas, Strom und Internet fielen gleichzeitig aus",
        "Die Wahlen finden trotz der schwierigen Lage wie geplant statt",
        "Auf jede Provokation folgt eine angemessene Antwort",
        "Wir haben in einer Nacht alles verloren: das Haus, die Tiere, den Obstgarten",
        "Der Korridor muss für den zivilen Verkehr jederzeit offen bleiben",
        "Ohne Gerechtigkeit für die Opfer kann es keinen Frieden geben",
        "Der Krankenwagen kam drei Stunden lang nicht ins Dorf",
        "Wir verlassen uns darauf, dass unsere Partner in Europa ihre Zusagen einhalten",
        "Diese Kirche steht seit achthundert Jahren hier",
        "Die Wasserleitung ist beschädigt, die Stadt ist seit Tagen ohne Wasser",
        "Unsere Delegation hat die Gespräche verlassen, weil die andere Seite die Tagesordnung geändert hat",
        "Ich bin siebzig Jahre alt, und das ist der dritte Krieg, den ich erlebe",
    ),
    "fr": (
        "Nous n'avons nulle part où aller, c'est la terre de nos grands-parents",
        "Le cessez-le-feu n'existe que sur le papier",
        "Chaque nuit, nous entendons les drones au-dessus du village",
        "Nos soldats défendent l'intégrité territoriale de notre pays",
        "Personne du gouvernement n'est venu nous voir",
        "La communauté internationale ne doit pas détourner le regard",
        "Nous avons enterré mon frère dans le jardin parce que le cimetière était sous le feu",
        "Il n'y a pas de solution militaire à ce conflit",
        "La route est fermée depuis des semaines et les rayons des magasins sont vides",
        "Nous signerons un traité de paix demain si l'autre camp est sérieux",
        "L'hôpital n'a plus d'insuline et les générateurs seront à court de carburant ce soir",
        "Ces cartes sauveront des vies, mais des milliers de mines restent",
        "J'ai enseigné vingt ans dans cette école, et maintenant elle n'a plus de toit",
        "Ceux qui sont partis ne reviendront pas sous une domination étrangère",
        "C'est un jour historique pour notre nation",
        "Les deux camps doivent retirer leurs troupes sur les positions de l'an dernier",
        "Nous demandons aux soldats de la paix de garantir la sécurité de la route",
        "Mon fils a été mobilisé le premier jour et nous n'avons plus de nouvelles depuis",
        "Les négociations ont été difficiles mais honnêtes",
        "Les prisonniers doivent être libérés sans conditions préalables",
        "Nos agriculteurs ne peuvent pas atteindre leurs champs à cause des tireurs embusqués",
        "La frontière doit être tracée sur la base de la déclaration d'Alma-Ata",
        "Nous reconstruirons chaque maison détruite",
        "Des enfants dorment dans des salles de classe devenues des abris",
        "Les bombardements ont commencé à l'aube et n'ont cessé que le soir",
        "Personne ne peut nous dire où nos proches sont enterrés",
        "Nous avons documenté l'usage d'armes interdites dans des quartiers résidentiels",
        "La mission rapportera ce qu'elle voit, ni plus ni moins",
        "Le gaz, l'électricité et internet ont été coupés en même temps",
        "Les élections auront lieu comme prévu malgré la situation difficile",
        "Toute provocation recevra une réponse adéquate",
        "Nous avons tout perdu en une nuit: la maison, les bêtes, le verger",
        "Le corridor doit rester ouvert à la circulation civile en permanence",
        "Il ne peut y avoir de paix sans justice pour les victimes",
        "L'ambulance n'a pas pu atteindre le village pendant trois heures",
        "Nous comptons sur nos partenaires en Europe pour tenir leurs promesses",
        "Cette église se dresse ici depuis huit cents ans",
        "La conduite d'eau est endommagée et la ville est privée d'eau depuis des jours",
        "Notre délégation a quitté les pourparlers parce que l'autre camp a changé l'ordre du jour",
        "J'ai soixante-dix ans et c'est la troisième guerre que je vois",
    ),
}
JOBS = {
    "nl": ("een lerares", "een boer", "een arts", "een taxichauffeur", "een winkelier", "een verpleegster",
           "een gepensioneerde ingenieur", "een student", "een priester", "een bakker"),
    "en": ("a teacher", "a farmer", "a doctor", "a taxi driver", "a shopkeeper", "a nurse", "a retired engineer",
           "a student", "a priest", "a baker"),
    "de": ("eine Lehrerin", "ein Bauer", "eine Ärztin", "ein Taxifahrer", "ein Ladenbesitzer", "eine Krankenschwester",
           "ein pensionierter Ingenieur", "ein Student", "ein Priester", "ein Bäcker"),
    "fr": ("une enseignante", "un agriculteur", "une médecin", "un chauffeur de taxi", "un commerçant",
           "une infirmière", "un ingénieur retraité", "un étudiant", "un prêtre", "un boulanger"),
}
ATTRIBUTIONS: dict[str, list[Template]] = {
    "en": [('{speaker} said: "{quote}."', '"{quote}," {speaker} said.'),
           ('"{quote}," {speaker} told reporters in {place2}.', '{speaker} told journalists in {place2}: "{quote}."'),
           ('{person}, {job} from {place}, said: "{quote}."', '"{quote}," said {person}, {job} from {place}.')],
    "nl": [('{speaker} zei: "{quote}."', '"{quote}", zei {speaker}.'),
           ('"{quote}", zei {speaker} tegen verslaggevers in {place2}.',
            '{speaker} zei tegen journalisten in {place2}: "{quote}."'),
           ('{person}, {job} uit {place}, zei: "{quote}."', '"{quote}", zegt {person}, {job} uit {place}.')],
    "de": [('{speaker} sagte: "{quote}."', '"{quote}", sagte {speaker}.'),
           ('"{quote}", sagte {speaker} vor Reportern in {place2}.',
            '{speaker} sagte Journalisten in {place2}: "{quote}."'),
           ('{person}, {job} aus {place}, sagte: "{quote}."', '"{quote}", sagt {person}, {job} aus {place}.')],
    "fr": [('{speaker} a déclaré: «{quote}.»', '«{quote}», a déclaré {speaker}.'),
           ('«{quote}», a dit {speaker} à des journalistes à {place2}.',
            '{speaker} a confié à des journalistes à {place2}: «{quote}.»'),
           ('{person}, {job} de {place}, raconte: «{quote}.»', '«{quote}», raconte {person}, {job} de {place}.')],
}

TITLES: dict[str, dict[str, Template]] = {
    "shelling": {"en": ("{n} civilians killed as shelling hits {place}", "Shelling of {place} kills {n} civilians"),
                 "nl": ("{n} burgers gedood bij beschieting van {place}", "Beschieting {place} eist {n} burgerlevens"),
                 "de": ("{n} Zivilisten bei Beschuss von {place} getötet", "Beschuss von {place}: {n} Zivilisten tot"),
                 "fr": ("{n} civils tués dans le bombardement de {place}", "Le bombardement de {place} tue {n} civils")},
    "truce": {"en": ("Humanitarian truce agreed in {venue}", "{venue} talks yield humanitarian ceasefire"),
              "nl": ("Humanitair bestand overeengekomen in {venue}", "Overleg in {venue} levert staakt-het-vuren op"),
              "de": ("Humanitäre Waffenruhe in {venue} vereinbart", "Gespräche in {venue} bringen Feuerpause"),
              "fr": ("Trêve humanitaire conclue à {venue}", "Les pourparlers de {venue} aboutissent à une trêve")},
    "refugees": {"en": ("Thousands flee {place} as fighting nears", "Exodus from {place} passes {n}"),
                 "nl": ("Duizenden ontvluchten {place}", "Uittocht uit {place} passeert {n}"),
                 "de": ("Tausende fliehen aus {place}", "Flucht aus {place}: mehr als {n} Menschen"),
                 "fr": ("Des milliers de personnes fuient {place}", "L'exode depuis {place} dépasse {n} personnes")},
    "prisoners": {"en": ("{n} prisoners handed over near {place}", "Prisoner exchange near {place} frees {n}"),
                  "nl": ("{n} gevangenen overgedragen bij {place}", "Gevangenenruil bij {place}: {n} vrij"),
                  "de": ("{n} Gefangene bei {place} übergeben", "Gefangenenaustausch bei {place}: {n} frei"),
                  "fr": ("{n} prisonniers remis près de {place}", "Échange de prisonniers près de {place}")},
    "peacekeepers": {"en": ("Peacekeepers set up posts around {place}", "Russian troops take positions near {place}"),
                     "nl": ("Vredestroepen richten posten in rond {place}", "Russische militairen posteren bij {place}"),
                     "de": ("Friedenstruppen beziehen Posten um {place}", "Russische Soldaten bei {place} stationiert"),
                     "fr": ("Les soldats de la paix s'installent autour de {place}",
                            "Des militaires russes déployés près de {place}")},
    "border": {"en": ("Deadly clashes on the border near {place}", "Border fighting near {place} leaves {n} dead"),
               "nl": ("Dodelijke grensgevechten bij {place}", "Grensgevechten bij {place} eisen {n} doden"),
               "de": ("Tödliche Grenzgefechte bei {place}", "Grenzkämpfe bei {place}: {n} Tote"),
               "fr": ("Affrontements meurtriers à la frontière près de {place}",
                      "Combats frontaliers près de {place}: {n} morts")},
    "diplomacy": {"en": ("Foreign ministers meet in {venue} on peace treaty", "Peace treaty talks resume in {venue}"),
                  "nl": ("Ministers overleggen in {venue} over vredesverdrag", "Vredesoverleg hervat in {venue}"),
                  "de": ("Außenminister beraten in {venue} über Friedensvertrag",
                         "Friedensgespräche in {venue} fortgesetzt"),
                  "fr": ("Les ministres se retrouvent à {venue} pour le traité de paix",
                         "Reprise des négociations de paix à {venue}")},
    "blockade": {"en": ("Lachin corridor blocked for {k} days", "Blockade of Lachin road enters day {k}"),
                 "nl": ("Latsjin-corridor al {k} dagen dicht", "Blokkade Latsjin-weg duurt {k} dagen"),
                 "de": ("Latschin-Korridor seit {k} Tagen blockiert", "Blockade der Latschin-Straße: Tag {k}"),
                 "fr": ("Le corridor de Latchine bloqué depuis {k} jours", "Blocus de la route de Latchine: jour {k}")},
    "mines": {"en": ("Landmines still kill around {place}", "Mines around {place} claim more victims"),
              "nl": ("Landmijnen blijven doden rond {place}", "Mijnen rond {place} maken nieuwe slachtoffers"),
              "de": ("Landminen töten weiter um {place}", "Minen um {place} fordern weitere Opfer"),
              "fr": ("Les mines tuent toujours autour de {place}", "Les mines autour de {place} font de nouvelles victimes")},
    "politics": {"en": ("Ruling party wins {k} percent in snap vote", "Snap election: ruling party takes {k} percent"),
                 "nl": ("Regeringspartij haalt {k} procent", "Vervroegde verkiezingen: {k} procent voor regeringspartij"),
                 "de": ("Regierungspartei holt {k} Prozent", "Vorgezogene Wahl: {k} Prozent für Regierungspartei"),
                 "fr": ("Le parti au pouvoir obtient {k} %", "Législatives anticipées: {k} % pour le parti au pouvoir")},
}
TOPICS = tuple(SENTENCES)

OUTLETS = {
    "nl": ("Het Avondnieuws", "Dagblad Noord", "De Zuidelijke Courant", "De Wereldkrant", "Het Oosten", "Nieuwsblad "
           "West", "De Kustbode", "Het Middenblad"),
    "en": ("Meridian Wire", "Caspian Ledger", "Highland Dispatch", "Yerevan Evening Post", "Baku Observer",
           "Absheron Times", "Ararat Courier", "Caucasus Monitor", "Southern Gazette", "Eastern Herald"),
    "de": ("Rheinische Rundschau", "Kaukasus-Bote", "Nordkurier am Abend", "Süddeutsche Depesche", "Alpenblatt",
           "Hanse-Anzeiger"),
    "fr": ("Le Courrier de l'Est", "La Dépêche du Caucase", "Le Matin du Sud", "L'Observateur", "Le Journal des "
           "Monts", "La Gazette de l'Ouest"),
}


# -- articles -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedArticle:
    """One article of the benchmark corpus, in the seed format's pieces."""

    seq: int
    title: str
    outlet: str
    slug: str
    published: str
    """`YYYY-MM-DD`, or `YYYY-MM` for the month-only articles."""
    language: str
    paragraphs: tuple[str, ...]
    copy_of: int | None
    """Sequence number of the original for a planted wire copy."""

    @property
    def file_name(self) -> str:
        return f"{self.slug}--{self.seq:07d}.txt"


@dataclass(frozen=True)
class _Sentence:
    pool: str
    """A topic's name, "background" or "quote"."""
    template: int
    variant: int
    slots: dict[str, str]


def _index(language: str) -> int:
    return LANGUAGES.index(language)


def _date_words(day: date, language: str) -> str:
    month = MONTH_NAMES[language][day.month - 1]
    if language == "de":
        return f"{day.day}. {month}"
    return f"{day.day} {month}"


def _slots(rng: random.Random, language: str, day: date, place: int, official: int) -> dict[str, str]:
    i = _index(language)
    other = rng.randrange(len(PLACES))
    first = rng.choice(FIRST_NAMES)
    return {
        "place": PLACES[place if rng.random() < 0.7 else rng.randrange(len(PLACES))][i],
        "place2": PLACES[other][i],
        "venue": VENUES[rng.randrange(len(VENUES))][i],
        "official": OFFICIALS[official if rng.random() < 0.6 else rng.randrange(len(OFFICIALS))][i],
        "side": SIDES[rng.randrange(len(SIDES))][i],
        "weapon": WEAPONS[rng.randrange(len(WEAPONS))][i],
        "org": ORGS[rng.randrange(len(ORGS))][i],
        "person": f"{first} {rng.choice(LAST_NAMES)}",
        "age": str(rng.randint(19, 84)),
        "weekday": WEEKDAYS[language][(day - timedelta(days=rng.randint(0, 2))).weekday()],
        "date": _date_words(day - timedelta(days=rng.randint(1, 9)), language),
        "month": MONTH_NAMES[language][(day.month + rng.randint(-1, 1) - 1) % 12],
        "n": str(rng.choice((rng.randint(2, 60), rng.randint(60, 900), rng.randint(1000, 90000)))),
        "m": str(rng.randint(3, 400)),
        "k": str(rng.randint(2, 48)),
    }


def _render(sentence: _Sentence, language: str, variant: int) -> str:
    if sentence.pool == "quote":
        pool = ATTRIBUTIONS[language]
    elif sentence.pool == "background":
        pool = BACKGROUND[language]
    else:
        pool = SENTENCES[sentence.pool][language]
    text = pool[sentence.template][variant].format(**sentence.slots)
    return text[0].upper() + text[1:]


def day_of(seq: int) -> date:
    """The day article `seq` is published (60 articles a day, in order)."""
    return START + timedelta(days=seq // ARTICLES_PER_DAY)


def original_of(seq: int) -> int | None:
    """The article a planted copy rewords: one published a little earlier (same or previous day)."""
    if seq % COPY_EVERY != COPY_EVERY - 1 or seq < COPY_EVERY:
        return None
    return seq - 1 - random.Random(seq * 7919).randrange(ARTICLES_PER_DAY // 2)


def _compose(seq: int) -> tuple[str, str, int, dict[str, str], list[list[_Sentence]], date, str]:
    """Topic, language, title variant and slots, paragraphs of sentences, day and outlet of an original article.

    An article reports on a main topic with some of a second one and quotes ten
    speakers from the quote pool (its own choice of ten), one sentence in three.
    """
    rng = random.Random(seq)
    language = rng.choices(LANGUAGES, weights=_LANGUAGE_WEIGHTS)[0]
    topic, second = rng.sample(TOPICS, 2)
    day = day_of(seq)
    place = rng.randrange(len(PLACES))
    official = rng.randrange(len(OFFICIALS))
    outlet = rng.choice(OUTLETS[language])
    quotes = rng.sample(range(len(QUOTES[language])), 10)
    paragraphs: list[list[_Sentence]] = []
    for _ in range(rng.randint(8, 12)):
        sentences = []
        for _ in range(rng.choice((2, 3, 3, 3, 4))):
            draw = rng.random()
            slots = _slots(rng, language, day, place, official)
            if draw < 0.33:
                slots["quote"] = QUOTES[language][rng.choice(quotes)]
                slots["speaker"] = slots["official"]
                slots["job"] = rng.choice(JOBS[language])
                sentences.append(_Sentence("quote", rng.randrange(len(ATTRIBUTIONS[language])), rng.randrange(2),
                                           slots))
            elif draw < 0.43:
                sentences.append(_Sentence("background", rng.randrange(len(BACKGROUND[language])), rng.randrange(2),
                                           slots))
            else:
                pool = topic if draw < 0.83 else second
                sentences.append(_Sentence(pool, rng.randrange(len(SENTENCES[pool][language])), rng.randrange(2),
                                           slots))
        paragraphs.append(sentences)
    title_variant = rng.randrange(2)
    return topic, language, title_variant, _slots(rng, language, day, place, official), paragraphs, day, outlet


def plan_article(seq: int) -> PlannedArticle:
    """Article number `seq` of the benchmark corpus (deterministic).

    A planted copy renders its original's sentences and title in the other
    phrasing, under another outlet of the same language, on its own day.
    """
    original = original_of(seq)
    topic, language, title_variant, title_slots, paragraphs, _, outlet = _compose(
        original if original is not None else seq)
    flip = 0
    if original is not None:
        flip = 1
        outlet = random.Random(seq).choice([o for o in OUTLETS[language] if o != outlet])
    title = TITLES[topic][language][title_variant ^ flip].format(**title_slots)
    texts = tuple(" ".join(_render(s, language, s.variant ^ flip) for s in sentences) for sentences in paragraphs)
    published = published_of(seq)
    slug = f"{outlet.lower().replace(' ', '-').replace(chr(39), '')}-{topic}"
    return PlannedArticle(seq, title, outlet, slug, published, language, texts, original)


def published_of(seq: int) -> str:
    """The date line of article `seq`: its day, or only its month for one article in `MONTH_ONLY_EVERY`."""
    day = day_of(seq)
    return day.isoformat() if seq % MONTH_ONLY_EVERY else f"{day.year:04d}-{day.month:02d}"


def seed_text(article: PlannedArticle) -> str:
    """The article as a seed-format file (header lines, date line with the lead, blank-line paragraphs)."""
    url = f"https://example.org/{article.slug}/{article.published}/{article.seq}"
    body = "\n\n".join(article.paragraphs[1:])
    return (f"title: {article.title}\noutlet: {article.outlet}\nurl: {url}\n"
            f"date {article.published} {article.paragraphs[0]}\n\n{body}\n")


# -- questions ------------------------------------------------------------------------------------

_QUESTIONS: dict[str, tuple[str, ...]] = {
    "en": (
        "How many civilians were killed in the shelling of {place}?", "What did {official} say about {place}?",
        "When was {place} shelled?", "Who mediated the ceasefire talks in {venue}?",
        "What happened in {place} on {date} {year}?", "How many people fled {place}?",
        "How many prisoners of war were handed over near {place}?", "Where did Russian peacekeepers set up posts?",
        "What did Baku say about the border near {place}?", "how long was the lachin corridor blocked",
        "How many people were hurt by landmines around {place} in {month} {year}?",
        "What percentage did the ruling party win in the snap election?",
    ),
    "nl": (
        "Hoeveel burgers kwamen om bij de beschieting van {place}?", "Wat zei {official} over {place}?",
        "Wanneer werd {place} beschoten?", "Wie bemiddelde bij het staakt-het-vuren in {venue}?",
        "Wat gebeurde er op {date} {year} in {place}?", "Hoeveel mensen zijn uit {place} gevlucht?",
        "Hoeveel krijgsgevangenen werden bij {place} overgedragen?", "Waar richtten Russische vredestroepen posten in?",
        "Wat zei Bakoe over de grens bij {place}?", "hoe lang was de latsjin-corridor dicht",
        "Hoeveel mensen raakten gewond door landmijnen rond {place} in {month} {year}?",
        "Hoeveel procent haalde de regeringspartij bij de vervroegde verkiezingen?",
    ),
}


def question(n: int, last_day: date) -> str:
    """Question number `n`, in Dutch or English, about places, people and days the corpus up to `last_day` holds."""
    rng = random.Random(f"question {n}")
    language = "nl" if n % 2 else "en"
    template = rng.choice(_QUESTIONS[language])
    span = max(1, (last_day - START).days)
    day = START + timedelta(days=rng.randrange(span))
    official = OFFICIALS[rng.randrange(len(OFFICIALS))][_index(language)]
    return template.format(
        place=PLACES[rng.randrange(len(PLACES))][_index(language)],
        official=official.split()[-1] if rng.random() < 0.5 else official,
        venue=VENUES[rng.randrange(len(VENUES))][_index(language)],
        date=_date_words(day, language), year=day.year, month=MONTH_NAMES[language][day.month - 1],
    )
