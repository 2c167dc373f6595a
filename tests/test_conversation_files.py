"""Saved conversation files: what a file written by an earlier version reopens as."""

from __future__ import annotations

from typing import Any

import pytest

from ui.conversations import Conversation
from ui.render import chat_markdown


def _saved(answer: dict[str, Any]) -> dict[str, Any]:
    base = {"question": "Who won?", "answer": "Ferrari won. [1]", "abstained": False, "citations": [],
            "mode": "extractive"}
    return {"id": "0" * 32, "title": "Who won?", "collection": "default", "created": 1.0, "updated": 1.0,
            "turns": [{"question": "Who won?", "answer": base | answer, "scope": "t1"}]}


@pytest.mark.parametrize(("answer", "cautioned"), [
    # saved before answers carried weak_match: the caution it was shown with (raw confidence under 0.6)
    ({"confidence": 0.58}, True),
    ({"confidence": 0.72}, False),
    # saved since: the saved judgement stands, whatever the number
    ({"confidence": 0.58, "weak_match": False}, False),
    ({"confidence": 0.45, "weak_match": True}, True),
    # a language model's answer never carried a calibrated confidence
    ({"confidence": 0.3, "mode": "llm"}, False),
])
def test_a_reopened_answer_keeps_the_caution_it_was_shown_with(answer: dict[str, Any], cautioned: bool) -> None:
    turn = Conversation.from_dict(_saved(answer)).turns[0]
    assert ("Weak match" in chat_markdown(turn.answer, scope=turn.scope)) is cautioned
