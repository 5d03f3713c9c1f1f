"""Word lists and distributions for the synthetic data generator. Plain data
and small pure functions of a random.Random; no database."""
from __future__ import annotations

import random

# Vocational profiles and how often a vmbo vestiging offers them (relative
# weights): Zorg en welzijn is common, Mobiliteit en transport rare.
PROFILE_WEIGHTS: dict[str, float] = {
    "ZW": 30, "EO": 16, "PIE": 13, "BWI": 11, "DP": 10, "HBR": 8, "MVI": 7, "GR": 6,
    "MAT": 4, "MT": 1.2,
}
TL_PROFILE_WEIGHTS: dict[str, float] = {"TL-EC": 4, "TL-ZW": 3, "TL-TE": 3, "TL-GR": 1}
# Which of a school's profielen a route is built on: mostly vocational ones.
ROUTE_PROFILE_WEIGHTS: dict[str, float] = {**PROFILE_WEIGHTS, **{k: 2.0 for k in TL_PROFILE_WEIGHTS}}
# How many vocational profiles a school offers: most 1-3.
PROFILE_COUNT_WEIGHTS: dict[int, float] = {1: 34, 2: 32, 3: 20, 4: 9, 5: 5}

# Profile -> plausible mbo domains (first is most likely).
PROFILE_DOMAINS: dict[str, tuple[str, ...]] = {
    "ZW": ("ZW", "ZW", "VS"), "EO": ("HO", "EA"), "PIE": ("TP", "TP", "BI"),
    "BWI": ("BI", "AHO"), "DP": ("VS", "UV", "ZW"), "HBR": ("HB", "TR"),
    "MVI": ("MV", "ICT"), "GR": ("VNL",), "MAT": ("TSL", "TP"), "MT": ("MOV", "TSL"),
    "TL-EC": ("EA", "HO"), "TL-ZW": ("ZW",), "TL-TE": ("TP", "ICT"), "TL-GR": ("VNL",),
}

QUALIFICATIONS: dict[str, tuple[str, ...]] = {
    "ZW": ("Helpende zorg en welzijn", "Verzorgende-IG", "Pedagogisch medewerker", "Maatschappelijke zorg"),
    "VS": ("Medewerker sport en recreatie", "Beveiliger", "Coördinator sportinstructie"),
    "HO": ("Verkoopmedewerker", "Eerste verkoper", "Ondernemer detailhandel"),
    "EA": ("Medewerker secretariaat en receptie", "Financieel administratief medewerker"),
    "TP": ("Monteur mechatronica", "Eerste monteur elektrotechnische installaties", "Technicus engineering"),
    "BI": ("Timmerman", "Metselaar", "Allround medewerker bouw en infra"),
    "AHO": ("Schilder", "Allround schilder", "Meubelmaker"),
    "UV": ("Kapper", "Schoonheidsspecialist"),
    "HB": ("Kok", "Zelfstandig werkend kok", "Medewerker bediening", "Bakker"),
    "TR": ("Medewerker recreatie", "Zelfstandig medewerker travel en hospitality"),
    "MV": ("Mediavormgever", "Medewerker podium- en evenemententechniek"),
    "ICT": ("Medewerker ICT support", "Expert IT systems and devices"),
    "VNL": ("Medewerker groene ruimte", "Vakbekwaam medewerker dierverzorging", "Hovenier"),
    "TSL": ("Logistiek medewerker", "Matroos binnenvaart", "Chauffeur goederenvervoer"),
    "MOV": ("Autotechnicus", "Eerste autotechnicus", "Fietstechnicus"),
    "ENT": ("Assistent dienstverlening en zorg",),
    "ALG": ("Laborant", "Allround goudsmid"),
}

# kind -> (weight, level weights)
KIND_WEIGHTS: dict[str, float] = {
    "dlr": 46, "glr": 16, "leerlab": 8, "vakmanschap": 13, "technologie": 10, "beroeps": 7,
}
KIND_LEVELS: dict[str, dict[str, float]] = {
    "dlr": {"2": 35, "3": 35, "4": 30},
    "glr": {"2": 100},
    "leerlab": {"2": 40, "3": 30, "4": 30},
    "vakmanschap": {"2": 70, "3": 30},
    "technologie": {"4": 100},
    "beroeps": {"4": 100},
}
KIND_TITLES = {
    "dlr": "Doorlopende leerroute", "glr": "Geïntegreerde route", "leerlab": "Leerlab",
    "vakmanschap": "Vakmanschaproute", "technologie": "Technologieroute", "beroeps": "Beroepsroute",
}
EXPERIMENT_KINDS = frozenset({"vakmanschap", "technologie", "beroeps"})
LEVEL_PATHWAYS = {"2": ("BB", "KB"), "3": ("KB", "GL"), "4": ("KB", "GL", "TL")}

EMPLOYER_PREFIXES = (
    "Bouwbedrijf", "Installatiebedrijf", "Zorggroep", "Zorgcentrum", "Autobedrijf", "Transport",
    "Hoveniersbedrijf", "Restaurant", "Bakkerij", "Metaalbewerking", "Machinebouw", "Kinderopvang",
    "Elektrotechniek", "Logistiek Centrum", "Drukkerij", "Garage", "Hotel", "Thuiszorg",
    "Scheepswerf", "Schildersbedrijf", "Timmerfabriek", "Supermarkt", "ICT-bedrijf", "Kapsalon",
)
SURNAMES = (
    "De Vries", "Jansen", "Van den Berg", "Bakker", "Visser", "Smit", "Meijer", "De Boer", "Mulder",
    "De Groot", "Bos", "Vos", "Peters", "Hendriks", "Van Leeuwen", "Dekker", "Brouwer", "De Wit",
    "Dijkstra", "Smits", "De Graaf", "Van der Meer", "Van der Linden", "Kok", "Jacobs", "Vermeulen",
    "Van Dijk", "Schouten", "Willems", "Hoekstra", "Koster", "Prins", "Huisman", "Kuipers",
)
FIRST_NAMES = (
    "Anna", "Bram", "Carla", "Daan", "Eva", "Fatima", "Gert", "Hanna", "Ilse", "Jeroen", "Kim",
    "Lotte", "Mo", "Noor", "Omar", "Petra", "Quinten", "Rosa", "Sem", "Tess", "Umut", "Vera",
    "Wouter", "Yara", "Zeynep", "Bart", "Sanne", "Ruben", "Lieke", "Ahmed",
)
MBO_PREFIXES = ("ROC", "ROC", "ROC", "Vakcollege", "AOC", "Techniek College", "Zorgcollege")

PRACTICE_TOPICS = (
    ("Techniekroute met leerbedrijven", ("techniek", "bedrijfsleven"), "PIE"),
    ("Geïntegreerde route zorg en welzijn", ("zorg", "praktijkgericht"), "ZW"),
    ("Warme overdracht tegen zomerlek", ("overstap", "lob"), None),
    ("Hybride docenten techniek in de bovenbouw", ("hybride", "techniek"), "PIE"),
    ("LOB-programma vanaf leerjaar 2", ("lob",), None),
    ("Krimpregio: samen één techniekaanbod", ("krimp", "techniek"), "BWI"),
    ("Bekostiging eerlijk verdeeld", ("bekostiging",), None),
    ("Doorstroom van gemengde leerweg naar havo", ("havo",), None),
    ("Praktijkleren in de horeca", ("praktijkgericht", "bedrijfsleven"), "HBR"),
    ("Mobiliteitstechniek in de garage van het roc", ("techniek", "praktijkgericht"), "MT"),
    ("Leerwerkplaats groen", ("praktijkgericht",), "GR"),
    ("Gastdocenten uit het bedrijfsleven", ("hybride", "bedrijfsleven"), None),
)
PRACTICE_TAGS = (
    "stage", "mentor", "ouders", "examen", "rooster", "werkplaats", "regio", "subsidie",
    "leerlingvolg", "begeleiding", "doorstroom", "samenwerking", "ict", "zorg", "techniek",
)
SENTENCES = (
    "Leerlingen volgen vanaf leerjaar 3 een deel van het programma op het mbo.",
    "De docenten van vmbo en mbo vormen één team met een gezamenlijke planning.",
    "Het bedrijfsleven levert gastdocenten en praktijkopdrachten.",
    "De overstap naar het mbo gebeurt zonder extra intake, zodat er geen zomerlek is.",
    "Elke leerling heeft een vaste mentor die ook in het mbo aanspreekpunt blijft.",
    "De bekostiging volgt de inspanning: wie het onderwijs verzorgt, ontvangt de middelen.",
    "Er is een overstapgarantie naar een passende plek op vmbo of mbo niveau 2.",
    "Ouders worden twee keer per jaar betrokken bij de loopbaanoriëntatie.",
    "De route is samen met de gemeente en regionale werkgevers opgezet.",
    "Techniek staat centraal: leerlingen werken in de werkplaats van het roc.",
    "De examinering van het mbo-deel ligt bij de mbo-instelling.",
    "Na twee jaar is de route geëvalueerd en op onderdelen aangepast.",
    "Het rooster van vmbo en mbo is op elkaar afgestemd, zodat lessen niet botsen.",
    "Leerlingen lopen in het derde leerjaar een snuffelstage bij een leerbedrijf.",
    "Een werkgroep van docenten schreef samen het programma voor leerjaar 3 en 4.",
    "De gemeente betaalt mee aan het leerlingenvervoer naar de mbo-locatie.",
    "Het examenreglement van beide scholen is naast elkaar gelegd en aangepast.",
    "Per cohort starten ongeveer twintig leerlingen in de route.",
    "De uitval in het eerste mbo-jaar is sinds de start van de route gedaald.",
    "Loopbaangesprekken worden gevoerd door mentor en praktijkopleider samen.",
    "Leerlingen met extra ondersteuning houden hun begeleider bij de overstap.",
    "De route sluit aan bij de vraag van zorginstellingen in de regio.",
    "Voor de horeca werken de scholen samen met een leerrestaurant.",
    "Het programma is in kleine stappen ingevoerd, eerst met één klas.",
    "Docenten lopen elk jaar een week mee in het bedrijfsleven.",
    "De samenwerking is vastgelegd in een samenwerkingsovereenkomst met een addendum per jaar.",
    "Leerlingen maken een portfolio dat ze meenemen naar het mbo.",
    "Ouders en leerlingen krijgen een informatieavond op de mbo-locatie.",
    "Een coördinator van elke school bewaakt de planning en de afspraken.",
    "Bij krimp in de regio houdt de samenwerking het aanbod op peil.",
    "Het praktijklokaal wordt gedeeld door vmbo- en mbo-leerlingen.",
    "De resultaten worden jaarlijks besproken met het regionale bedrijfsleven.",
    "Een leerling die wil overstappen krijgt binnen twee weken een nieuw aanbod.",
    "De leerroute leidt op tot een diploma op niveau 2 in een vertrouwde omgeving.",
    "Havo-doorstroom blijft mogelijk voor leerlingen uit de gemengde leerweg.",
    "In de bovenbouw werken leerlingen aan opdrachten van echte opdrachtgevers.",
    "De scholen gebruiken één leerlingvolgsysteem voor de hele route.",
    "Burgerschap en taal worden geïntegreerd in de praktijkopdrachten.",
    "Het mbo verzorgt de beroepsgerichte vakken, het vmbo de algemene vakken.",
    "De route is in drie jaar gegroeid van één naar vier profielen.",
)


def weighted(rng: random.Random, weights: dict) -> object:
    """One key of `weights`, drawn in proportion to its weight (deterministic for rng)."""
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys], k=1)[0]


def weighted_sample(rng: random.Random, weights: dict, count: int) -> list:
    """`count` distinct keys, drawn without replacement in proportion to weight."""
    pool = dict(weights)
    out = []
    while pool and len(out) < count:
        key = weighted(rng, pool)
        out.append(key)
        del pool[key]
    return out


def person_name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"


def paragraph(rng: random.Random, sentences: int) -> str:
    return " ".join(rng.sample(SENTENCES, k=min(sentences, len(SENTENCES))))


def school_year(start: int) -> str:
    return f"{start}-{start + 1}"
