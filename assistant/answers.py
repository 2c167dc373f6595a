"""The answer contract that scripts rely on (``briefing ask --json``); keep it stable."""

from __future__ import annotations

from pydantic import BaseModel, Field

ABSTAIN_MESSAGE = "The reports in the corpus do not answer this."


class Citation(BaseModel):
    """One footnote: the exact passage a claim came from, with its offsets in the document's text."""

    marker: int = Field(description="The footnote number used as [n] in the answer.")
    doc_id: str
    title: str
    source: str = Field(description="The file the document was ingested from.")
    date: str | None = Field(default=None, description="Publication date, ISO YYYY-MM-DD.")
    section: str | None = None
    page: int | None = None
    text: str = Field(description="The exact cited passage: the document's text[start:end].")
    start: int
    end: int
    chunk_id: str | None = None
    origin: list[str] = Field(default_factory=list, description="The report's own source URLs for this passage.")
    score: float | None = Field(default=None, description="How strongly the passage supports its sentence.")

    def passage(self) -> str:
        """What the footnote opens: the passage, and the sources the report's own footnote gives for it
        (what a source question's answer states, so a verifier reading only text can check it)."""
        return f"{self.text} (The report's footnote cites {', '.join(self.origin)}.)" if self.origin else self.text

    def where(self) -> str:
        """Where the passage sits: date, section and page, as every citation line shows it."""
        return ", ".join(x for x in (self.date, self.section, f"p. {self.page}" if self.page else None) if x)


# Under this confidence an answer is more likely wrong than right: a doubtful answer must not look like a sure
# one. Not a tuned number: the confidence is calibrated (see assistant/ranker.py), so the cue means what it says.
WEAK_MATCH = 0.5


class Answer(BaseModel):
    question: str
    answer: str = Field(description="Markdown; every sentence ends with footnote markers [n].")
    abstained: bool
    citations: list[Citation] = Field(default_factory=list)
    timings_ms: dict[str, float] = Field(default_factory=dict)
    mode: str = "extractive"
    standalone_question: str | None = Field(default=None, description="The question as searched, after follow-up rewriting.")
    flags: list[str] = Field(default_factory=list, description="Checks that failed on generated text.")
    confidence: float | None = Field(
        default=None, description="How likely the answer is to be right (0..1): for the extractive answerer, a "
        "model over the answer as given (its answerability, how close the runner-up came, whether the asked name, "
        "number or date is quoted, what is asked ...) fitted on how often blind tune answers were right, each "
        "answered by models fitted without its document; for an abstention, its answerability so calibrated (how "
        "likely an answer would have been right).")
    weak_match: bool | None = Field(
        default=None, description=f"The confidence is under {WEAK_MATCH}: the answer is more likely wrong than "
        "right, and the chat opens it with a caution. None where the confidence is not calibrated (answers about "
        "a report's metadata, a language model's answers, the heuristic ranker).")
    # What the confidence was computed from (assistant/ranker.CONFIDENCE), for fitting it; not in the JSON.
    confidence_signals: dict[str, float] | None = Field(default=None, exclude=True)
    answerability: float | None = Field(
        default=None, description="The extractive answerer's raw probability that its best sentence answers, "
        "which the abstention threshold (BRIEFING_ANSWER__MIN_SCORE) is compared with.")
    missing_parts: list[str] = Field(default_factory=list,
                                     description="Parts of a multi-part question that no passage answers.")
    unquoted_parts: list[str] = Field(
        default_factory=list, description="Parts of a multi-part question whose closest sentence runs past the word "
        "limit (ask them on their own).")
    abstain_reason: str | None = Field(default=None, description="Why the answerer abstained.")
    direct_answer: str | None = Field(
        default=None, description="The name, number, date or yes/no the question asks for, verbatim from the "
        "first cited sentence (extractive answers only); the answer text leads with it in bold, unless the answer "
        "is a weak match (under the caution a bold headline would still read as the answer).")

    def confidence_note(self) -> str | None:
        """How sure the answer is, for a line under it; None where the confidence is not calibrated (``weak_match``
        is None: metadata answers, a language model's, the heuristic ranker) or where the answer opens with the
        weak-match caution, which states it.

        Without it an answer at 0.55 looked exactly like one at 0.95. On the test halves of the four blind sets
        (482f98f, 379 answers, 58% right) answers under 0.5 were right 45% of the time (58 answers), from 0.5 to
        0.7 58%, from 0.7 to 0.85 59%, over 0.85 71%: the number orders answers only loosely and is about 10 points
        too sure there (mean 0.678), so every answer shows it as a number to weigh."""
        if self.abstained or self.weak_match is not False or self.confidence is None:
            return None
        return f"Confidence {self.confidence:.2f}."


class Briefing(BaseModel):
    topic: str
    briefing: str = Field(description="Markdown with [n] markers.")
    citations: list[Citation] = Field(default_factory=list)
    timings_ms: dict[str, float] = Field(default_factory=dict)
    abstained: bool = False
    mode: str = Field(default="extractive", description="Who wrote the page: extractive (quotes chosen offline) or llm "
                      "(a chat model, every sentence checked against the passages it cites).")
    flags: list[str] = Field(default_factory=list, description="What the checks removed from a chat model's page, "
                             "and why a page is the offline one when the model's failed them.")
