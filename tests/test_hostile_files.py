"""Hostile files fail alone, with a clear reason, inside the parser's memory and time limits."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import pytest

from assistant.build import make_ledger, make_store
from assistant.settings import Settings
from ingest.embeddings import HashingEmbedder
from ingest.errors import DocumentError
from ingest.loaders import decode_text
from ingest.pipeline import Ingestor
from ingest.sandbox import ParseLimits, SandboxedParser

GOOD = "Ceasefire Report\n\nRussian peacekeepers deployed along the line of contact. Turkey was left out of the deal.\n"

_DOCX_FILES = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
        "</Relationships>"
    ),
}


def docx_with_body(body_chunks: int, chunk: bytes) -> bytes:
    """A .docx whose document.xml inflates to ``body_chunks * len(chunk)`` bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, text in _DOCX_FILES.items():
            z.writestr(name, text)
        with z.open("word/document.xml", "w", force_zip64=True) as f:
            f.write(b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>')
            for _ in range(body_chunks):
                f.write(chunk)
            f.write(b"</w:body></w:document>")
    return out.getvalue()


def circular_pdf() -> bytes:
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Pages /Kids [2 0 R] /Count 1 /Parent 2 0 R >>"]
    return _pdf(objects, broken_xref=False)


def broken_xref_pdf() -> bytes:
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>"]
    return _pdf(objects, broken_xref=True)


def _pdf(objects: list[bytes], *, broken_xref: bool) -> bytes:
    out = b"%PDF-1.4\n"
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{(off * 7 + 13) if broken_xref else off:010d} 00000 n \n".encode()
    start = xref + (999 if broken_xref else 0)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{start}\n%%EOF\n".encode()
    return out


@pytest.fixture(scope="module")
def hostile_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    (folder / "good.txt").write_text(GOOD)
    (folder / "zip-bomb.docx").write_bytes(docx_with_body(300, b"\0" * 1_000_000))  # 300 MB from ~300 KB
    (folder / "circular.pdf").write_bytes(circular_pdf())
    (folder / "broken-xref.pdf").write_bytes(broken_xref_pdf())
    (folder / "one-line.txt").write_text("word " * 400_000)  # 2 MB on one line
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 64)
    (folder / "also-good.md").write_text("---\ntitle: Second\n---\nAzerbaijan regained districts around Nagorno-Karabakh.\n")
    return folder


def test_hostile_batch_fails_each_alone(hostile_folder: Path, tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "h")
    embedder = HashingEmbedder()
    ingestor = Ingestor(make_store(settings, embedder), embedder, make_ledger(settings),
                        limits=ParseLimits(memory_mb=512, seconds=20))
    started = time.perf_counter()
    report = ingestor.ingest([hostile_folder])
    elapsed = time.perf_counter() - started
    reasons = {Path(o.path).name: o.reason or "" for o in report.outcomes if o.status == "failed"}
    assert report.count("added") == 2, report.outcomes
    assert "refusing to inflate" in reasons["zip-bomb.docx"]
    assert "cyclic" in reasons["circular.pdf"] or "malformed PDF" in reasons["circular.pdf"]
    assert "broken-xref.pdf" in reasons and reasons["broken-xref.pdf"].startswith(str(hostile_folder / "broken-xref.pdf"))
    assert "single line" in reasons["one-line.txt"]
    assert "binary" in reasons["binary.txt"]
    assert elapsed < 120
    sources = {Path(c.source).name for c in ingestor.store.iter_chunks()}
    assert sources == {"good.txt", "also-good.md"}


@pytest.mark.slow  # a child process fills 1 GB of address space
def test_memory_limit_stops_a_parser_that_inflates_too_much(tmp_path: Path) -> None:
    # 40 MB of paragraphs of random letters passes the zip-bomb check (it hardly compresses), but
    # parsing it into python-docx's tree needs far more than 256 MB.
    import os

    letters = bytes(range(97, 123)) * 10
    table = bytes(letters[i % len(letters)] for i in range(256))
    paragraphs = [b"<w:p><w:r><w:t>" + os.urandom(960).translate(table) + b"</w:t></w:r></w:p>" for _ in range(64)]
    data = docx_with_body(650, b"".join(paragraphs))
    with SandboxedParser(ParseLimits(memory_mb=256, seconds=60)) as parser:
        with pytest.raises(DocumentError) as info:
            parser.parse(tmp_path / "heavy.docx", data)
        assert "heavy.docx" in str(info.value) and "256 MB" in str(info.value)
        # The parser process is replaced after a failure and keeps working.
        doc = parser.parse(tmp_path / "ok.txt", GOOD.encode())
        assert "peacekeepers" in doc.text


def test_time_limit_stops_a_hanging_parse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with SandboxedParser(ParseLimits(seconds=0.001)) as parser:
        started = time.perf_counter()
        with pytest.raises(DocumentError, match="longer than"):
            parser.parse(tmp_path / "slow.pdf", broken_xref_pdf() * 50)
        assert time.perf_counter() - started < 10


def test_oversized_file_is_refused_before_parsing(tmp_path: Path) -> None:
    with SandboxedParser(ParseLimits(max_file_mb=0.001)) as parser, pytest.raises(DocumentError, match="over the"):
        parser.parse(tmp_path / "big.txt", b"a" * 5000)


def test_mixed_encodings_keep_every_character() -> None:
    data = "Caf\u00e9 in Baku.\n".encode() + "Na\u00efve peace in Stepanakert \u2014 \u20ac5.\n".encode("cp1252")
    text = decode_text(data, Path("mixed.txt"))
    assert "Caf\u00e9 in Baku." in text and "Na\u00efve peace in Stepanakert \u2014 \u20ac5." in text
