"""The 50 cities portrayed in the 2019 Smart-City-Atlas (Bitkom, Fraunhofer IESE), name -> slug."""

ATLAS_CITIES: dict[str, str] = {
    "Aachen": "aachen", "Augsburg": "augsburg", "Bad Hersfeld": "bad-hersfeld",
    "Bamberg": "bamberg", "Bergisch Gladbach": "bergisch-gladbach", "Berlin": "berlin",
    "Bonn": "bonn", "Braunschweig": "braunschweig", "Bremen": "bremen", "Chemnitz": "chemnitz",
    "Coburg": "coburg", "Cottbus": "cottbus", "Darmstadt": "darmstadt", "Dortmund": "dortmund",
    "Dresden": "dresden", "Duisburg": "duisburg", "Düsseldorf": "duesseldorf", "Emden": "emden",
    "Freiburg im Breisgau": "freiburg-im-breisgau", "Gelsenkirchen": "gelsenkirchen",
    "Gütersloh": "guetersloh", "Hamburg": "hamburg", "Hannover": "hannover",
    "Heidelberg": "heidelberg", "Ingolstadt": "ingolstadt", "Jena": "jena",
    "Kaiserslautern": "kaiserslautern", "Karlsruhe": "karlsruhe", "Köln": "koeln",
    "Konstanz": "konstanz", "Leipzig": "leipzig", "Lemgo": "lemgo", "Ludwigsburg": "ludwigsburg",
    "Magdeburg": "magdeburg", "Monheim am Rhein": "monheim-am-rhein", "München": "muenchen",
    "Münster": "muenster", "Norderstedt": "norderstedt", "Nürnberg": "nuernberg",
    "Oldenburg": "oldenburg", "Paderborn": "paderborn", "Ravensburg": "ravensburg",
    "Rostock": "rostock", "Saarbrücken": "saarbruecken", "Soest": "soest",
    "Stuttgart": "stuttgart", "Ulm": "ulm", "Wolfsburg": "wolfsburg", "Wuppertal": "wuppertal",
    "Würzburg": "wuerzburg",
}
