"""The Gradio app built by create_app, served on 127.0.0.1 and called through gradio_client."""

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.server]


@pytest.fixture(scope="module")
def served(sample_assistant):  # type: ignore[no-untyped-def]
    from ui.web import create_app

    app = create_app(sample_assistant)
    app.queue(max_size=8, default_concurrency_limit=2)
    _, url, _ = app.launch(server_name="127.0.0.1", server_port=None, prevent_thread_lock=True, quiet=True,
                           ssr_mode=False)
    yield url
    app.close()


def test_ask_api(served: str) -> None:
    from gradio_client import Client

    client = Client(served, verbose=False)
    history, cleared, panel = client.predict(
        "How many Russian peacekeepers will deploy, and for how long?", [], api_name="/ask"
    )
    reply = history[-1]["content"]
    text = reply[0]["text"] if isinstance(reply, list) else reply
    assert "1,960" in text and 'href="#cite-1"' in text
    assert cleared == ""
    assert "<mark>" in panel and "1,960 troops" in panel and "function.mil.ru" in panel


def test_brief_api(served: str) -> None:
    from gradio_client import Client

    client = Client(served, verbose=False)
    markdown, download = client.predict("Turkey's gains", api_name="/brief")
    assert "Bottom line" in markdown and "#cite-1" in markdown
    assert download
