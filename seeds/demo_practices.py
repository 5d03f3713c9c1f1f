"""Demo content for the good-practice library: the real examples from the
letters in shared/context/, retold in our own words, each naming its source,
published and linked to the demo organisations (and so to their regions).
Safe to rerun: a practice with the same title is left alone."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models.practice import GoodPractice
from portal.services.practices import operations as service

LETTER_2018 = ("Kamerbrief ‘Programma sterk beroepsonderwijs’ (2018), "
               "minister van Onderwijs, Cultuur en Wetenschap")
LETTER_2021 = ("Verslag van een schriftelijk overleg over de brief Sterk beroepsonderwijs "
               "(2021, Kamerstuk 31 524)")
LETTER_2013 = ("Kamerbrief met de reactie op het VNO-NCW/MKB-Nederland-rapport "
               "‘Naar een versterking van het vmbo’ (2013)")

DEMO_NOTE = "\n\n*Demovoorbeeld: samengevat uit een openbare Kamerbrief, niet door de school zelf geschreven.*"

PRACTICES: list[dict] = [
    dict(
        title="Profijt: twintig jaar samenwerking in het beroepsonderwijs van de Achterhoek",
        summary=("Zesentwintig vmbo- en mbo-scholen in de Achterhoek werken al bijna twintig jaar samen "
                 "in Profijt, met als vraag: waar kunnen we elkaar helpen bij de doorstroom?"),
        body=(
            "## Wat is het?\n\n"
            "Profijt is een vrijwillig samenwerkingsverband van 26 scholen voor beroepsonderwijs in de "
            "Achterhoek. Het doel: zoveel mogelijk jongeren met een diploma de arbeidsmarkt op. De "
            "scholen werken samen aan doorlopende routes vmbo-mbo-hbo, aan LOB en aan een doorlopende "
            "lijn in zorg en ondersteuning.\n\n"
            "## Hoe is het georganiseerd?\n\n"
            "- Bestuurders en directeuren overleggen elke twee maanden in een directieberaad.\n"
            "- Decanen en zorgbegeleiders hebben elk een eigen klankbordgroep.\n"
            "- Twee coördinatoren brengen vmbo- en mbo-docenten regelmatig samen, houden de "
            "voortgang bij en zetten de goede onderwerpen op de agenda.\n\n"
            "De coördinatoren worden betaald uit een bijdrage van de scholen, naar rato van het aantal "
            "leerlingen in de examenklassen. Scholen doen mee omdat ze er zelf beter van worden.\n\n"
            "## Hoe ontwikkelt het zich?\n\n"
            "Door dalende leerlingenaantallen heeft Profijt de doelen opnieuw bepaald: een dekkend "
            "aanbod, betere kwaliteit, een structurele aansluiting vmbo-mbo en een beter perspectief op "
            "de regionale arbeidsmarkt. Zo'n 150 vmbo-leerlingen volgen keuzevakken bij bedrijven in de "
            "regio (STERA), en er komt een doorlopende leerroute vmbo-mbo-hbo."
        ),
        themes=["lob", "zorg", "krimp", "bedrijfsleven"], tags=["samenwerkingsverband", "achterhoek",
                                                               "keuzevakken", "stera"],
        orgs=["schaersvoorde", "graafschap"], levels=["2", "3", "4"], domains=[], source=LETTER_2018,
    ),
    dict(
        title="Talentontwikkeling Techniek: in versneld tempo van vmbo-tl via mbo 4 naar het hbo",
        summary=("ROC Da Vinci College, De Uilenhof (Gorinchem), het Insula College (Dordrecht) en "
                 "Hogeschool Rotterdam bieden praktisch ingestelde techniekleerlingen één doorlopende "
                 "route vmbo-mbo-hbo."),
        body=(
            "Talentontwikkeling Techniek (TOT) is bedoeld voor leerlingen die praktisch zijn ingesteld, "
            "van techniek houden en gemotiveerd zijn om te leren. Ze doorlopen het volledige programma "
            "van vmbo-tl en mbo niveau 4 in kortere tijd, binnen de experimenteerruimte van de "
            "technologieroute.\n\n"
            "## Zo werkt het\n\n"
            "1. In leerjaar 3 van het vmbo gaan de leerlingen één dag per week naar het mbo voor "
            "techniek. Ze sluiten veel vmbo-vakken al af en maken kennis met verschillende "
            "techniekrichtingen, zodat ze bewuster kiezen.\n"
            "2. In leerjaar 4 zitten ze vier dagen per week op het mbo en beginnen ze aan hun "
            "mbo-opleiding.\n\n"
            "De route biedt een brede oriëntatie op de technieksector, verrijking en verdieping, een "
            "soepele overgang van vmbo naar mbo en van mbo naar hbo, en versnelling over het hele traject."
        ),
        themes=["techniek", "praktijkgericht", "overstap"],
        tags=["technologieroute", "hbo", "versnelling", "dordrecht", "gorinchem"],
        orgs=["da_vinci", "insula", "uilenhof"], levels=["4"], domains=["TP"], source=LETTER_2018,
    ),
    dict(
        title="Het Perron in Veenendaal: geen zomerlek dankzij een geïntegreerde route naar mbo 2",
        summary=("CSV Veenendaal en ROC A12 bieden vmbo en mbo op Het Perron als één route aan. Leerlingen "
                 "halen hun mbo-diploma op niveau 2 in de vertrouwde omgeving, zonder zomerlek."),
        body=(
            "## Het probleem: het zomerlek\n\n"
            "CSV Veenendaal en ROC A12 zagen dat een groep jongeren na het vmbo-examen niet goed op het "
            "mbo begon. De lange periode tussen de examens en het einde van de zomervakantie – het "
            "zomerlek – maakte de overstap moeilijk. Anderen haakten op het mbo af zonder "
            "startkwalificatie, omdat de omgeving groot en onbekend was en de begeleiding anders.\n\n"
            "## De oplossing: één route op één plek\n\n"
            "Daarom bieden de twee scholen vmbo en mbo geïntegreerd aan: eerst binnen VM2, daarna als "
            "vakmanschaproute. De route omvat leerjaar 3 en 4 van het vmbo en leerjaar 1 en 2 van het mbo. "
            "Leerlingen kiezen onder meer uit Helpende zorg en welzijn, Kok, Verkoper, Autotechnicus, "
            "Bedrijfsautotechnicus, Metaaltechniek en Logistiek medewerker.\n\n"
            "Een gemengd docententeam van CSV Veenendaal en ROC A12 begeleidt de leerlingen naar het "
            "mbo-diploma. Er wordt nauw samengewerkt met bedrijven, zodat leerlingen veel in de praktijk "
            "leren.\n\n"
            "## Resultaat\n\n"
            "Leerlingen zijn enthousiast, er is geen zomerlek, diploma's worden gehaald en veel leerlingen "
            "stromen door naar niveau 3. Het aanbod wordt daarom uitgebreid."
        ),
        themes=["overstap", "bedrijfsleven", "zorg"],
        tags=["zomerlek", "vakmanschaproute", "geïntegreerde route", "gemengd docententeam"],
        orgs=["perron", "roc_a12"], levels=["2"], domains=["ZW", "HB", "HO", "MOV", "TP", "TSL"],
        source=LETTER_2018,
    ),
    dict(
        title="Technologie & Toepassing op het Dr.-Knippenbergcollege in Helmond",
        summary=("Tl-leerlingen werken aan echte opdrachten van bedrijven en instellingen. Een docent van "
                 "ROC Ter AA beoordeelt het eindassessment mee, dat zo ook als intake voor het mbo dient."),
        body=(
            "Sinds 2015-2016 kunnen tl-leerlingen van het Dr.-Knippenbergcollege schoolexamen doen in het "
            "vak Technologie & Toepassing (T&T). Binnen de zeven bètawerelden ontwikkelen ze "
            "vaardigheden als samenwerken, plannen, organiseren, onderzoeken en presenteren, aan de hand "
            "van levensechte opdrachten van bedrijven en maatschappelijke organisaties.\n\n"
            "## De eindopdracht\n\n"
            "Stichting Britt Helpt daagt de leerlingen uit om de situatie op de Boithuto-school in "
            "Zuid-Afrika te verbeteren. Vanuit hun eigen interesse zoeken ze praktische oplossingen en "
            "lopen ze een dag stage bij een mbo-opleiding of een bedrijf om hun idee uit te werken.\n\n"
            "## Assessment als intake\n\n"
            "Aan het eind presenteren de leerlingen zich aan een commissie. Een docent van ROC Ter AA "
            "beoordeelt mee, zodat het assessment ook meetelt als intakegesprek voor het mbo."
        ),
        themes=["praktijkgericht", "techniek", "bedrijfsleven", "lob"],
        tags=["technologie & toepassing", "tl", "assessment", "intake", "helmond"],
        orgs=["knippenberg", "ter_aa"], levels=[], domains=["TP"], source=LETTER_2018,
    ),
    dict(
        title="On Stage: een beroepenfeest waar vmbo-leerlingen vakmensen ontmoeten",
        summary=("Op het Beroepenfeest van On Stage praten vmbo-leerlingen met beroepsbeoefenaars over "
                 "hun werk; matchmakers koppelen elke leerling aan een vakmens voor een werkbezoek."),
        body=(
            "On Stage is een van de lokale initiatieven die vakmanschap en het beroepsonderwijs op een "
            "feestelijke manier onder de aandacht brengen.\n\n"
            "- Tijdens het **Beroepenfeest** gaan vmbo-leerlingen in gesprek met beroepsbeoefenaars: wat "
            "houdt het beroep in en hoe ziet een werkdag eruit?\n"
            "- **Matchmakers** helpen elke leerling een passende beroepsbeoefenaar te vinden.\n"
            "- De leerling maakt een afspraak voor een **werkbezoek** een paar weken later.\n\n"
            "Zo ontmoeten leerlingen hun toekomstige stagebieder, en soms zelfs hun werkgever. Steeds meer "
            "regio's organiseren zo'n ondernemersnetwerk voor vmbo-leerlingen en mbo-studenten."
        ),
        themes=["lob", "bedrijfsleven"], tags=["beroepenfeest", "matchmakers", "werkbezoek", "stage"],
        orgs=[], levels=[], domains=[], source=LETTER_2018,
    ),
    dict(
        title="Hybride docenten: vakmensen uit het bedrijfsleven als verbinder in het beroepsonderwijs",
        summary=("Een hybride docent werkt deels in een bedrijf en deels in de klas en brengt actuele "
                 "kennis van de werkvloer mee. Goede begeleiding op school is daarbij een voorwaarde."),
        body=(
            "In het schriftelijk overleg over Sterk beroepsonderwijs (2021) vroeg de ChristenUnie-fractie "
            "aandacht voor de hybride docent: iemand die tegelijk in het bedrijfsleven en in het onderwijs "
            "werkt en daardoor bij uitstek leerlingen en de werkvloer met elkaar verbindt.\n\n"
            "## Wat zegt het kabinet?\n\n"
            "- Hybride docenten brengen andere kennis en ervaring de school in; het kabinet ziet daar "
            "kansen in.\n"
            "- Voorwaarde is dat ze op school goed worden begeleid.\n"
            "- Hoe lang en hoeveel uur iemand hybride docent is, hangt af van hoe scholen hen willen "
            "inzetten en hoeveel hybride docenten er beschikbaar zijn.\n"
            "- Elke nieuwe docent verplicht hybride laten zijn vindt het kabinet geen goed plan.\n\n"
            "In de pilot Technologie & Toepassing werken professionals op veel scholen als opdrachtgever "
            "of beoordelaar, en soms als hybride docent. Het kabinet verwacht dat zulke "
            "ervaringsdeskundigen ook bij de andere praktijkgerichte programma's een grote rol krijgen."
        ),
        themes=["hybride", "bedrijfsleven", "praktijkgericht"],
        tags=["hybride docent", "duale carrière", "begeleiding"],
        orgs=[], levels=[], domains=[], source=LETTER_2021,
    ),
    dict(
        title="Gastdocenten: zes uur per week les van een vakman of vakvrouw",
        summary=("Naast de hybride docent is de gastdocent een effectieve manier om onderwijs en "
                 "bedrijfsleven te verbinden. Sinds de wet Sterk beroepsonderwijs mag een gastdocent "
                 "zes in plaats van vier uur per week lesgeven."),
        body=(
            "Al in 2013 schreef de minister dat het Techniekpact op lokaal niveau de inzet van "
            "gastdocenten uit het bedrijfsleven concreet maakt. Scholen kunnen gastdocenten en gastlessen "
            "gebruiken om leerlingen te laten leren van ervaringsdeskundigen uit het werkveld.\n\n"
            "Bij de behandeling van het wetsvoorstel Sterk beroepsonderwijs is het aantal uren dat een "
            "gastdocent per week mag lesgeven verruimd **van 4 naar 6 uur**. Daarmee wordt het makkelijker "
            "om een vakman of vakvrouw structureel een deel van het praktijkonderwijs te laten verzorgen, "
            "bijvoorbeeld in een doorlopende leerroute."
        ),
        themes=["hybride", "bedrijfsleven"], tags=["gastdocent", "gastles", "techniekpact"],
        orgs=[], levels=[], domains=[], source=f"{LETTER_2021}; {LETTER_2013}",
    ),
]

STAFF_EMAIL = "programma@demo.leerroutes.nl"


def seed(session: Session, result) -> list[GoodPractice]:
    staff = result.users.get(STAFF_EMAIL)
    made = []
    for spec in PRACTICES:
        existing = session.scalar(select(GoodPractice).where(GoodPractice.title == spec["title"]))
        if existing is not None:
            made.append(existing)
            continue
        orgs = [result.organisations[k] for k in spec["orgs"] if k in result.organisations]
        data = {
            "title": spec["title"], "summary": spec["summary"], "body": spec["body"] + DEMO_NOTE,
            "themes": spec["themes"], "tags": spec["tags"] + ["demo"],
            "organisation_ids": [o.id for o in orgs], "region_ids": [], "route_ids": [],
            "domain_codes": spec["domains"], "level_codes": spec["levels"],
            "contact_name": "Programma Sterk beroepsonderwijs (demo)", "contact_email": STAFF_EMAIL,
            "source": spec["source"],
        }
        practice = service.create_practice(session, data, staff, is_demo=True)
        service.submit_practice(session, practice, staff)
        service.publish_practice(session, practice, staff)
        made.append(practice)
    return made
