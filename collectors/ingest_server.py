"""Run the push ingest's ASGI app inside a process that owns its own signals.

uvicorn normally installs SIGINT/SIGTERM handlers while it serves; inside the
collector (or ``pdcs ingest serve``) the process decides when to stop, so the
server here leaves signals alone and stops when the given event is set.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from typing import Any

import uvicorn


class _EmbeddedServer(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def parse_listen(value: str) -> tuple[str, int]:
    host, _, port = value.rpartition(":")
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"must be HOST:PORT (got {value!r})")
    return host or "0.0.0.0", int(port)


async def serve_until(app: Any, host: str, port: int, stop: asyncio.Event, tls: tuple[Any, Any] | None = None) -> None:
    """Serve ``app`` on host:port (HTTPS with ``tls`` = (certfile, keyfile)) until ``stop`` is set."""
    certfile, keyfile = (str(tls[0]), str(tls[1])) if tls else (None, None)
    config = uvicorn.Config(
        app, host=host, port=port, log_level="warning", lifespan="off", ssl_certfile=certfile, ssl_keyfile=keyfile
    )
    server = _EmbeddedServer(config)
    serving = asyncio.create_task(server.serve())
    stopping = asyncio.create_task(stop.wait())
    done, _ = await asyncio.wait({serving, stopping}, return_when=asyncio.FIRST_COMPLETED)
    if serving in done:
        stopping.cancel()
        serving.result()  # uvicorn exits (SystemExit) when it cannot bind
        raise RuntimeError(f"ingest server on {host}:{port} stopped unexpectedly")
    server.should_exit = True
    await serving


def collector_ingest_app(
    service: Any,
    inventory: Any,
    secret: str,
    ledger_path: Any,
    keys_path: Any = None,
    window_s: float = 86400.0,
    max_samples: int | None = None,
) -> Any:
    """The ingest app writing into a running ``CollectorService``'s own spool (``pdcs collect --ingest-listen``).

    Call from inside the service's event loop.
    """
    from collectors.ingest import MAX_SAMPLES, SeqLedger, create_ingest_app
    from collectors.ingest_keys import KeyStore
    from pdcs.points import Point

    loop = asyncio.get_running_loop()

    def sink(points: list[Point]) -> None:
        service.routes.append(service.routes.split(points))
        loop.call_soon_threadsafe(service.routes.wake)

    return create_ingest_app(
        inventory,
        secret,
        sink,
        ledger=SeqLedger(ledger_path),
        keys=KeyStore(keys_path),
        window_s=window_s,
        max_samples=max_samples or MAX_SAMPLES,
    )
