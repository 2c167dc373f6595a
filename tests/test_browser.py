"""The Gradio app in a real Chromium (Debian's /usr/bin/chromium) driven by Playwright.

Every test saves a screenshot under test-artifacts/ and checks that the page never requests anything
from a host other than 127.0.0.1/localhost.
"""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

CHROMIUM = Path("/usr/bin/chromium")
REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO / "test-artifacts"
SAMPLE = REPO / "ingest" / "samples" / "isw-2020-11-13-putin-wins-upset-victory-nagorno-karabakh.txt"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]
TIMEOUT_MS = 60_000

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.server,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="browser tests need Debian's Chromium at /usr/bin/chromium "
                       "(apt-get install chromium); Playwright's own browsers are not used"),
]

PAYLOAD_TEXT = """Convoy report <img src=x onerror=alert(1)>

By Field Desk

November 14, 2020

The relief convoy of 42 trucks reached Stepanakert on November 14, 2020 <img src=x onerror=alert(1)> <script>alert(2)</script> with winter supplies. ![tracker](https://example.com/pixel.png) <img src="https://example.com/remote.png"> The drivers reported no incidents on the Lachin corridor.
"""


def _local(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about", "chrome", "chrome-extension", "devtools"):
        return True
    return parts.hostname in ("127.0.0.1", "localhost", "::1")


class Page:
    """A Playwright page that records every request URL and every JavaScript dialog."""

    def __init__(self, browser: Any, url: str, name: str) -> None:
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.name = name
        self.context = browser.new_context(viewport={"width": 1440, "height": 1000}, accept_downloads=True)
        self.page = self.context.new_page()
        self.page.set_default_timeout(TIMEOUT_MS)
        self.page.on("request", lambda r: self.requests.append(r.url))

        def on_dialog(dialog: Any) -> None:
            self.dialogs.append(dialog.message)
            dialog.dismiss()

        self.page.on("dialog", on_dialog)
        self.page.goto(url)
        self.page.wait_for_selector("#question textarea")

    def shot(self, suffix: str = "") -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{self.name}{suffix}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def tab(self, label: str) -> None:
        self.page.get_by_role("tab", name=label).click()

    def ask(self, question: str) -> None:
        self.page.fill("#question textarea", question)
        self.page.click("#ask")

    def ask_for_first_footnote(self, question: str) -> Any:
        """Ask, and return the answer's first footnote link once it shows."""
        self.ask(question)
        link = self.page.locator("#chat a.cite-link").first
        link.wait_for(state="visible")
        return link

    def close(self) -> None:
        outside = [u for u in self.requests if not _local(u)]
        self.context.close()
        assert not outside, f"requests left 127.0.0.1: {outside}"
        assert not self.dialogs, f"JavaScript dialogs fired: {self.dialogs}"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        yield b
        b.close()


def _serve(workspace: Any, auth: Any = None) -> tuple[Any, str]:
    from ui.web import create_app, launch_options

    app = create_app(workspace)
    app.queue(max_size=8, default_concurrency_limit=2)
    _, url, _ = app.launch(server_name="127.0.0.1", server_port=None, prevent_thread_lock=True, quiet=True,
                           max_file_size="5mb", auth=auth, **launch_options(workspace))
    return app, url


@pytest.fixture(scope="module")
def sample_url(sample_workspace: Any) -> Iterator[str]:
    app, url = _serve(sample_workspace)
    yield url
    app.close()


@pytest.fixture(scope="module")
def writable_url(tmp_path_factory: pytest.TempPathFactory, embedder: Any) -> Iterator[str]:
    """An app over a store of its own (the corpus test adds files to it)."""
    from assistant.build import build
    from assistant.settings import Settings

    workspace = build(Settings(home=tmp_path_factory.mktemp("browser-home")), embedder=embedder)  # type: ignore[call-arg]
    workspace.corpus.ingest([SAMPLE])
    app, url = _serve(workspace)
    yield url
    app.close()


@pytest.fixture(scope="module")
def hostile_url(tmp_path_factory: pytest.TempPathFactory, embedder: Any) -> Iterator[str]:
    """An app whose only document carries HTML and script in its title and passages."""
    from assistant.build import build
    from assistant.settings import Settings

    folder = tmp_path_factory.mktemp("hostile")
    doc = folder / "convoy.txt"
    doc.write_text(PAYLOAD_TEXT, encoding="utf-8")
    workspace = build(Settings(home=folder / "home"), embedder=embedder)  # type: ignore[call-arg]
    report = workspace.corpus.ingest([doc])
    assert report.count("added") == 1, report.summary()
    app, url = _serve(workspace)
    yield url
    app.close()


@pytest.fixture
def page(request: pytest.FixtureRequest, browser: Any) -> Iterator[Any]:
    url = request.getfixturevalue(request.param) if hasattr(request, "param") else None
    assert url
    p = Page(browser, url, request.node.name)
    yield p
    p.close()


@pytest.mark.parametrize("page", ["sample_url"], indirect=True)
def test_footnote_opens_highlighted_passage(page: Page) -> None:
    pg = page.page
    link = page.ask_for_first_footnote("How many Russian peacekeepers will deploy, and for how long?")
    assert link.inner_text().strip() == "[1]"
    chat = pg.locator("#chat").inner_text()
    assert "1,960" in chat and "Sources" not in chat  # the sources are listed once, in the panel
    title = "Russian President Putin Wins Upset Victory in Nagorno-Karabakh"
    assert pg.locator("#sources-panel section[data-scope='t1']").inner_text().count(title) == 1
    passage = pg.locator("#sources-panel #cite-t1-1")
    passage.wait_for(state="attached")
    mark = passage.locator("mark")
    assert not mark.is_visible()  # folded until its footnote is clicked
    link.click()
    mark.wait_for(state="visible")
    assert "1,960 troops" in mark.inner_text()
    assert "cite-active" in (passage.get_attribute("class") or "")
    assert passage.locator(".passage-head, summary").first.inner_text().startswith("[1]")
    assert pg.locator("#sources-panel .origin a").count() >= 1  # the report's own sources
    page.shot()

    # a follow-up keeps the first answer's footnotes pointing at the first answer's passages
    page.ask("And who controls its implementation?")
    pg.locator("#sources-panel section[data-scope='t2']").wait_for(state="attached")
    pg.locator("#chat a.cite-link").first.click()
    pg.locator("#sources-panel #cite-t1-1 mark").wait_for(state="visible")
    assert "1,960 troops" in pg.locator("#sources-panel #cite-t1-1 mark").inner_text()
    page.shot("-follow-up")

    pg.click("#new-chat")
    pg.locator("#chat a.cite-link").first.wait_for(state="detached")
    assert pg.locator("#sources-panel .passage").count() == 0


@pytest.mark.parametrize("page", ["sample_url"], indirect=True)
def test_briefing_downloads(page: Page, tmp_path: Path) -> None:
    import docx

    pg = page.page
    page.tab("Briefing")
    pg.fill("#topic textarea", "Turkey's gains")
    pg.click("#write-briefing")
    pg.locator("#briefing-md a.cite-link").first.wait_for(state="visible")
    assert "Bottom line" in pg.locator("#briefing-md").inner_text()
    pg.locator("#briefing-md a.cite-link").first.click()
    pg.locator("#briefing-sources #cite-brief-1 mark").wait_for(state="visible")
    page.shot()

    with pg.expect_download() as info:
        pg.click("#download-md")
    md = tmp_path / "briefing.md"
    info.value.save_as(md)
    assert info.value.suggested_filename.endswith(".md")
    text = md.read_text(encoding="utf-8")
    assert "Bottom line" in text and "[^1]:" in text and "Turkey" in text

    with pg.expect_download() as info:
        pg.click("#download-docx")
    assert info.value.suggested_filename.endswith(".docx")
    path = tmp_path / "briefing.docx"
    info.value.save_as(path)
    document = docx.Document(io.BytesIO(path.read_bytes()))
    paragraphs = [p.text for p in document.paragraphs]
    assert any("Bottom line" in p for p in paragraphs)
    assert "Sources" in paragraphs
    assert any(r.font.superscript for p in document.paragraphs for r in p.runs)


@pytest.mark.parametrize("page", ["writable_url"], indirect=True)
def test_corpus_upload_lists_documents_and_reports_failures(page: Page, tmp_path: Path) -> None:
    pg = page.page
    page.tab("Corpus")
    table_text = "document.querySelector('#documents') ? document.querySelector('#documents').innerText : ''"
    pg.wait_for_function(f"({table_text}).includes('Putin Wins')")
    good = tmp_path / "clashes.md"
    shutil.copy(FIXTURES / "formats" / "clashes.md", good)
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.4 this is not really a pdf")
    pg.set_input_files("#upload input[type=file]", [str(good), str(bad)])
    for name in ("clashes.md", "broken.pdf"):  # both uploaded and listed before ingesting
        pg.locator(f"#upload .filename[aria-label='{name}']").wait_for(state="visible")
    pg.wait_for_function("document.querySelectorAll('#upload td.download a').length === 2")  # upload finished
    pg.click("#add-files")
    status = pg.locator("#corpus-status")
    status.get_by_text("could not be read", exact=False).wait_for(state="visible")
    report = status.inner_text()
    assert report.startswith("Added 1 document (") and "1 file could not be read: broken.pdf, malformed PDF" in report
    pg.wait_for_function("document.querySelectorAll('#upload .filename').length === 0")  # the drop zone is cleared
    pg.wait_for_function(f"({table_text}).includes('Clashes erupt along the line of contact')")
    rows = pg.locator("#documents").inner_text()
    assert "Putin Wins" in rows  # nothing else lost
    assert "2020-09-30" in rows
    page.shot()

    # the new document is offered in the sidebar's document filter and can be removed again
    pg.click("#remove-choice input")
    pg.get_by_role("option", name="Clashes erupt along the line of contact (2020-09-30)").click()
    pg.click("#remove")
    status.get_by_text("Removed").wait_for(state="visible")
    pg.wait_for_function(f"!({table_text}).includes('Clashes erupt along the line of contact')")
    assert "Putin Wins" in pg.locator("#documents").inner_text()
    page.shot("-removed")


@pytest.mark.parametrize("page", ["hostile_url"], indirect=True)
def test_hostile_passage_renders_inert(page: Page) -> None:
    pg = page.page
    link = page.ask_for_first_footnote("How many trucks were in the relief convoy?")
    link.click()
    mark = pg.locator("#sources-panel .passage mark").first
    mark.wait_for(state="visible")
    pg.wait_for_timeout(500)  # give any injected handler the chance to fire
    panel = pg.locator("#sources-panel").inner_text()
    assert "<img src=x onerror=alert(1)>" in panel or "<script>alert(2)</script>" in panel  # shown as text
    assert pg.locator("#sources-panel img, #sources-panel script, #chat .message-content img, #chat script").count() == 0
    page.shot()
    # Page.close (fixture teardown) asserts that no dialog fired and no request left 127.0.0.1


@pytest.mark.parametrize("page", ["sample_url"], indirect=True)
def test_evaluation_of_uploaded_answers(page: Page) -> None:
    pg = page.page
    page.tab("Evaluation")
    assert not pg.locator("#eval-answers").is_visible()  # the upload box shows only for uploaded answers
    pg.get_by_label("Uploaded answers (JSONL)").check()
    pg.locator("#eval-answers").wait_for(state="visible")
    pg.set_input_files("#eval-answers input[type=file]", str(FIXTURES / "flawed_answers.jsonl"))
    pg.locator("#eval-answers .filename[aria-label='flawed_answers.jsonl']").wait_for(state="visible")
    pg.click("#run-eval")
    pg.locator("#eval-summary").get_by_text("Grounding of flawed_answers.jsonl").wait_for(state="visible")
    metrics = pg.locator("#eval-metrics").inner_text()
    for name in ("Sentences backed by their footnotes", "Footnotes that are needed", "Sentences without a footnote"):
        assert name in metrics
    assert "citation_recall" not in metrics  # plain names for analysts; scripts keep the keys
    pg.locator("#eval-support img").wait_for(state="visible")
    pg.locator("#eval-scores img").wait_for(state="visible")
    questions = pg.locator("#eval-questions").inner_text()
    assert "points at no passage" in questions
    first_flag = questions.find("points at no passage")
    assert first_flag < questions.find("answered", first_flag + 1) or "answered" not in questions[first_flag:]
    page.shot()


EXPORT_PAYLOAD = """Convoy briefing <script>alert('title')</script>

By Field Desk

November 14, 2020

The relief convoy of 42 trucks reached Stepanakert on November 14 <img src=x onerror=alert('img')> with winter supplies. The relief convoy drivers crossed the Lachin corridor <script>alert('script')</script> without incident. The relief convoy carried ![pixel](http://127.0.0.1:{port}/image.png) flour and fuel for the winter. A second relief convoy is [expected](javascript:alert('link')) to leave Goris next week. The relief convoy organisers posted a schedule <a href="http://127.0.0.1:{port}/anchor" onmouseover="alert('hover')">online</a> for the trucks. The relief convoy route <iframe src="http://127.0.0.1:{port}/frame"></iframe> avoids Shusha entirely. The relief convoy will return <http://127.0.0.1:{port}/autolink> after unloading in Stepanakert. The relief convoy schedule &lt;script&gt;alert('entity')&lt;/script&gt; may change with the weather.

[expected]: http://127.0.0.1:{port}/reference
"""


class _Canary:
    """An HTTP server on 127.0.0.1 that serves one page and counts every other request."""

    def __init__(self) -> None:
        import http.server
        import threading

        hits: list[str] = []
        self.page = b""
        canary = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path == "/export.html":
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                    self.end_headers()
                    self.wfile.write(canary.page)
                    return
                hits.append(self.path)
                self.send_response(404)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.hits = hits
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_exported_markdown_renders_inert(browser: Any, tmp_path: Path, embedder: Any) -> None:
    """The .md export of a briefing quoting a hostile report, rendered by a CommonMark renderer with raw
    HTML allowed (markdown-it's commonmark preset) and opened in Chromium: no script, no request."""
    from markdown_it import MarkdownIt

    from assistant.build import build
    from assistant.settings import Settings
    from ui.web import BriefingApp

    canary = _Canary()  # the payload's links and images point at it
    doc = tmp_path / "convoy.txt"
    doc.write_text(EXPORT_PAYLOAD.replace("{port}", str(canary.port)), encoding="utf-8")
    workspace = build(Settings(home=tmp_path / "home"), embedder=embedder)  # type: ignore[call-arg]
    assert workspace.corpus.ingest([doc]).count("added") == 1
    _, _, md_path, _ = BriefingApp(workspace, export_root=tmp_path / "exports").write_briefing("the relief convoy")
    assert md_path, "the hostile report should still give a briefing"
    exported = Path(md_path).read_text(encoding="utf-8")
    quoted = sum(p in exported for p in ("onerror", "<script", "image.png", "javascript:", "<iframe", "anchor"))
    assert quoted >= 3, f"the briefing should quote the hostile sentences:\n{exported}"
    html = MarkdownIt("commonmark").render(exported)
    canary.page = f"<!doctype html><meta charset=utf-8><body>{html}</body>".encode()
    try:
        context = browser.new_context()
        page = context.new_page()
        requests: list[str] = []
        dialogs: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        url = f"http://127.0.0.1:{canary.port}/export.html"
        page.goto(url)
        page.mouse.move(10, 10)
        for link in page.locator("a").all():
            link.hover()
        page.wait_for_timeout(500)
        tags = page.evaluate("[...document.querySelectorAll('script, img, iframe, object, embed')].length")
        handlers = page.evaluate("[...document.querySelectorAll('*')].flatMap(e => [...e.attributes])"
                                 ".filter(a => a.name.startsWith('on')).length")
        hrefs = page.evaluate("[...document.querySelectorAll('a')].map(a => a.getAttribute('href'))")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "exported-markdown.png"), full_page=True)
        context.close()
    finally:
        canary.close()
    assert not dialogs, f"scripts ran: {dialogs}"
    assert [u for u in requests if u != url and not u.endswith("/favicon.ico")] == [], requests
    assert [h for h in canary.hits if h != "/favicon.ico"] == []
    assert tags == 0 and handlers == 0, (tags, handlers, html)
    assert all(h.startswith(("http://", "https://")) and f":{canary.port}/" not in h for h in hrefs), hrefs


def _home_with_two_collections(home: Path, embedder: Any) -> Any:
    """The bundled report in the default collection, the clashes article in 'news'."""
    from assistant.build import build
    from assistant.collections import Collections
    from assistant.settings import Settings

    workspace = build(Settings(home=home), embedder=embedder)  # type: ignore[call-arg]
    workspace.corpus.ingest([SAMPLE])
    Collections(workspace).create("news").corpus.ingest([FIXTURES / "formats" / "clashes.md"])
    return workspace


def _choose_collection(pg: Any, name: str) -> None:
    pg.click("#collection input")
    pg.get_by_role("option", name=name, exact=True).click()


def test_two_collections_answer_only_from_their_own_documents(browser: Any, tmp_path: Path, embedder: Any) -> None:
    app, url = _serve(_home_with_two_collections(tmp_path / "home", embedder))
    page = Page(browser, url, "test_two_collections_answer_only_from_their_own_documents")
    try:
        pg = page.page
        overview = pg.locator("#overview")
        overview.get_by_text("Collection default", exact=False).wait_for(state="visible")
        assert "Putin Wins" in overview.inner_text() and "2020-11-13" in overview.inner_text()
        page.shot("-default")
        _choose_collection(pg, "news")
        pg.wait_for_function("document.querySelector('#overview').innerText.includes('Clashes erupt')")
        assert "Putin" not in overview.inner_text()
        assert pg.locator("#example-1").inner_text().endswith("?")  # a question drawn from the collection
        page.shot("-news-overview")
        page.ask_for_first_footnote("When did the fighting continue?")
        panel = pg.locator("#sources-panel")
        panel.locator(".doc-sources").first.wait_for(state="attached")
        assert "Clashes erupt along the line of contact" in panel.inner_text() and "Putin" not in panel.inner_text()
        page.ask("How many Russian peacekeepers will deploy?")  # only the default collection holds the answer
        pg.locator("#sources-panel section[data-scope='t2']").wait_for(state="attached")
        assert "Putin" not in pg.locator("#sources-panel").inner_text() + pg.locator("#chat").inner_text()
        page.shot("-news")
        _choose_collection(pg, "default")
        pg.wait_for_function("document.querySelector('#overview').innerText.includes('Putin Wins')")
        link = page.ask_for_first_footnote("How many Russian peacekeepers will deploy, and for how long?")
        link.click()
        pg.locator("#sources-panel #cite-t1-1 mark").wait_for(state="visible")
        assert "Clashes erupt" not in pg.locator("#sources-panel").inner_text()
        page.shot("-back-to-default")
    finally:
        page.close()
        app.close()


def test_a_conversation_survives_a_restart_with_working_footnotes(browser: Any, tmp_path: Path, embedder: Any) -> None:
    from assistant.build import build
    from assistant.settings import Settings

    home = tmp_path / "home"
    workspace = build(Settings(home=home), embedder=embedder)  # type: ignore[call-arg]
    workspace.corpus.ingest([SAMPLE])
    app, url = _serve(workspace)
    page = Page(browser, url, "test_a_conversation_survives_a_restart")
    try:
        page.ask_for_first_footnote("How many Russian peacekeepers will deploy, and for how long?")
        page.page.locator("#conversations label").first.wait_for(state="visible")
        page.ask("And who controls its implementation?")
        page.page.locator("#sources-panel section[data-scope='t2']").wait_for(state="attached")
    finally:
        page.close()
        app.close()

    app, url = _serve(build(Settings(home=home), embedder=embedder))  # type: ignore[call-arg]  # a new server
    page = Page(browser, url, "test_a_conversation_survives_a_restart-reopened")
    try:
        pg = page.page
        saved = pg.locator("#conversations label").first
        saved.wait_for(state="visible")
        assert "How many Russian peacekeepers" in saved.inner_text()
        saved.click()
        link = pg.locator("#chat a.cite-link").first
        link.wait_for(state="visible")
        assert "1,960" in pg.locator("#chat").inner_text() and "who controls" in pg.locator("#chat").inner_text()
        link.click()
        mark = pg.locator("#sources-panel #cite-t1-1 mark")
        mark.wait_for(state="visible")
        assert "1,960 troops" in mark.inner_text()
        page.shot()
        with pg.expect_download() as info:
            pg.click("#export-conversation")
            pg.locator("#conversation-file a").first.click()
        text = Path(info.value.path()).read_text(encoding="utf-8")
        assert "## How many Russian peacekeepers" in text and "[^1]:" in text
    finally:
        page.close()
        app.close()


def _login(browser: Any, url: str, user: str, password: str, name: str) -> Page:
    """A Page after the login form (Page itself waits for the app, which shows only once logged in)."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    login = context.new_page()
    login.goto(url)
    login.fill("input[type=text]", user)
    login.fill("input[type=password]", password)
    login.get_by_role("button", name="Login").click()
    login.wait_for_selector("#question textarea", timeout=TIMEOUT_MS)
    cookies = context.cookies()
    context.close()
    page = Page.__new__(Page)
    page.requests, page.dialogs, page.name = [], [], name
    page.context = browser.new_context(viewport={"width": 1440, "height": 1000}, accept_downloads=True)
    page.context.add_cookies(cookies)
    page.page = page.context.new_page()
    page.page.set_default_timeout(TIMEOUT_MS)
    page.page.on("request", lambda r: page.requests.append(r.url))
    page.page.goto(url)
    page.page.wait_for_selector("#question textarea")
    return page


def test_with_auth_a_user_cannot_reach_another_users_conversations(browser: Any, tmp_path: Path,
                                                                   embedder: Any) -> None:
    from gradio_client import Client

    from assistant.build import build
    from assistant.settings import Settings

    workspace = build(Settings(home=tmp_path / "home"), embedder=embedder)  # type: ignore[call-arg]
    workspace.corpus.ingest([SAMPLE])
    app, url = _serve(workspace, auth=[("ana", "ana-secret-1"), ("ben", "ben-secret-2")])
    try:
        ana = _login(browser, url, "ana", "ana-secret-1", "test_auth_conversations-ana")
        try:
            ana.ask_for_first_footnote("How many Russian peacekeepers will deploy, and for how long?")
            ana.page.locator("#conversations label").first.wait_for(state="visible")
            ana.shot()
        finally:
            ana.close()
        ben = _login(browser, url, "ben", "ben-secret-2", "test_auth_conversations-ben")
        try:
            ben.page.wait_for_timeout(1500)  # the page's load event lists the user's conversations
            assert ben.page.locator("#conversations label").count() == 0
            ben.shot()
        finally:
            ben.close()

        as_ana = Client(url, auth=("ana", "ana-secret-1"), verbose=False)
        (conversation,) = as_ana.predict(api_name="/conversations")
        assert "1,960 troops" in as_ana.predict(conversation["id"], api_name="/conversation")
        as_ben = Client(url, auth=("ben", "ben-secret-2"), verbose=False)
        assert as_ben.predict(api_name="/conversations") == []
        with pytest.raises(Exception, match="no conversation"):
            as_ben.predict(conversation["id"], api_name="/conversation")
    finally:
        app.close()
