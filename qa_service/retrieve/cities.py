"""Find the Atlas cities a question names, also inflected ("Kölns", "Münchner", "Freiburger")."""

import re
import unicodedata

from qa_service.atlas import ATLAS_CITIES

# Adjective and other forms that the regular rules below do not produce.
IRREGULAR_FORMS = {
    "München": ["münchner", "munich"], "Dresden": ["dresdner"], "Hannover": ["hannoversche", "hannoveraner"],
    "Münster": ["münsteraner", "münstersche"], "Bremen": ["bremer"], "Emden": ["emder"],
    "Darmstadt": ["darmstädter"], "Ingolstadt": ["ingolstädter"], "Köln": ["cologne"],
    "Nürnberg": ["nuremberg"], "Kaiserslautern": ["kaiserslauterer"], "Saarbrücken": ["saarbrücker"],
    "Freiburg im Breisgau": ["freiburg"], "Monheim am Rhein": ["monheim"], "Bad Hersfeld": ["hersfeld"],
    "Bergisch Gladbach": ["bergisch-gladbach"], "Jena": ["jenaer", "jenas"], "Lemgo": ["lemgoer", "lemgos"],
}


def fold(text: str) -> str:
    """Lower-case and map umlauts to their ASCII spellings (ü -> ue), other accents dropped."""
    text = text.casefold().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _forms(name: str) -> set[str]:
    bases = {name.lower(), *IRREGULAR_FORMS.get(name, [])}
    forms = set()
    for base in bases:
        forms |= {base, base + "s", base + "'", base + "er", base + "ern"}
        if base.endswith("e"):
            forms.add(base + "r")
        if base.endswith("en"):
            forms.add(base[:-2] + "er")
    return {fold(form) for form in forms} | {form.replace("ue", "u").replace("oe", "o").replace("ae", "a")
                                             for form in map(fold, forms)}


def within_one_edit(a: str, b: str) -> bool:
    """True when `a` becomes `b` by at most one insertion, deletion, substitution or swap of neighbours."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    prefix = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    a_rest, b_rest = a[prefix:], b[prefix:]
    return (a_rest[1:] == b_rest[1:] or a_rest[1:] == b_rest or a_rest == b_rest[1:]
            or (len(a_rest) > 1 and a_rest[1] + a_rest[0] + a_rest[2:] == b_rest))


class CityDetector:
    """Maps the city mentions of a text to Atlas city names, tolerating one typo in longer names."""

    MIN_FUZZY_LENGTH = 7

    def __init__(self, cities: dict[str, str] = ATLAS_CITIES):
        self._by_form = {form: name for name in cities for form in _forms(name)}
        alternatives = "|".join(sorted(map(re.escape, self._by_form), key=len, reverse=True))
        self._pattern = re.compile(rf"(?<![\w-])({alternatives})(?![\w-])")
        self._fuzzy_forms = [form for form in self._by_form if len(form) >= self.MIN_FUZZY_LENGTH and " " not in form]

    def _typo_mentions(self, folded: str) -> list[tuple[int, int, str]]:
        """(start, end, city) for words one edit away from a city form."""
        found = []
        for match in re.finditer(r"(?<![\w-])[a-z][a-z']{%d,}(?![\w-])" % (self.MIN_FUZZY_LENGTH - 2), folded):
            word = match.group(0)
            if word in self._by_form:
                continue
            city = next((self._by_form[form] for form in self._fuzzy_forms if within_one_edit(word, form)), None)
            if city:
                found.append((match.start(), match.end(), city))
        return found

    def _mentions(self, text: str) -> list[tuple[int, int, str]]:
        folded = fold(text)
        exact = [(m.start(), m.end(), self._by_form[m.group(1)]) for m in self._pattern.finditer(folded)]
        typos = [(start, end, city) for start, end, city in self._typo_mentions(folded)
                 if not any(s <= start < e for s, e, _ in exact)]
        return sorted(exact + typos)

    def without_mentions(self, text: str) -> str:
        """`text` folded (see `fold`) with every city mention removed."""
        folded = fold(text)
        for start, end, _ in reversed(self._mentions(text)):
            folded = folded[:start] + " " + folded[end:]
        return folded

    def detect(self, text: str) -> list[str]:
        """City names mentioned in `text`, in order of first mention."""
        found: list[str] = []
        for _, _, name in self._mentions(text):
            if name not in found:
                found.append(name)
        return found
