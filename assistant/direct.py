"""The direct answer an answer leads with: the name, number, date or yes/no the question asks for,
taken verbatim from the sentence that is quoted after it.

A lead is only given when the sentence holds exactly one candidate of the asked kind (after dropping
what the question itself already says), or one that sits next to what a "how many" counts: a lead
that picks the wrong one of two names would make a doubtful answer look sure, and the quote that
follows answers anyway.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from assistant.text import (
    CURRENCY,
    CURRENCY_SIGNS,
    MODAL_HEDGE,
    MONEY,
    MONEY_QUESTION,
    MONTH_ABBREVIATIONS,
    MONTH_PATTERN,
    MONTHS,
    NEGATION,
    NUMBER_WORDS,
    PERCENT,
    PERCENT_QUESTION,
    STOPWORDS,
    SUM_NOUNS,
    TENS_WORDS,
    TIME,
    TITLES,
    UNIT_WORDS,
    UPPER,
    WEEKDAYS,
    YEAR,
    QuestionType,
    content_terms,
    count_focus,
    count_focus_words,
    negation_count,
    only_an_adverb,
    plural_noun,
    question_type,
    stem,
    strip_markers,
)

if TYPE_CHECKING:
    from assistant.lexicon import Synonyms

_MONTH = MONTH_PATTERN
_WEEKDAY = "(?:" + "|".join(d.capitalize() for d in sorted(WEEKDAYS)) + ")"
# "November 9, 2020", "9 November 2020", "November 2020", "November 9", "2019", "Wednesday", "October".
# The part of a month or year a date may name, written onto it: "mid-October", "early-2021" (the lead had cut
# "mid-October" to "October").
_PART_OF = r"(?:[Ee]arly|[Mm]id|[Ll]ate)-"
DATE_SPAN = re.compile(
    rf"\b(?:{_PART_OF})?(?:{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?(?!\d|[.,]\d)(?:,?\s+(?:19|20)\d{{2}})?"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH}(?:,?\s+(?:19|20)\d{{2}})?"
    rf"|{_MONTH}\s+(?:19|20)\d{{2}}"
    rf"|(?:19|20)\d{{2}}"
    rf"|{_WEEKDAY}"
    rf"|{_MONTH})\b")
_BARE_MONTH = re.compile(rf"{_MONTH}")
# A compound number word first ("twenty-one"): its last word alone had been read as the number ("twenty-one days"
# led "one days", "twenty-one hundred troops" "hundred troops").
_COMPOUND_NUMBER_WORD = f"(?:{TENS_WORDS})-(?:{UNIT_WORDS})"
_NUMBER_WORD = "|".join([_COMPOUND_NUMBER_WORD, *sorted((w for w in NUMBER_WORDS if w != "half"), key=len, reverse=True)])
DURATION_SPAN = re.compile(
    rf"\b(?:\d[\d,.]*|{_NUMBER_WORD}|several|a few)[- ]"
    r"(?:years?|months?|weeks?|days?|hours?|minutes?|decades?)\b", re.I)
# A number with its currency sign, scale and unit word: "£1.6billion", "1,960 troops", "39 per cent".
QUANTITY_SPAN = re.compile(
    rf"(?<![\w-])(?:[{CURRENCY_SIGNS}]\s?)?(?:\b\d[\d,.]*\d|\b\d|\b(?:{_NUMBER_WORD})\b)"
    # a range: "300 to 400 cattle", "$25-$40 million"
    rf"(?:\s?(?:-|–|to)\s?[{CURRENCY_SIGNS}]?\d[\d,.]*)?"
    r"(?:\s?(?:%|per ?cent\b|percent\b))?"
    r"(?:\s?(?:bn|m|k|million|billion|trillion|thousand|hundred)\b)?"
    r"(?:\s+(?!(?:of|and|or|in|on|at|to|for|from|by|with|the|a|an)\b)[A-Za-z][A-Za-z-]+){0,2}", re.I)
# A run of capitalised words, joined by "of" / "de" / "al-" as names are ("Bank of England").
# A name may begin and end in any alphabet's letter: "Tromsø" had been cut to "Troms", "Mesut Özil" to "Mesut".
# An initial or a title written with a period, before the next word of a name ("J. R. Hartley", "George W. Bush",
# "Dr. Sarah Jones"): "Dr." had ended a name as "Dr", an office that blocked the lead, and "J." none at all.
_ABBREVIATED = rf"(?:{UPPER}|Dr|Mr|Mrs|Ms|Prof|Gen|Sen|Rep|Gov|Lt|Col|Capt|Sgt|Rev|St)\.\s+(?={UPPER})"
_NAME_WORD = rf"{UPPER}[\w'’.-]*[^\W_]"
NAME_SPAN = re.compile(rf"\b(?:{_ABBREVIATED})*{_NAME_WORD}(?:\s+(?:of\s+|de\s+|the\s+)?(?:{_ABBREVIATED})*{_NAME_WORD})*")
_CALENDAR = MONTHS | WEEKDAYS | MONTH_ABBREVIATIONS
_LOCATIVE_BEFORE = re.compile(r"\b(?:in|at|near|inside|outside|across|throughout)\s+(?:the\s+)?$", re.I)
# Right after one of these, a name is where something is or comes from: "in Omsk", "from Lichtenworth", "near the
# town of Lachin". After "in the" only a country is (``places_in``: "in the Netherlands"): "in the Outstanding Lead
# Actress category" is no place.
_LOCATIVE_RIGHT_BEFORE = re.compile(
    r"(?:\b(?:in|at|near|from|inside|outside|across|throughout|to|into|off)\s+"
    r"|\b(?:town|city|village|region|province|district|port|capital)\s+of\s+)$", re.I)
_TOWN_QUESTION = re.compile(r"\b(?:which|what)\s+(?:[a-z-]+\s+){0,2}?(?:city|cities|town|capital|village)\b", re.I)
# What a sentence reports without asserting it: a demand, a call, a question ("Protesters demanded that
# Pashinyan resign" does not say he resigned).
_NOT_ASSERTED = re.compile(r"\b(?:demand(?:s|ed)?|call(?:s|ed)? (?:for|on)|urg(?:es|ed)|ask(?:s|ed)|whether|if|unclear|"
                           r"rumou?r(?:s|ed)?|expect(?:s|ed)?|hope(?:s|d)?|plan(?:s|ned)? to|want(?:s|ed)?)\b", re.I)
# Beliefs and impressions a sentence passes on without asserting them ("is believed to have accepted",
# "apparently agreed"): HEDGE lists the modal ones.
# "Set to" is a plan ("is set to accept"). Not "said to reporters", "reported to police": a report, not a belief.
_REPORTED_BELIEF = re.compile(r"\b(?:(?:said|thought|believed|understood|alleged|rumou?red|reported) to (?:be|have)|"
                              r"set to|apparently|seemingly|supposedly|purportedly|ostensibly)\b", re.I)
# Negations NEGATION does not list, for the yes/no lead: "Nobody signed it", "failed to agree", "has yet to sign".
_MORE_NEGATION = re.compile(r"\b(?:nobody|nothing|(?:fail(?:s|ed)?|declin(?:es|ed)) to|yet to)\b", re.I)
# "No. 10", "No 10": the abbreviation of "number" (Downing Street, a shirt), no negation.
_NUMBER_ABBREVIATION = re.compile(r"\b[Nn]o\.\s?(?=\d)|\bNo\s(?=\d)")
# Where one clause of a sentence ends and the next begins, for judging a yes/no in the clause that speaks.
_CLAUSE_BREAK = re.compile(r"[;,:]\s+|\s+(?:although|though|but|while|whereas|which|who)\s+", re.I)


# A second question joined to the first by "and" ("When and where did …", "Who won, and by how many votes?", "How
# many died, and when?"): question_parts leaves such a question whole (a one-word part asks nothing alone), and one
# short answer would answer one of its questions as if it answered both.
_SECOND_QUESTION = re.compile(r"\band\s+(?:(?:by|in|at|on|for|from|to|with|since|until|after)\s+)?"
                              r"(?:who|whom|whose|what|when|where|which|why|how)\b", re.I)


def _no_calendar_date(span: str) -> bool:
    """A bare year or month answers "when" but says on no date ("in 2012", "in October")."""
    span = re.sub(rf"^{_PART_OF}", "", span)  # "mid-October" is no calendar date either
    return bool(YEAR.fullmatch(span) or _BARE_MONTH.fullmatch(span))


def direct_answer(question: str, kind: QuestionType, sentence: str, synonyms: Synonyms | None = None) -> str | None:
    """The short answer ``sentence`` gives to ``question``, verbatim from it, or None when the question
    asks for no short answer or the sentence does not single one out. ``synonyms`` lets what a "how many"
    counts go by another word in the sentence ("cows" / "cattle")."""
    if kind.wants_source:
        return None  # answered from the footnote's provenance instead
    if _SECOND_QUESTION.search(question):
        return None  # asks two things: one lead would answer only one of them
    text = strip_markers(sentence)
    what = kind.asks
    if what == "duration":
        return _single(question, _durations(text))
    if what == "date":
        return _single(question, [d for d in _date_spans(text)
                                  if not (_ASKS_CALENDAR_DATE.search(question) and _no_calendar_date(d))
                                  and not (_baseline_date(text, d) and not _ASKS_PREVIOUS.search(question))])
    if what == "time":
        return _single(question, [m.group(0) for m in TIME.finditer(text)])
    if what == "quantity":
        return _quantity(question, text, synonyms)
    if what == "name":
        return _name(question, text, person=kind.wants_person, place=kind.wants_place)
    if what == "yes_no":
        return _yes_no(question, text)
    return None


# "The most significant breakthrough since 1994", "the first time since March", "the highest since 2008": a date after
# a superlative's "since" is what the event is measured against, not when it happened. The bundled report's "The
# Kremlin produced the most significant breakthrough in the disputed zone since 1994 with a Russian-brokered
# agreement" had led "**1994.**" for when the agreement was signed (November 2020).
_BASELINE = re.compile(r"\b(?:most|least|first|only|best|worst|biggest|largest|highest|lowest|deadliest|greatest|"
                       r"strongest|weakest|longest|shortest|fastest|slowest|sharpest|steepest|heaviest|busiest|warmest|"
                       r"hottest|coldest|wettest|driest|smallest|fewest)\b[^.;:]*\bsince\s+$", re.I)


# ... unless the question asks for that earlier time: "When had a British police officer last been shot dead on duty
# before the Croydon killing?" is answered by "the first time … since September 2012".
_ASKS_PREVIOUS = re.compile(r"\b(?:last|previous(?:ly)?|before|earlier)\b", re.I)


def _baseline_date(text: str, span: str) -> bool:
    """Whether every place ``text`` writes the date ``span`` is a superlative's "since" (:data:`_BASELINE`)."""
    starts = [m.start() for m in re.finditer(re.escape(span), text)]
    return bool(starts) and all(_BASELINE.search(text[max(0, i - 160):i]) for i in starts)


def _single(question: str, spans: list[str]) -> str | None:
    fresh = list(dict.fromkeys(s for s in spans if not _in_question(s, question)))
    return fresh[0] if len(fresh) == 1 else None


# An age written as a compound adjective ("a 10-year-old", "the 30-year-old dispute"): no duration to lead with.
_AGE = re.compile(r"[-‐]olds?\b", re.I)


def _durations(text: str) -> list[str]:
    """The durations ``text`` writes (:data:`DURATION_SPAN`), without an age ("a 10-year-old" had led "10-year"
    for how long a boy was missing)."""
    return [m.group(0) for m in DURATION_SPAN.finditer(text) if not _AGE.match(text, m.end())]


def _in_question(span: str, question: str) -> bool:
    """Whether the question already says ``span``, as words: "May" is not in "the mayor"."""
    return bool(re.search(rf"(?<!\w){re.escape(span.lower())}(?!\w)", question.lower()))


# Words before a month that still date it ("Early May", "In May"); any other capitalised word before a bare
# month makes it a name ("Theresa May resigned" had led "**May.**" for when the prime minister resigned).
_MONTH_MODIFIERS = frozenset({"early", "late", "mid", "last", "next", "since", "until", "till", "by", "from",
                              "throughout", "around", "towards", "toward", "through", "before", "after", "during"})


def _date_spans(text: str) -> list[str]:
    """The dates ``text`` writes (:data:`DATE_SPAN`), without a bare month that is part of a name."""
    out = []
    for m in DATE_SPAN.finditer(text):
        prev = re.search(r"([^\W\d_][\w'’-]*)\s+$", text[:m.start()])
        if _BARE_MONTH.fullmatch(m.group(0)) and prev and prev.group(1)[0].isupper() \
                and prev.group(1).lower() not in STOPWORDS | _MONTH_MODIFIERS | _CALENDAR:
            continue
        out.append(m.group(0))
    return out


def _quantity(question: str, text: str, synonyms: Synonyms | None = None) -> str | None:
    """The number the sentence gives: the one next to what is counted (or to the question's words:
    "how big was the grant" -> "a grant of 40,000 francs"), else the only one; None when that one is not
    the kind of figure asked (:func:`_wrong_figure`)."""
    found = _chosen_quantity(question, text, synonyms)
    return None if found is None or _wrong_figure(question, text, found) else found


def _chosen_quantity(question: str, text: str, synonyms: Synonyms | None = None) -> str | None:
    spans, near = _quantities(question, text, synonyms, lead=True)
    if len(near) == 1:
        return near[0]
    focus_words = count_focus_words(question)
    counted = [span for span in near if count_focus(question) & {stem(w) for w in re.findall(r"[A-Za-z]+", span)}
               or (synonyms is not None and synonyms.matches(focus_words, re.findall(r"[A-Za-z]+", span)))]
    if len(counted) == 1:
        return counted[0]  # "1,960 troops" rather than the "five years" that follow them
    # The only number is an answer only when the question does not say what it counts: asked "how many
    # people died", "The shelling hit 12 villages" must not lead with 12. A lone number word ("One video
    # shows …") opens sentences as often as it counts, so it never leads on its own.
    return spans[0] if not count_focus(question) and len(spans) == 1 and re.search(r"\d", spans[0]) else None


def _quantities(question: str, text: str, synonyms: Synonyms | None = None,
                lead: bool = False) -> tuple[list[str], list[str]]:
    """The sentence's quantities that could answer, and those of them beside the question's words (for
    "how many X", beside X or, with ``synonyms``, a word that names X). With ``lead``, also without those
    that are a rank or a name's number (:func:`_names_no_amount`)."""
    given = {w.lower() for w in re.findall(r"[\w.,]+", question)}
    focus = count_focus(question)
    focus_words = count_focus_words(question)
    q_terms = focus or set(content_terms(question))  # what is counted, when the question says
    found: list[tuple[str, int, int, bool]] = []
    dates = [m.span() for m in DATE_SPAN.finditer(text)]
    for m in QUANTITY_SPAN.finditer(text):
        span = m.group(0).strip()
        head = re.split(r"\s+", span)[0].lower().strip(CURRENCY_SIGNS)
        if head in given or (YEAR.fullmatch(head) and not re.search(rf"%|cent|[{CURRENCY_SIGNS}]", span)):
            continue  # the question's own figure, or a year: not the amount asked
        if any(start <= m.start() < end for start, end in dates):
            continue  # the day of a date ("On September 27, people died", "On 10 November, 5,000 …")
        end = m.start() + len(m.group(0))
        named = set()  # words beside the figure that name what is counted, by meaning ("300 cattle" for cows)
        if synonyms is not None and focus_words:
            beside = _beside_words(text, m.start(), end)
            named = {w.lower() for w in beside if synonyms.matches(focus_words, [w])} if synonyms.matches(
                focus_words, beside) else set()
        while len(last := span.rsplit(None, 1)) == 2 and not re.search(_KEEP_LAST, last[1], re.I) and (
                last[1].lower() in STOPWORDS or stem(last[1]) not in q_terms) and last[1].lower() not in named:
            span = last[0]  # "1,960 troops" when troops are asked about; not "1,960 along"
        if lead and _names_no_amount(text, m.start(), span):
            continue
        found.append((span, m.start(), end, bool(named)))
    if MONEY_QUESTION.search(question):
        found = [x for x in found if MONEY.search(x[0]) or re.search(rf"[{CURRENCY_SIGNS}]", x[0])]  # a sum, not "two years"
    spans = list(dict.fromkeys(x[0] for x in found))
    near = list(dict.fromkeys(x[0] for x in found if x[3] or _beside(text, x[1], x[2], q_terms)))
    if not near and focus and MONEY_QUESTION.search(question) and focus <= {stem(w) for w in SUM_NOUNS}:
        # "How much money is X accused of taking?" counts nothing but money: a sum answers it ("between
        # $25-$40 million from the campaign"); only sums are left by now. "How much profit" still wants one
        # beside "profit" (a near miss quotes another figure of the same company).
        near = spans
    return spans, near


def _names_no_amount(text: str, start: int, span: str) -> bool:
    """Whether a figure is a rank or a name's number, never an amount to lead with: "the 72nd Emmy Awards"
    (asked how many viewers), "Apple Watch Series 6" (asked a price), "iPhone 12", "Model 3". A number
    after a capitalised word that opens the sentence, is a month or names a place is still an amount ("Some 12
    ferries sank", "Elsewhere in Kabul 12 people were killed")."""
    number = span.split()[0]
    if re.match(r"(?:st|nd|rd|th)\b", text[start + len(number):], re.I):
        return True
    before = text[:start]
    prev = re.search(r"(\S+)\s$", before)
    if not (prev and re.fullmatch(r"\d{1,3}", number) and before[:prev.start()].strip()
            and re.fullmatch(r"[A-Za-z]*[A-Z][A-Za-z]*", prev.group(1))
            and prev.group(1).lower() not in _CALENDAR and not re.fullmatch(CURRENCY, prev.group(1), re.I)):
        return False
    from assistant.lexicon import places_in

    return not places_in(prev.group(1))


def _wrong_figure(question: str, text: str, span: str) -> bool:
    """Whether the figure a sentence singles out is not the kind asked, so it must not lead: a lead says
    "this is the number asked", and a wrong one makes a doubtful answer look sure. Read on the tune halves'
    answered questions (94 leads, 30 wrong): "three (times more likely)" for a share, "20 Indian soldiers"
    for Chinese ones, "100 US teenagers" for the UK's."""
    if PERCENT_QUESTION.search(question) and not PERCENT.search(span):
        return True
    return _names_another_country(question, text, span)


def _names_another_country(question: str, text: str, span: str) -> bool:
    """Whether a figure's own words name a country other than the one asked about: what a "how many" counts
    names one the figure's words do not ("20 Indian soldiers" for "how many Chinese soldiers", India named
    elsewhere in the question), or the figure names one the question does not while a country the question
    names is nowhere in the sentence ("100 US teenagers" asked about the UK). "The US expelled 35 Russian
    diplomats" still leads for "How many diplomats did the US expel?"; words that name no country ("40
    Conservative MPs", "2 million Pfizer doses") never count."""
    from assistant.lexicon import places_in

    own = places_in(span)
    if not own:
        return False
    own_ids = frozenset().union(*own.values())
    counted = places_in(" ".join(count_focus_words(question)))
    if counted and not frozenset().union(*counted.values()) & own_ids:
        return True
    asked = places_in(question)
    if not asked or frozenset().union(*asked.values()) & own_ids:
        return False
    in_sentence = frozenset().union(*places_in(text).values())
    return any(not ids & in_sentence for ids in asked.values())


def holds_asked_quantity(question: str, sentence: str, synonyms: Synonyms | None = None) -> bool | None:
    """For a question that asks a number, date, time or duration (else None): whether the sentence holds one
    that could answer; for "how many X", one beside X (or a word ``synonyms`` judge to name X)."""
    what = question_type(question).asks
    text = strip_markers(sentence)
    if what == "time":
        return any(not _in_question(m.group(0), question) for m in TIME.finditer(text))
    if what == "quantity":
        spans, near = _quantities(question, text, synonyms)
        exact = bool(_EXACT.search(question))
        spans, near = ([s for s in found if _counts(s, exact)] for found in (spans, near))
        return bool(near) if count_focus(question) else bool(spans)
    if what in ("date", "duration"):
        found = _date_spans(text) if what == "date" else [m.group(0) for m in DURATION_SPAN.finditer(text)]
        spans = [s for s in found if not _in_question(s, question)]
        if _ASKS_CALENDAR_DATE.search(question):
            # "on Wednesday" is no date, nor is a bare year ("On what date are they due to be hanged?": "in 2012")
            spans = [s for s in spans if s.lower() not in WEEKDAYS and not _no_calendar_date(s)]
        return bool(spans)
    return None


def gives_asked_kind(question: str, sentence: str, synonyms: Synonyms | None = None) -> bool | None:
    """For a question that asks a figure (a number, date, duration or time) or a name (else None): whether
    ``sentence`` gives one of the kind asked that the question does not already say (:func:`holds_asked_quantity`
    for a figure; for a name, any name :func:`_name` could lead with, one or several)."""
    kind = question_type(question)
    if kind.asks in ("quantity", "date", "duration", "time"):
        return holds_asked_quantity(question, sentence, synonyms)
    if kind.asks == "name":
        return bool(_name_candidates(question, strip_markers(sentence), person=kind.wants_person,
                                     place=kind.wants_place)[0])
    if kind.asks is None and (m := _ASKS_SCORE_OR_LEVEL.search(question)):
        # "By what score …" wants a scoreline ("three quick sets" is none), "At what level …" a figure
        if m.group(1).lower().startswith("score"):
            return bool(_SCORELINE.search(sentence))
        return bool(re.search(r"\d", strip_markers(sentence)))
    return None


# A score or a level asked ("By what score did …", "At what level had rate-setters kept borrowing costs?"): no kind
# question_type names, so read here only, for what a sentence must give to answer it.
_ASKS_SCORE_OR_LEVEL = re.compile(r"\b(?:what|which)\s+(score(?:line)?|level|rate)s?\b", re.I)
_SCORELINE = re.compile(r"\b\d{1,2}-\d{1,2}\b")


_KIND_ONLY = {"quantity": "How many?", "date": "When?", "duration": "How long?", "time": "At what time?"}


def holds_figure_of_kind(question: str, sentence: str) -> bool | None:
    """For a question that asks a number, date, duration or time (else None): whether ``sentence`` holds any
    figure of that kind, whatever it counts ("9,000 workers" for "how many staff"), which is weaker than
    :func:`holds_asked_quantity` and so safe to call a part unanswered by."""
    plain = _KIND_ONLY.get(question_type(question).asks or "")
    return None if plain is None else holds_asked_quantity(plain, sentence)


def named_beside_figures(question: str, sentence: str, synonyms: Synonyms) -> set[str]:
    """The words of what a "how many" counts (as :func:`count_focus_words` gives them) that a word beside one
    of the sentence's figures names ("households" in "enough to power 2m US homes")."""
    focus_words = count_focus_words(question)
    if not focus_words:
        return set()
    text = strip_markers(sentence)
    beside = [w for m in QUANTITY_SPAN.finditer(text) for w in _beside_words(text, m.start(), m.end())]
    return synonyms.matches(focus_words, list(dict.fromkeys(beside)))


# "Exactly how many": a vague figure ("dozens of demonstrators") is the near miss, not the answer.
_EXACT = re.compile(r"\b(?:exactly|precisely|exact (?:number|figure|count|amount|total))\b", re.I)
_VAGUE = frozenset(["dozens", "hundreds", "thousands", "millions", "billions", "several", "scores", "a few"])


def _counts(span: str, exact: bool) -> bool:
    """Whether a quantity span can answer a "how many": the bare word "one" is a pronoun as often as a count
    ("one by one", "one of them"); for "exactly how many", a vague figure does not."""
    head = span.split()[0].lower() if span.split() else ""
    if span.lower() == "one":
        return False
    return not (exact and (head in _VAGUE or span.lower().startswith("a few")))


_ASKS_CALENDAR_DATE = re.compile(r"\b(?:what|which) date\b", re.I)
_KEEP_LAST = rf"\d|%|cent$|^(?:bn|m|k|million|billion|trillion|thousand|hundred|{CURRENCY})$"


def _beside(text: str, start: int, end: int, terms: set[str], reach: int = 3) -> bool:
    """Whether one of ``terms`` (stems) is among the ``reach`` words either side of text[start:end], or in it."""
    return any(stem(w) in terms for w in _beside_words(text, start, end, reach))


def _beside_words(text: str, start: int, end: int, reach: int = 3) -> list[str]:
    """The ``reach`` words either side of text[start:end], and the words in it."""
    before = re.findall(r"[A-Za-z]+", text[:start])[-reach:]
    inside_after = re.findall(r"[A-Za-z]+", text[start:])
    span_words = len(re.findall(r"[A-Za-z]+", text[start:end]))
    return [*before, *inside_after[:span_words + reach]]


def _name(question: str, text: str, *, person: bool = False, place: bool = False) -> str | None:
    """The one name in the sentence that the question does not already give; asked who (``person``), not
    a name the sentence places something in ("repaired the water station in Stepanakert"); asked where
    (``place``), only a country or a name right after "in", "at", "from" … ("**Kyodo.**" from "the Kyodo
    news agency" had led "Where in Japan did four people go missing?")."""
    names, blocked = _name_candidates(question, text, person=person, place=place)
    # Only a sentence that names one thing the question does not leads with it: picking among several
    # by their distance to the question's words led with the wrong one as often as the right one (tune).
    return names[0] if len(names) == 1 and not blocked else None


def _name_candidates(question: str, text: str, *, person: bool = False, place: bool = False) -> tuple[list[str], bool]:
    """The names of the asked kind the sentence gives that the question does not (as :func:`_name` reads them), and
    whether a name of the wrong kind stood among them (a place asked who, an office, an unplaced name asked where)."""
    from assistant.lexicon import country_names, places_in

    q_stems = {stem(w) for w in re.findall(r"[A-Za-z0-9]+", question)}
    wants_town = bool(_TOWN_QUESTION.search(question))
    blocked = False  # a candidate of the wrong kind: no lead rather than the other name
    found = []
    for m in NAME_SPAN.finditer(text):
        span = m.group(0)
        first = re.match(r"(\S+)\s*", span)
        opens = not re.search(r"[^\W_]", text[: m.start()])  # the sentence's first word, after any opening quote
        if opens and first and (first.group(1).lower() in STOPWORDS or only_an_adverb(first.group(1))
                                         or re.search(r"(?:ing|ed|ly)$", first.group(1))):
            # A sentence's first word is capitalised anyway: "Struggling Aviva" names Aviva. Any other first
            # word may be a name ("Aliyev and Pashinyan signed"), so it stays a candidate: two candidates
            # give no lead rather than the wrong one.
            span = span[first.end():]
            if not span:
                continue
        if opens and " " not in span and plural_noun(span):
            continue  # "Engineers from the utility restored …" names no one: a plural noun opening the sentence
        # what names it, without initials and abbreviated titles: "J." of "J. R. Hartley" is not the "J" of a
        # question's "J.K. Rowling"
        words = [w for w in re.findall(r"[A-Za-z0-9-]+", re.sub(_ABBREVIATED, "", span)) if w.lower() not in STOPWORDS]
        if not words or any(stem(p) in q_stems for w in words for p in w.split("-")):
            continue  # "Turkish President Recep Tayyip Erdogan" is who the question names, not the answer
        parts = [p for w in words for p in w.split("-")]
        after = re.match(r"\s+([a-z][\w-]*)", text[m.end():])
        if len(words) == 1 and all(re.search(r"(?:ian|ish|ese|ean|i)$", p) and not p.isupper() for p in parts) \
                and after and (after.group(1) not in STOPWORDS or after.group(1) in ("and", "or")):
            # "Armenian forces", "Azerbaijani and Turkish forces": an adjective before a noun (or before another);
            # "in Helsinki" is a name, and so is "Salvini" in "chose Salvini over Meloni" (a preposition follows)
            continue
        if any(w.lower() in _CALENDAR or w[:1].isdigit() for w in words):
            continue  # a date, not a name
        if person and _LOCATIVE_BEFORE.search(text[: m.start()]):
            # Where it happened, not who did it; and still a candidate, so no other name leads in its place:
            # let through, on the tune folds, the one name left gave two right leads and one wrong ("Soviet",
            # once "in Azerbaijan" was passed over).
            blocked = True
            continue
        if all(w in TITLES for w in words):
            # "The PM announced it in London": an office, not who holds it, and still a candidate, so the
            # place beside it does not become the one name.
            blocked = True
            continue
        if place and not person and not (_LOCATIVE_RIGHT_BEFORE.search(text[: m.start() + m.group(0).find(span)])
                                         or places_in(span)):
            # Asked where, a name that is not placed is of the wrong kind, and still a candidate, so no other
            # name leads in its place. Every place lead of the tune folds' answers before this was wrong (4:
            # "Grand Slam", "Kyodo", "Outstanding Lead Actress", "Siberia"); the first three are gone.
            blocked = True
            continue
        if wants_town and (span.lower() in country_names() or " ".join(words).lower() in country_names()):
            blocked = True  # "Which city hosted the talks?" is not answered by "India"
            continue
        found.append((m.start() + m.group(0).find(span), re.sub(r"['’]s$", "", span.rstrip(".'’"))))
    return list(dict.fromkeys(span for _, span in found)), blocked


def _yes_no(question: str, text: str) -> str | None:
    """"Yes" or "No" when the clause of the sentence that speaks to the question's content words asserts
    it: none for a hedge ("may be part of the deal"), or a demand, plan or doubt it only reports; "No" when
    that clause and the question differ in negation ("although Russia denied it" elsewhere is not one; "Did
    Biden win Georgia or not?" asks plainly)."""
    q_terms = set(content_terms(question))
    if not q_terms or len(q_terms & set(content_terms(text))) / len(q_terms) < 0.67:
        return None
    clauses = [c for c in _CLAUSE_BREAK.split(text) if c.strip()]
    clause = max(clauses, key=lambda c: len(q_terms & set(content_terms(c))))
    if MODAL_HEDGE.search(text) or _NOT_ASSERTED.search(text) or _REPORTED_BELIEF.search(text):
        # the lead would state as settled what the sentence leaves open; "May" is the month there ("accepted
        # the offer in May"), which HEDGE had read as a hedge
        return None
    asked = re.sub(r",?\s+or not\b", "", question, flags=re.I)  # "Did Biden win Georgia or not?" asks plainly
    return "No" if _negative(clause) != _negative(asked) else "Yes"


def _negative(text: str) -> bool:
    """Whether ``text`` reads as negative: an odd number of negation cues, "nor" counted with the "neither" or
    "not" it goes with ("did not deny" is two; "Did Russia deny …?" is one, so "Russia did not deny it" answers No)."""
    text = _NUMBER_ABBREVIATION.sub("number ", text)
    return (negation_count(NEGATION, text) + len(_MORE_NEGATION.findall(text))) % 2 == 1
