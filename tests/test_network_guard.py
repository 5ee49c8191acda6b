from __future__ import annotations

import socket

import pytest

from agentmem.testing import FakeOpenAIServer, RealProviderCallError


def test_non_loopback_connections_are_refused() -> None:
    with pytest.raises(RealProviderCallError, match="forbidden"):
        socket.create_connection(("203.0.113.7", 443), timeout=0.1)


def test_dns_lookups_of_public_hosts_are_refused() -> None:
    with pytest.raises(RealProviderCallError, match=r"api\.openai\.com"):
        socket.getaddrinfo("api.openai.com", 443)


def test_fake_server_answers_openai_sdk_over_http(fake_openai: FakeOpenAIServer) -> None:
    import openai

    fake_openai.script("first", "second")
    with openai.OpenAI(base_url=fake_openai.base_url, api_key="test") as client:
        out = [
            client.chat.completions.create(
                model="fake", messages=[{"role": "user", "content": f"q{i}"}]
            )
            .choices[0]
            .message.content
            for i in range(3)
        ]
    assert out == ["first", "second", "ok"]
    assert [r.user for r in fake_openai.chat_requests] == ["q0", "q1", "q2"]
