"""How deep a question's retrieval reaches into one document, and the ranker's features relative to a
question's other candidates. Documents and sentences written for these tests (never used to fit the
ranker or choose a setting)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from assistant.build import build
from assistant.extractive import Evidence
from assistant.ranker import FEATURES, Context, RankerWeights, feature_matrix
from assistant.settings import ChunkingSettings, Settings
from assistant.text import question_type
from ingest.embeddings import HashingEmbedder
from ingest.store import StoredChunk

CANAL = [
    "The Velden canal dredging began in March under a contract with the Osterlo yard.",
    "Dredging crews on the Velden canal removed silt from the northern locks first.",
    "The Velden canal dredging contract was worth 4 million euros, the council said.",
    "Barges waited near the Velden canal locks while dredging went on through April.",
    "The Velden canal dredging is due to end in June, when the locks reopen to barges.",
    "Residents along the Velden canal complained about dredging noise at night.",
]
OTHERS = {
    "ferries.md": "Ferry timetables on the coast changed in March. The canal museum reopened in April.",
    "bridges.md": "The old bridge over the river was painted in May. Canal boats pass under it daily.",
    "markets.md": "The fish market moved to the harbour in June. Traders praised the new canal-side stalls.",
    "schools.md": "Two schools near the canal shared a new sports hall. The council paid for the roof.",
}


def _corpus(folder: Path) -> list[Path]:
    folder.mkdir()
    canal = folder / "canal.md"
    canal.write_text("# Velden canal works\n\n" + "\n\n".join(CANAL) + "\n", encoding="utf-8")
    paths = [canal]
    for name, text in OTHERS.items():
        (folder / name).write_text(f"# {name[:-3].title()}\n\n{text}\n", encoding="utf-8")
        paths.append(folder / name)
    return paths


def test_a_question_may_take_more_than_three_passages_from_the_one_document_that_answers(tmp_path: Path) -> None:
    # Chunks of about one sentence each, so the canal report spreads over six passages.
    settings = Settings(home=tmp_path / "home", chunking=ChunkingSettings(max_tokens=24))
    workspace = build(settings, embedder=HashingEmbedder())
    workspace.corpus.ingest(_corpus(tmp_path / "docs"))
    question = "How much was the Velden canal dredging contract worth?"
    asked = workspace.assistant.retriever.retrieve(question, 6)
    from_canal = [c for c in asked if c.doc_id == asked[0].doc_id]
    assert asked[0].title == "Velden canal works"
    assert len(from_canal) > 3, [c.text for c in asked]
    # A briefing still gathers several reports: there the cap of three holds while others compete.
    briefed = workspace.assistant.brief_retriever.retrieve(question, 6)
    assert sum(c.doc_id == asked[0].doc_id for c in briefed) == 3


def _evidence(*sentences: str) -> list[Evidence]:
    text = " ".join(sentences)
    chunk = StoredChunk(id="c-0", doc_id="d", index=1, text=text, start=500, end=500 + len(text), title="Canal note",
                        source="/tmp/d.md", date=None, section=None, page=None, footnotes={})
    out = []
    for s in sentences:
        start = 500 + text.index(s)
        out.append(Evidence(chunk, start, start + len(s), s, vector=np.zeros(3)))
    return out


def test_sentence_features_are_also_given_relative_to_the_questions_best_candidate() -> None:
    question = "Who signed the Velden canal contract?"
    candidates = _evidence("Mayor Anna Brandt signed the Velden canal contract in March.",
                           "The contract was signed after a long debate.",
                           "Barges waited near the locks.")
    rows = feature_matrix(candidates, Context(question, question_type(question), {"c-0": 0}))
    col = {name: i for i, name in enumerate(FEATURES)}
    # The first sentence holds the question's name (Velden) and a new name (Anna Brandt); the others lack both.
    assert list(rows[:, col["names_rel"]]) == [0.0, -1.0, -1.0]
    assert list(rows[:, col["new_name_rel"]]) == [0.0, -1.0, -1.0]
    # Relative to the best of the question's candidates, not to a fixed scale: alone, the second sentence
    # is the best on every feature.
    alone = feature_matrix(candidates[1:2], Context(question, question_type(question), {"c-0": 0}))
    assert not alone[0, [col[f"{f}_rel"] for f in ("names", "new_name", "words")]].any()
    assert rows[1, col["names"]] == alone[0, col["names"]]  # the absolute features do not depend on the others


def test_the_shipped_weights_cover_the_relative_features() -> None:
    weights = RankerWeights.load()
    assert weights.features == list(FEATURES) and len(weights.coef) == len(FEATURES)
    assert "unseen_qa2" in weights.fitted_on  # fitted on both blind sets' tune halves


def test_copies_of_one_story_rank_the_same_in_every_store_of_the_same_documents(tmp_path: Path) -> None:
    """Two wire copies of one story (other first paragraphs, the same passage) score exactly alike; which an index
    returned first, or at all at its limit, depended on the order the store was filled in, so two stores of the
    same documents answered differently."""
    from assistant.settings import RetrievalSettings

    story = "The Velden canal dredging contract was worth 4 million euros, the council said."
    texts = {"copy_a.md": f"# Canal news\n\nBarges waited near the locks in April.\n\n{story}\n",
             "copy_b.md": f"# Canal news\n\nResidents complained about noise at night.\n\n{story}\n"}
    ranked = []
    for order in (("copy_a.md", "copy_b.md"), ("copy_b.md", "copy_a.md")):
        home = tmp_path / "-".join(order)
        settings = Settings(home=home / "home", retrieval=RetrievalSettings(fetch_k=3),
                            chunking=ChunkingSettings(max_tokens=24))
        workspace = build(settings, embedder=HashingEmbedder())
        for name in order:  # one at a time, so the store is filled in this order
            home.mkdir(parents=True, exist_ok=True)
            (home / name).write_text(texts[name], encoding="utf-8")
            workspace.corpus.ingest([home / name])
        # the story's passages first; the two first paragraphs ("# Canal news" and a line) then tie, at the cut
        got = workspace.assistant.retriever.retrieve("Velden canal dredging contract worth", 3)
        assert story in got[0].text and story in got[1].text
        ranked.append([(Path(c.source).name, c.index) for c in got])
    assert ranked[0] == ranked[1], ranked
