"""The global switch that forbids real-provider calls.

``forbid_network()`` patches socket connections so that anything but loopback (127.0.0.0/8,
::1, localhost) and Unix sockets raises :class:`RealProviderCallError`. The test suite turns it on
for every test; a user can do the same in their own tests, or set ``AGENTMEM_FORBID_NETWORK=1``
to have agentmem's CLI do it.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["RealProviderCallError", "allow_network", "forbid_network", "network_forbidden"]

_original_connect = socket.socket.connect
_original_connect_ex = socket.socket.connect_ex
_original_getaddrinfo = socket.getaddrinfo
_forbidden = False


class RealProviderCallError(RuntimeError):
    """A test (or a forbidden-network run) tried to reach a host that is not on this machine."""


def _is_local(host: Any) -> bool:
    if not isinstance(host, str):
        return True
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def _check(address: Any) -> None:
    if isinstance(address, tuple) and address and not _is_local(address[0]):
        raise RealProviderCallError(
            f"network access to {address[0]!r} is forbidden here (agentmem.testing.forbid_network is on); "
            "point the model at the fake server (agentmem.testing.FakeOpenAIServer) or call allow_network()"
        )


def _connect(self: socket.socket, address: Any) -> None:
    if self.family in (socket.AF_INET, socket.AF_INET6):
        _check(address)
    return _original_connect(self, address)


def _connect_ex(self: socket.socket, address: Any) -> int:
    if self.family in (socket.AF_INET, socket.AF_INET6):
        _check(address)
    return _original_connect_ex(self, address)


def _getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    if isinstance(host, bytes):
        host = host.decode()
    if host is not None:
        _check((host, 0))
    return _original_getaddrinfo(host, *args, **kwargs)


def forbid_network() -> None:
    """Refuse every non-loopback connection and DNS look-up from now on."""
    global _forbidden
    socket.socket.connect = _connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _connect_ex  # type: ignore[method-assign]
    socket.getaddrinfo = _getaddrinfo
    _forbidden = True


def allow_network() -> None:
    """Undo :func:`forbid_network`."""
    global _forbidden
    socket.socket.connect = _original_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _original_connect_ex  # type: ignore[method-assign]
    socket.getaddrinfo = _original_getaddrinfo
    _forbidden = False


@contextmanager
def network_forbidden() -> Iterator[None]:
    """Context manager form of :func:`forbid_network`."""
    was = _forbidden
    forbid_network()
    try:
        yield
    finally:
        if not was:
            allow_network()
