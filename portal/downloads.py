"""Downloads of an edition's files: the published catalogs for anyone signed in, for the current and
every earlier edition; the unpublished per-school scores for commission staff only.

Both path parts are checked against allow-lists (the edition against the folders the store listed,
the file name against a fixed set), so no request can name any other file.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Request
from fastapi import Path as PathParam
from fastapi.responses import FileResponse

from portal.auth import User, not_found, snapshot_of
from portal.edition_files import COMMISSION_FILES, PUBLIC_FILES
from portal.models import ErrorBody

MEDIA_TYPES = {
    ".csv": "text/csv; charset=utf-8",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".parquet": "application/vnd.apache.parquet",
    ".json": "application/json",
    ".pdf": "application/pdf",
    ".html": "text/html; charset=utf-8",
}

EditionId = Annotated[str, PathParam(description="版本号，见 /api/editions", openapi_examples={
    "year": {"summary": "某年的正式版", "value": "2026"}})]
FileName = Annotated[str, PathParam(description="文件名：" + "、".join(PUBLIC_FILES) + "；教委另可下载 "
                                    + "、".join(COMMISSION_FILES), openapi_examples={
    "catalog": {"summary": "专业指导性目录（CSV）", "value": "guiding_catalog.csv"},
    "scores": {"summary": "各校专业评分（仅教委）", "value": "school_major_scores.parquet"}})]

router = APIRouter(tags=["downloads"], responses={c: {"model": ErrorBody} for c in (401, 403, 404, 429)})


@router.get("/downloads/{edition}/{file_name}", response_class=FileResponse, summary="下载某一版本的文件",
            responses={200: {"content": {m: {} for m in MEDIA_TYPES.values()}}})
async def download(request: Request, edition: EditionId, file_name: FileName,
                   principal: User) -> FileResponse:
    snap = snapshot_of(request)
    if edition not in snap.editions or file_name not in PUBLIC_FILES.keys() | COMMISSION_FILES.keys():
        raise not_found()
    if file_name in COMMISSION_FILES and principal.role != "commission":
        raise HTTPException(403, "无权下载：该文件仅供教委工作人员使用。")
    published = snap.current.path.parent
    path = published / edition / file_name
    if not path.is_file() or path.resolve().parent != (published / edition).resolve():
        raise not_found()
    suffix = path.suffix.lower()
    return FileResponse(path, media_type=MEDIA_TYPES.get(suffix, "text/plain; charset=utf-8"),
                        filename=f"{edition}-{file_name}")
