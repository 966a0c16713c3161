#!/usr/bin/env python3
"""Writes intents/data/train.tsv: the training set of the intent model.

Sentences are written by hand as templates per intent, filled with slot values
(cities, roles, days, events...) and roughened the way people type on phones:
no accents, chat shorthand (x, nn, ke, cmq, xke), typos, stretched letters,
greetings in front, "grazie" or "pls" behind. The output is deterministic
(fixed seed) and committed; after editing this script run

    python3 intents/tools/make_train.py && <build>/intents/intents_train

The shared development set (../shared/nlu/dev.tsv) and the frozen blind set
(intents/eval/blind.tsv) are never used for training: a generated line of three
words or more equal to one of theirs once normalised is dropped.
"""
import os
import random
import re
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "data")
DEV = os.path.join(HERE, "..", "..", "..", "shared", "nlu", "dev.tsv")
# The frozen blind set (intents/eval/blind.tsv) is held out like dev.tsv.
BLIND = os.path.join(HERE, "..", "eval", "blind.tsv")
# The phrasings engine_test checks against are held out too.
TEST_HOLDOUT = [os.path.join(HERE, "..", "..", "tests", "intents", "data", name)
                for name in ("holdout.tsv", "holdout2.tsv")]

rng = random.Random(20261120)

CITIES = ["Bari", "Molfetta", "Modugno", "Bitonto", "Lecce", "Taranto", "Brindisi", "Foggia",
          "Andria", "Barletta", "Trani", "Altamura", "Monopoli", "Milano", "Roma", "Napoli",
          "Torino", "Bologna", "Firenze", "Palermo", "Genova", "Verona", "Padova", "Putignano",
          "Gioia del Colle", "Polignano a Mare", "Conversano", "Fasano", "Ostuni", "Gallipoli",
          "Manfredonia", "Cerignola", "Matera", "Potenza", "Pescara", "Salerno", "Caserta",
          "Catania", "Cagliari", "Venezia", "Rimini", "Triggiano", "Casamassima", "Corato"]
CITIES_EN = ["Milan", "Rome", "Naples", "Turin", "Florence", "Venice", "Bari", "Lecce", "Bologna"]
ROLES = ["cameriere", "cameriera", "barista", "cuoco", "aiuto cuoco", "pizzaiolo", "commesso",
         "commessa", "magazziniere", "operaio", "elettricista", "idraulico", "muratore", "autista",
         "corriere", "rider", "receptionist", "segretaria", "impiegato", "impiegata",
         "contabile", "programmatore", "sviluppatore", "web developer", "grafico",
         "social media manager", "infermiere", "oss", "badante", "babysitter", "educatore",
         "animatore", "bagnino", "estetista", "parrucchiere", "meccanico", "saldatore",
         "falegname", "bracciante", "addetto alle pulizie", "operatore call center",
         "addetto vendite", "cassiere", "cassiera", "farmacista", "fisioterapista",
         "insegnante", "traduttore", "data entry", "hostess", "guida turistica", "fotografo",
         "lavapiatti", "panettiere", "pasticcere", "carrellista", "mulettista", "geometra",
         "ingegnere", "commercialista", "addetta mensa", "tecnico informatico"]
ROLES_EN = ["waiter", "waitress", "bartender", "cook", "chef", "shop assistant",
            "warehouse worker", "driver", "developer", "programmer", "receptionist", "nurse",
            "cleaner", "cashier", "electrician", "designer", "sales assistant", "babysitter",
            "delivery rider", "lifeguard", "tour guide", "barista"]
CONTRACTS = ["part time", "full time", "stagionale", "per l'estate", "nel weekend",
             "a tempo determinato", "a tempo indeterminato", "in apprendistato", "da remoto",
             "serale", "per la stagione estiva", "per qualche mese", "fisso", "a chiamata",
             "con contratto", "in smart working"]
CONTRACTS_EN = ["part-time", "full-time", "seasonal", "for the summer", "remote",
                "at weekends", "temporary", "permanent"]
DAYS = ["lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato", "domani",
        "dopodomani", "la settimana prossima", "oggi pomeriggio", "il 3 dicembre", "il 15/12",
        "stamattina", "giovedì mattina", "venerdì pomeriggio", "il 10 gennaio", "lunedì prossimo",
        "fra due giorni", "la prossima settimana", "domani alle 10"]
DAYS_EN = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "tomorrow", "next week",
           "this afternoon", "on the 3rd", "Friday morning"]
EVENTS = ["recruiting day", "career day", "job day", "open day", "workshop", "seminario",
          "webinar", "laboratorio", "giornata di selezione", "fiera del lavoro",
          "incontro con le aziende", "evento", "job meeting", "hackathon"]
EVENTS_EN = ["recruiting day", "career day", "job fair", "workshop", "seminar", "webinar",
             "open day", "event", "meetup"]
TOPICS = ["sul cv", "su linkedin", "sul colloquio di lavoro", "sull'autoimprenditorialità",
          "del turismo", "della logistica", "con Amazon", "con Decathlon", "con Leroy Merlin",
          "sull'Erasmus", "sulle soft skills", "per il settore sanitario", "sul digitale",
          "per diplomati", "della ristorazione", "con le agenzie per il lavoro", ""]
PROGRAMS = ["garanzia giovani", "il tirocinio", "i tirocini", "l'Erasmus+", "il servizio civile",
            "Resto al Sud", "EURES", "i corsi di formazione", "il corso di inglese",
            "il corso di informatica", "l'apprendistato", "il bonus per le assunzioni",
            "i finanziamenti per le startup", "la dote lavoro", "il tirocinio extracurriculare",
            "Erasmus per giovani imprenditori", "il servizio civile universale",
            "i corsi per disoccupati", "i corsi gratuiti", "l'autoimpiego"]
PROGRAMS_EN = ["Garanzia Giovani", "the Youth Guarantee", "internships", "Erasmus+",
               "civil service", "EURES", "training courses", "apprenticeships",
               "funding for startups", "language courses"]
PLACES = ["porta futuro", "il centro per l'impiego", "lo sportello", "la sede", "il centro",
          "l'ufficio"]
SECTORS = ["logistica", "turismo", "ristorazione", "informatica", "sanità", "commercio",
           "edilizia", "marketing", "moda", "agricoltura", "amministrazione", "grafica"]

ABBREV = [(r"\bper\b", "x"), (r"\bnon\b", "nn"), (r"\bche\b", "ke"), (r"\bcomunque\b", "cmq"),
          (r"\bperché\b", "xké"), (r"\bperche\b", "xke"), (r"\bgrazie\b", "grz"),
          (r"\bqualcosa\b", "qlcs"), (r"\bqualche\b", "qlc"), (r"\bsono\b", "sn"),
          (r"\bcome\b", "cm"), (r"\bquando\b", "qnd"), (r"\bper favore\b", "pls"),
          (r"\bprossima\b", "prox"), (r"\bmessaggi\b", "msg"), (r"\bragazzi\b", "raga"),
          (r"\bpiù\b", "+"), (r"\btutto\b", "tt"), (r"\bdomani\b", "dmn")]
ABBREV_EN = [(r"\byou\b", "u"), (r"\bplease\b", "pls"), (r"\bthanks\b", "thx"),
             (r"\bI'm\b", "im"), (r"\bdon't\b", "dont"), (r"\bwant to\b", "wanna"),
             (r"\byour\b", "ur"), (r"\bare\b", "r")]
OPENERS = ["ciao", "salve", "buongiorno", "buonasera", "ciao raga", "scusate", "ehi", "ciao!",
           "buongiorno,", "salve,", "ciao a tutti,", "scusa", "senti", "allora", "ok",
           "una domanda:", "hey"]
OPENERS_EN = ["hi", "hello", "hey", "hi there,", "good morning,", "excuse me,", "ok so"]
CLOSERS = ["grazie", "grazie mille", "per favore", "pls", "🙏", "?", "!!", "grazie 😊",
           "x favore", "please", "grz", "..."]
CLOSERS_EN = ["thanks", "please", "thank you", "pls", "?", "!", "thx"]
SOCIAL = {"greet", "thanks", "goodbye", "affirm", "deny"}


def pick(xs):
    return rng.choice(xs)


def fill(template, lang):
    """Replaces {slot} markers with random values."""
    def repl(m):
        slot = m.group(1)
        table = {
            "city": CITIES_EN if lang == "en" else CITIES,
            "role": ROLES_EN if lang == "en" else ROLES,
            "contract": CONTRACTS_EN if lang == "en" else CONTRACTS,
            "day": DAYS_EN if lang == "en" else DAYS,
            "event": EVENTS_EN if lang == "en" else EVENTS,
            "topic": TOPICS,
            "program": PROGRAMS_EN if lang == "en" else PROGRAMS,
            "place": PLACES,
            "sector": SECTORS,
        }[slot]
        return pick(table)
    return re.sub(r"\{(\w+)\}", repl, template)


def strip_accents(s):
    return "".join(c for c in unicodedata.normalize("NFD", s)
                   if unicodedata.category(c) != "Mn")


def typo(s):
    words = s.split(" ")
    idx = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if not idx:
        return s
    i = pick(idx)
    w = words[i]
    k = rng.randrange(1, len(w) - 1)
    kind = rng.randrange(3)
    if kind == 0:
        w = w[:k] + w[k + 1:]
    elif kind == 1:
        w = w[:k - 1] + w[k] + w[k - 1] + w[k + 1:]
    else:
        w = w[:k] + w[k] + w[k:]
    words[i] = w
    return " ".join(words)


def roughen(s, intent, lang):
    if lang == "it" and rng.random() < 0.3:
        s = strip_accents(s)
    if rng.random() < 0.25:
        for pat, rep in (ABBREV_EN if lang == "en" else ABBREV):
            if rng.random() < 0.6:
                s = re.sub(pat, rep, s)
    if rng.random() < 0.12:
        s = typo(s)
    if intent not in SOCIAL and rng.random() < 0.22:
        s = pick(OPENERS_EN if lang == "en" else OPENERS) + " " + s
    if intent not in SOCIAL and rng.random() < 0.18:
        s = s.rstrip("?!. ") + " " + pick(CLOSERS_EN if lang == "en" else CLOSERS)
    r = rng.random()
    if r < 0.25:
        s = s.lower()
    elif r < 0.29:
        s = s.upper()
    elif r < 0.45:
        s = s[:1].upper() + s[1:]
    if rng.random() < 0.1:
        s = s.rstrip("?!. ")
    return re.sub(r"\s+", " ", s).strip()


def norm(s):
    s = strip_accents(s.lower())
    s = re.sub(r"[^a-z0-9]+", " ", s)
    return s.strip()


def load_templates():
    """Reads make_train_templates.txt: '[intent lang]' headers, then one template a line."""
    path = os.path.join(HERE, "make_train_templates.txt")
    templates = []
    intent = lang = None
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            m = re.match(r"^\[(\w+) (it|en)(?: x(\d+))?\]$", line)
            if m:
                intent, lang = m.group(1), m.group(2)
                weight = int(m.group(3) or 3)
                continue
            if intent is None:
                sys.exit(f"make_train_templates.txt:{n}: template before a [intent lang] header")
            templates.append((intent, lang, weight, line.strip()))
    return templates


def main():
    templates = load_templates()
    rows = []
    seen = set()
    verbatim = {}  # normalised template text -> intent, for texts used as written
    # The fourth column names the template a line comes from, so that
    # cross-validation (intents_eval --cv) holds out a phrasing with all of
    # its fillings and roughenings, not a sibling of a line it trained on.
    for group, (intent, lang, weight, template) in enumerate(templates):
        has_slots = "{" in template
        copies = weight if has_slots else max(1, weight - 1)
        for c in range(copies):
            text = fill(template, lang)
            rough = c > 0 or rng.random() < 0.5
            if rough:
                text = roughen(text, intent, lang)
            key = (norm(text), intent)
            if not norm(text) or key in seen:
                continue
            if not rough:
                if verbatim.get(norm(text), intent) != intent:
                    sys.exit(f"make_train: {text!r} is both {verbatim[norm(text)]} and {intent}")
                verbatim[norm(text)] = intent
            seen.add(key)
            rows.append((text, intent, lang, group))
    # Roughening can turn a line into another intent's text ("ok ?" -> "ok"):
    # such a text keeps the intent it has as written, or is dropped.
    labels = {}
    for text, intent, _, _ in rows:
        labels.setdefault(norm(text), set()).add(intent)
    rows = [r for r in rows
            if len(labels[norm(r[0])]) == 1 or verbatim.get(norm(r[0])) == r[1]]
    held_out = set()
    for path in [DEV, BLIND] + TEST_HOLDOUT:
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                held_out |= {norm(line.split("\t")[0]) for line in f}
    # One- and two-word lines ("ciao", "grazie mille") are the language
    # itself, not a copied sentence; a longer one equal to a held-out
    # sentence is dropped, so neither set ever measures what was trained on.
    leaked = {norm(t) for t, _, _, _ in rows
              if norm(t) in held_out and len(norm(t).split()) > 2}
    if leaked:
        rows = [r for r in rows if norm(r[0]) not in leaked]
        print(f"dropped {len(leaked)} sentences equal to held-out ones", file=sys.stderr)
    rng.shuffle(rows)
    out = os.path.join(DATA, "train.tsv")
    with open(out, "w", encoding="utf-8") as f:
        f.write("text\tintent\tlang\ttemplate\n")
        for text, intent, lang, group in rows:
            f.write(f"{text}\t{intent}\t{lang}\t{group}\n")
    counts = {}
    for _, intent, _, _ in rows:
        counts[intent] = counts.get(intent, 0) + 1
    print(f"wrote {out}: {len(rows)} lines")
    for intent in sorted(counts):
        print(f"  {intent:16} {counts[intent]}")


if __name__ == "__main__":
    main()
