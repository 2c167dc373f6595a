"""Composition: every kind of draft (extractive, metadata, LLM, briefing) becomes an Answer or a
Briefing here, and :class:`Footnotes` is the one place that builds Citation objects."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby
from typing import Any

from assistant.answers import ABSTAIN_MESSAGE, WEAK_MATCH, Answer, Briefing, Citation
from assistant.briefing_plan import Plan, Point
from assistant.citations import page_words
from assistant.extractive import Draft, Evidence, display_sentence
from assistant.llm import CheckedAnswer, CheckedSentence
from assistant.llm_briefing import DISAGREEMENTS, OPEN, POINTS, CheckedBriefing, CheckedLine
from assistant.metadata import MetadataAnswer
from ingest.store import DocumentRecord, StoredChunk


class Footnotes:
    """Numbers cited spans in order of first use; a span cited twice keeps its first number."""

    def __init__(self) -> None:
        self.citations: list[Citation] = []
        self._numbers: dict[tuple[str, int, int], int] = {}

    def cite(self, source: StoredChunk | DocumentRecord, start: int, end: int, text: str,
             score: float | None = None) -> int:
        """The footnote number of ``text`` (``document_text[start:end]``) of ``source``."""
        key = (source.doc_id, start, end)
        if key in self._numbers:
            return self._numbers[key]
        marker = len(self.citations) + 1
        self._numbers[key] = marker
        chunk = source if isinstance(source, StoredChunk) else None
        self.citations.append(Citation(
            marker=marker, doc_id=source.doc_id, title=source.title, source=source.source, date=source.date,
            section=chunk.section if chunk else None, page=chunk.page if chunk else None, text=text,
            start=start, end=end, chunk_id=chunk.id if chunk else None,
            origin=chunk.origin_of(text) if chunk else [], score=None if score is None else round(score, 4),
        ))
        return marker

    def cite_evidence(self, ev: Evidence) -> int:
        return self.cite(ev.chunk, ev.start, ev.end, ev.text, ev.score)


def cited_sentence(ev: Evidence, notes: Footnotes) -> str:
    """A quoted sentence as it reads in an answer, followed by its footnote marker."""
    return f"{display_sentence(ev.quoted)} [{notes.cite_evidence(ev)}]"


def extractive_answer(question: str, draft: Draft, timings: dict[str, float], standalone: str | None) -> Answer:
    """The chosen sentences, each followed by the footnote of the passage it quotes; or an abstention."""
    answerability = round(draft.best_score, 4)
    confidence = answerability if draft.confidence is None else round(draft.confidence, 4)
    if not draft.evidence:
        return abstention(question, draft.reason, timings, standalone=standalone, confidence=confidence,
                          answerability=answerability)
    weak = None if draft.confidence is None else confidence < WEAK_MATCH
    notes = Footnotes()
    parts = [cited_sentence(ev, notes) for ev in draft.evidence]
    if draft.lead:
        parts.insert(0, f"{draft.lead} [{notes.cite_evidence(draft.evidence[0])}]")
    elif draft.direct and not weak:
        # The short answer first, in bold, as the headline of the cited sentence it is copied from: a bare
        # phrase checked as a claim of its own reads as dropping the sentence's hedges ("Up to 10,000"). Not for
        # a weak match: under the caution that the passage may not answer, a bold headline still reads as the
        # answer (direct_answer keeps the phrase).
        parts[0] = f"**{draft.direct.rstrip('.')}.** {parts[0]}"
    return Answer(question=question, answer=" ".join(parts), abstained=False, citations=notes.citations,
                  timings_ms=timings, confidence=confidence, answerability=answerability,
                  weak_match=weak,
                  standalone_question=standalone, missing_parts=list(draft.missing),
                  unquoted_parts=list(draft.too_long), direct_answer=draft.direct,
                  confidence_signals=draft.confidence_signals)


def metadata_answer(question: str, meta: MetadataAnswer, timings: dict[str, float]) -> Answer:
    """An answer about the report itself; every sentence cites the report's title, byline and date."""
    doc = meta.document
    notes = Footnotes()
    marker = notes.cite(doc, meta.start, meta.end, doc.text[meta.start:meta.end], 1.0)
    text = " ".join(f"{s} [{marker}]" for s in meta.sentences)
    return Answer(question=question, answer=text, abstained=False, citations=notes.citations, timings_ms=timings,
                  confidence=1.0)


def llm_answer(question: str, checked: CheckedAnswer, passages: Sequence[StoredChunk],
               timings: dict[str, float], standalone: str | None) -> Answer:
    """The checked model answer, markers renumbered in order of first use, each citing its passage."""
    if checked.abstained:
        return abstention(question, "the model found no answer, or no sentence it wrote was supported", timings,
                          standalone=standalone, mode="llm", flags=checked.flags)
    notes = Footnotes()
    parts: list[str] = []
    for sentence in checked.sentences:
        markers = []
        for m in sentence.markers:
            chunk = passages[m - 1]
            markers.append(notes.cite(chunk, chunk.start, chunk.end, chunk.text, sentence.verdict.score))
        parts.append(sentence.text + " " + "".join(f"[{n}]" for n in dict.fromkeys(markers)))
    return Answer(question=question, answer=" ".join(parts), abstained=False, citations=notes.citations,
                  timings_ms=timings, mode="llm", flags=checked.flags, standalone_question=standalone)


def abstention(question: str, reason: str | None, timings: dict[str, float], *, standalone: str | None = None,
               confidence: float | None = None, mode: str = "extractive", flags: Sequence[str] = (),
               answerability: float | None = None) -> Answer:
    return Answer(question=question, answer=ABSTAIN_MESSAGE, abstained=True, timings_ms=timings, mode=mode,
                  confidence=confidence, answerability=answerability, abstain_reason=reason,
                  standalone_question=standalone, flags=list(flags))


OPEN_HEADING = "What the reports leave open"
DISAGREE_HEADING = "Where the reports disagree"
NO_OPEN_QUESTIONS = "- The retrieved reports flag no open questions on this topic."
OPEN_LEFT_OUT = "- The reports' open questions on this topic did not fit in the words asked for."


def briefing(topic: str, plan: Plan | None, timings: dict[str, float]) -> Briefing:
    """Markdown with a [n] marker after every sentence: the bottom line, the points under their actor
    (or in date order), where the reports disagree, and what they leave open."""
    if plan is None or plan.bottom is None:
        return Briefing(topic=topic, briefing=ABSTAIN_MESSAGE, abstained=True, timings_ms=timings)
    notes = Footnotes()

    def line(p: Point) -> str:
        label = f"**{p.label}.** " if p.label else ""
        return f"- {label}{p.text} [{notes.cite_evidence(p.evidence)}]"

    def joined(points: list[Point]) -> list[str]:
        """One bullet per run of points with the same label (an actor, a day), each sentence cited."""
        out: list[str] = []
        for label, run in groupby(points, key=lambda p: p.label):
            if label:
                out.append(f"- **{label}.** " + " ".join(f"{p.text} [{notes.cite_evidence(p.evidence)}]" for p in run))
            else:
                out += [line(p) for p in run]
        return out

    bottom = " ".join(f"{p.text} [{notes.cite_evidence(p.evidence)}]"
                      for p in (plan.bottom, plan.bottom_second) if p is not None)
    lines = [f"## Briefing: {topic}", "", f"**Bottom line.** {bottom}"]
    for heading, points in plan.sections:
        lines += ["", f"**{heading}**", "", *joined(points)]
    if plan.disagreements:
        lines += ["", f"**{DISAGREE_HEADING}**", ""]
        for a, b in plan.disagreements:
            lines.append(f"- {a.text} [{notes.cite_evidence(a.evidence)}] {b.text} [{notes.cite_evidence(b.evidence)}]")
    lines += ["", f"**{OPEN_HEADING}**", ""]
    if plan.open_items:
        lines += [line(p) for p in plan.open_items]
    elif plan.open_left_out:
        lines.append(OPEN_LEFT_OUT)
    else:
        lines.append(NO_OPEN_QUESTIONS)
    return Briefing(topic=topic, briefing="\n".join(lines), citations=notes.citations, timings_ms=timings)


def llm_briefing(topic: str, page: CheckedBriefing, passages: Sequence[StoredChunk], timings: dict[str, float], *,
                 words: int | None = None, timeline: bool = False) -> Briefing:
    """A chat model's checked page in the offline briefing's shape, markers renumbered in order of first use, each
    citing its passage. While the page runs past ``words``, key points go from the end, then open questions, then
    disagreements, then the bottom line's sentences after its first; a cut that would not shorten the page (the last
    open question gives way to a longer line saying they did not fit) is not made. Each cut is flagged."""
    if page.abstained:
        return Briefing(topic=topic, briefing=ABSTAIN_MESSAGE, abstained=True, timings_ms=timings, mode="llm",
                        flags=list(page.flags))
    kept = {kind: list(page.sections.get(kind, [])) for kind in (POINTS, OPEN, DISAGREEMENTS)}
    bottom = list(page.bottom)
    heading = "Key points, in date order" if timeline else "Key points"

    def render() -> Briefing:
        return _llm_page(topic, bottom, kept, heading, passages, timings,
                         open_left_out=bool(page.sections.get(OPEN)) and not kept[OPEN])

    result = render()
    cuts: dict[str, int] = {}
    order: tuple[tuple[str, list[Any], int], ...] = (  # what goes first, and how many of it always stay
        ("key point", kept[POINTS], 0), ("open question", kept[OPEN], 0), ("disagreement", kept[DISAGREEMENTS], 0),
        ("bottom line sentence", bottom, 1))
    for name, lines, stay in order:
        while words is not None and page_words(result.briefing) > words and len(lines) > stay:
            removed = lines.pop()
            shorter = render()
            if page_words(shorter.briefing) >= page_words(result.briefing):
                lines.append(removed)
                break
            result = shorter
            cuts[name] = cuts.get(name, 0) + 1
    flags = [*page.flags, *(f"cut the last {n} {name}(s) to keep within {words} words" for name, n in cuts.items())]
    if words is not None and page_words(result.briefing) > words:
        flags.append(f"the page runs past {words} words: its title, headings and first bottom-line sentence take more")
    return result.model_copy(update={"flags": flags})


def _llm_page(topic: str, bottom: Sequence[CheckedSentence], sections: dict[str, list[CheckedLine]], heading: str,
              passages: Sequence[StoredChunk], timings: dict[str, float], *, open_left_out: bool = False) -> Briefing:
    """The page of ``bottom`` and ``sections``' lines; ``open_left_out``: the model's open questions were all cut."""
    notes = Footnotes()

    def said(sentences: Sequence[CheckedSentence]) -> str:
        out = []
        for s in sentences:
            numbers = dict.fromkeys(notes.cite(passages[m - 1], passages[m - 1].start, passages[m - 1].end,
                                               passages[m - 1].text, s.verdict.score) for m in s.markers)
            out.append(s.text + " " + "".join(f"[{n}]" for n in numbers))
        return " ".join(out)

    def bullet(line: CheckedLine) -> str:
        return "- " + (f"**{line.label}.** " if line.label else "") + said(line.sentences)

    lines = [f"## Briefing: {topic}", "", f"**Bottom line.** {said(bottom)}"]
    for title, shown in ((heading, sections[POINTS]), (DISAGREE_HEADING, sections[DISAGREEMENTS])):
        if shown:
            lines += ["", f"**{title}**", "", *(bullet(p) for p in shown)]
    lines += ["", f"**{OPEN_HEADING}**", "",
              *([bullet(p) for p in sections[OPEN]] or [OPEN_LEFT_OUT if open_left_out else NO_OPEN_QUESTIONS])]
    return Briefing(topic=topic, briefing="\n".join(lines), citations=notes.citations, timings_ms=timings, mode="llm")
