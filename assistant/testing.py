"""Test doubles that ship with the library: a scripted OpenAI-compatible chat server on 127.0.0.1, and a
reranker that prefers sentences holding given phrases (a stand-in for a cross-encoder).

    with ScriptedChatServer(["Russia will deploy 1,960 troops [1]."]) as server:
        assistant = sample_assistant.with_chat_model(server.chat_model())

It speaks real HTTP (``/v1/chat/completions``, streamed as server-sent events or not), so the
LangChain client, its streaming and its parsing are exercised for real.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Reply = str | Callable[[list[dict[str, Any]]], str]


class ScriptedChatServer:
    """Replies in turn from ``replies`` (a string, or a function of the request's messages)."""

    def __init__(self, replies: Sequence[Reply] | Reply, *, chunk_words: int = 2) -> None:
        self.replies = [replies] if isinstance(replies, str) or callable(replies) else list(replies)
        self.chunk_words = chunk_words
        self.requests: list[dict[str, Any]] = []
        self._server: ThreadingHTTPServer | None = None
        self._turn = 0

    @property
    def url(self) -> str:
        assert self._server is not None, "server not started"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def next_reply(self, messages: list[dict[str, Any]]) -> str:
        reply = self.replies[min(self._turn, len(self.replies) - 1)]
        self._turn += 1
        return reply(messages) if callable(reply) else reply

    def start(self) -> ScriptedChatServer:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # silence the default stderr log
                pass

            def do_GET(self) -> None:
                if self.path.rstrip("/").endswith("/models"):
                    self._json({"object": "list", "data": [{"id": "scripted", "object": "model"}]})
                else:
                    self.send_error(404)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                if not self.path.rstrip("/").endswith("/chat/completions"):
                    self.send_error(404)
                    return
                owner.requests.append(body)
                text = owner.next_reply(body.get("messages", []))
                model = body.get("model", "scripted")
                if body.get("stream"):
                    self._stream(text, model)
                else:
                    self._json({
                        "id": "chatcmpl-scripted", "object": "chat.completion", "created": int(time.time()), "model": model,
                        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
                        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                    })

            def _json(self, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, text: str, model: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.end_headers()
                words = text.split(" ")
                pieces = [" ".join(words[i:i + owner.chunk_words]) for i in range(0, len(words), owner.chunk_words)]
                pieces = [p + (" " if i < len(pieces) - 1 else "") for i, p in enumerate(pieces)]
                for delta in [{"role": "assistant", "content": ""}] + [{"content": p} for p in pieces]:
                    self._event({"choices": [{"index": 0, "delta": delta, "finish_reason": None}]}, model)
                self._event({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}, model)
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()

            def _event(self, payload: dict[str, Any], model: str) -> None:
                payload.update({"id": "chatcmpl-scripted", "object": "chat.completion.chunk",
                                "created": int(time.time()), "model": model})
                self.wfile.write(f"data: {json.dumps(payload)}\n\n".encode())
                self.wfile.flush()

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def chat_model(self) -> Any:
        """A LangChain chat model talking to this server (start it first)."""
        from assistant.llm import make_chat_model

        return make_chat_model("openai", "scripted", self.url, None, 0.0, 30.0)

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> ScriptedChatServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class PhraseReranker:
    """A deterministic stand-in for a cross-encoder (:class:`assistant.rerank.Reranker`): a sentence scores
    the number of ``phrases`` it holds (case-insensitive). ``calls`` keeps each question and its sentences.

        answerer = ExtractiveAnswerer(scorer, ranker=ranker, reranker=PhraseReranker(["grant"]))
    """

    def __init__(self, phrases: Sequence[str]) -> None:
        self.phrases = [p.lower() for p in phrases]
        self.calls: list[tuple[str, list[str]]] = []

    def scores(self, question: str, sentences: Sequence[str]) -> list[float]:
        self.calls.append((question, list(sentences)))
        return [float(sum(p in s.lower() for p in self.phrases)) for s in sentences]
