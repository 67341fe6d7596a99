"""``/inventory/import``: upload YAML files and CSV registers; same messages as ``pdcs inventory check``."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, File, UploadFile
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from inventory.models import Inventory
from pdcs.i18n import text
from supervision_api.access.auth import EditorUser
from supervision_api.access.store import change_inventory
from supervision_api.deps import LangDep, StateDep
from supervision_api.errors import ApiError
from supervision_api.inventory_upload import UploadResult, merge_upload
from supervision_api.schemas.inventory import ImportResult, Problems

router = APIRouter(prefix="/inventory", tags=["inventory"])
log = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class _Refused(Exception):
    def __init__(self, result: UploadResult) -> None:
        self.result = result


@router.post(
    "/import",
    response_model=ImportResult,
    responses={403: {"model": Problems}, 422: {"model": Problems}},
    summary="Import inventory files (YAML, CSV) into the stored inventory, within your scope",
)
async def import_files(
    files: Annotated[list[UploadFile], File(description="*.yaml / *.yml / *.csv / *.xlsx inventory files")],
    user: EditorUser,
    state: StateDep,
    lang: LangDep,
) -> Any:
    uploads = []
    total = 0
    for f in files:
        content = await f.read(MAX_UPLOAD_BYTES + 1)
        total += len(content)
        if total > MAX_UPLOAD_BYTES:
            raise ApiError(413, "error.inventory.too_large", limit_mb=MAX_UPLOAD_BYTES // 2**20)
        uploads.append((f.filename or "upload.yaml", content))
    names = [n for n, _ in uploads]
    result: UploadResult | None = None

    def change(inv: Inventory) -> tuple[Inventory, str, str, dict[str, Any]]:
        nonlocal result
        result = merge_upload(uploads, inv, user)
        if result.inventory is None:
            raise _Refused(result)
        details = {"files": names, "created": result.created, "updated": result.updated}
        return result.inventory, user.scope, ",".join(names)[:256], details

    try:  # parsing and checking are CPU work: on the thread pool, so the event loop keeps answering
        await run_in_threadpool(change_inventory, state, user, "inventory.import", change)
    except _Refused as refused:
        r = refused.result
        log.warning(
            "inventory import refused: user=%s files=%s problems=%d forbidden=%d first=%s",
            user.name,
            names,
            len(r.problems),
            len(r.forbidden),
            (r.problems or r.forbidden)[0] if (r.problems or r.forbidden) else "",
        )
        if r.forbidden:
            return JSONResponse(
                status_code=403,
                content={
                    "detail": text("error.forbidden.import", lang, scope=user.scope or "0"),
                    "code": "error.forbidden.import",
                    "problems": [p.text(lang) for p in r.forbidden],
                },
            )
        shown = [p.text(lang) for p in r.problems]
        return JSONResponse(
            status_code=422,
            content={
                "detail": text("error.inventory.problems", lang, n=len(shown)),
                "code": "error.inventory.problems",
                "problems": shown,
            },
        )
    assert result is not None
    return {"files": names, "created": result.created, "updated": result.updated}
