"""Failure reasons are one short line, whatever the exception carries."""

from __future__ import annotations

import json

from kubernetes.client.rest import ApiException

from memtui.clients.errors import describe_failure


def test_a_websocket_handshake_failure_does_not_carry_its_headers_and_body_into_the_reason():
    pods = json.dumps({"kind": "PodList", "items": [{"spec": {"args": ["--model-dir=/models"]}}] * 50})
    # what kubernetes' ws_client raised when a LIST went out as a WebSocket handshake
    exc = ApiException(status=0, reason=f"Handshake status 200 OK -+-+- {{'content-type': 'application/json'}} -+-+- {pods}")
    assert describe_failure(exc) == "HTTP 0 Handshake status 200 OK"


def test_multi_line_and_huge_messages_are_cut_to_one_line():
    body = json.dumps({"message": "first line\nsecond line " + "x" * 500})
    text = describe_failure(_with_body(500, body))
    assert "\n" not in text and text.startswith("HTTP 500 Internal Server Error: first line")
    huge = describe_failure(_with_body(500, json.dumps({"message": "y" * 1000})))
    assert len(huge) < 240 and huge.endswith("…")


def _with_body(status: int, body: str) -> ApiException:
    exc = ApiException(status=status, reason="Internal Server Error")
    exc.body = body
    return exc
