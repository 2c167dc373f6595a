"""Saved conversations: one JSON file per conversation under ``BRIEFING_HOME/conversations/<user>/``.

A conversation keeps each turn's whole answer object (text with ``[n]`` markers and its citations), so a
reopened conversation renders its footnotes and passages as they were first shown. Each user's
conversations live in a folder of their own, named by a hash of the user name (the login); a user can
only list, open, rename or delete what is in their folder, so nothing another user saved is reachable
through the UI or the API. Without a login every visitor is the one local user.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.answers import Answer
from assistant.export import answer_markdown_footnotes
from ingest.errors import BriefingError

_ID = re.compile(r"^[0-9a-f]{32}$")
LOCAL_USER = "_local"
TITLE_CHARS = 80


@dataclass
class Turn:
    question: str
    answer: Answer
    scope: str

    def as_dict(self) -> dict[str, Any]:
        return {"question": self.question, "answer": self.answer.model_dump(), "scope": self.scope}


@dataclass
class Conversation:
    id: str
    title: str
    collection: str
    created: float
    updated: float
    turns: list[Turn] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "collection": self.collection, "created": self.created,
                "updated": self.updated, "turns": [t.as_dict() for t in self.turns]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Conversation:
        turns = [Turn(t["question"], _saved_answer(t["answer"]), t["scope"]) for t in data.get("turns", [])]
        return cls(data["id"], data["title"], data.get("collection", "default"), data["created"], data["updated"], turns)

    def summary(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "collection": self.collection, "turns": len(self.turns),
                "updated": time.strftime("%Y-%m-%d %H:%M", time.localtime(self.updated))}


# Before answers carried ``weak_match`` (files saved before 5d020ac), the chat cautioned an extractive
# answer whose confidence, then the ranker's raw probability, was under 0.6. A conversation saved then
# reopens with the caution it was shown with.
_CUE_BEFORE_WEAK_MATCH = 0.6


def _saved_answer(data: dict[str, Any]) -> Answer:
    answer = Answer.model_validate(data)
    if ("weak_match" not in data and answer.mode == "extractive" and not answer.abstained
            and answer.confidence is not None):
        answer.weak_match = answer.confidence < _CUE_BEFORE_WEAK_MATCH
    return answer


def title_from(question: str) -> str:
    text = " ".join(question.split())
    return text if len(text) <= TITLE_CHARS else text[: TITLE_CHARS - 1].rstrip() + "\u2026"


class ConversationStore:
    """Conversations per user, as files; every method takes the user it acts for."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _folder(self, user: str | None) -> Path:
        key = LOCAL_USER if not user else "u-" + hashlib.sha256(user.encode("utf-8")).hexdigest()[:24]
        return self.root / key

    def _path(self, user: str | None, conversation_id: str) -> Path:
        if not _ID.match(conversation_id or ""):
            raise BriefingError(f"no conversation {conversation_id!r}")
        return self._folder(user) / f"{conversation_id}.json"

    def list(self, user: str | None) -> list[Conversation]:
        """The user's conversations, the most recently changed first (unreadable files are skipped)."""
        folder = self._folder(user)
        found = []
        for path in folder.glob("*.json") if folder.is_dir() else []:
            try:
                found.append(Conversation.from_dict(json.loads(path.read_text(encoding="utf-8"))))
            except (OSError, ValueError, KeyError, TypeError):
                continue
        return sorted(found, key=lambda c: c.updated, reverse=True)

    def load(self, user: str | None, conversation_id: str) -> Conversation:
        path = self._path(user, conversation_id)
        try:
            return Conversation.from_dict(json.loads(path.read_text(encoding="utf-8")))
        except FileNotFoundError:
            raise BriefingError(f"no conversation {conversation_id!r}") from None
        except (ValueError, KeyError, TypeError) as exc:
            raise BriefingError(f"{path}: the conversation file is damaged ({exc})") from None

    def new(self, title: str, collection: str) -> Conversation:
        now = time.time()
        return Conversation(secrets.token_hex(16), title_from(title) or "Conversation", collection, now, now)

    def save(self, user: str | None, conversation: Conversation) -> None:
        """Write atomically (a crash leaves the old file or the new one), readable by this user only."""
        path = self._path(user, conversation.id)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        conversation.updated = time.time()
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(conversation.as_dict(), out, ensure_ascii=False)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def rename(self, user: str | None, conversation_id: str, title: str) -> Conversation:
        title = title_from(title)
        if not title:
            raise BriefingError("give the conversation a name")
        conversation = self.load(user, conversation_id)
        conversation.title = title
        self.save(user, conversation)
        return conversation

    def delete(self, user: str | None, conversation_id: str) -> None:
        path = self._path(user, conversation_id)
        if not path.exists():
            raise BriefingError(f"no conversation {conversation_id!r}")
        path.unlink()


def conversation_markdown(conversation: Conversation) -> str:
    """The conversation as Markdown: each question as a heading, each answer with footnotes ``[^n]`` whose
    definitions quote the cited passage (footnotes are numbered across the whole conversation), and with the
    cues the chat showed it with: the weak-match caution, its confidence, the parts not found, why it abstained."""
    lines = [f"# {_plain(conversation.title)}", ""]
    offset = 0
    for turn in conversation.turns:
        lines += [f"## {_plain(turn.question)}", ""]
        body, notes, used = answer_markdown_footnotes(turn.answer.answer, turn.answer.citations, offset)
        lines += [*_caution(turn.answer), body, ""]
        lines += [line for cue in _cues(turn.answer) for line in (cue, "")]
        if notes:
            lines += [*notes, ""]
        offset += used
    return "\n".join(lines).rstrip() + "\n"


def _caution(answer: Answer) -> list[str]:
    """The caution the chat opens a weak match with: exported without it, a doubtful answer read as a sure one."""
    if answer.abstained or not answer.weak_match or answer.confidence is None:
        return []
    return [f"*Weak match (confidence {answer.confidence:.2f}): the quoted passage may not answer the question.*", ""]


def _cues(answer: Answer) -> list[str]:
    """The lines the chat shows under an answer (``ui.render.chat_markdown``), as plain Markdown."""
    cues = []
    if answer.abstained and answer.abstain_reason:
        reason = answer.abstain_reason.strip().rstrip(".")
        cues.append(f"*Why: {_plain(reason[:1].upper() + reason[1:])}.*")
    if answer.missing_parts:
        cues.append("*Not found in the reports: " + "; ".join(_plain(p) for p in answer.missing_parts) + ".*")
    if answer.unquoted_parts:
        cues.append("*Not quoted within the word limit (ask on its own): "
                    + "; ".join(_plain(p) for p in answer.unquoted_parts) + ".*")
    if (note := answer.confidence_note()) is not None:
        cues.append(f"*{note}*")
    if answer.flags:
        cues.append("*Checks: " + "; ".join(_plain(f) for f in answer.flags) + "*")
    return cues


def _plain(text: str) -> str:
    from assistant.export import escape_markdown

    return escape_markdown(" ".join(text.split()))
