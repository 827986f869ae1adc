"""The JSON API under /api: one endpoint per page, each returning exactly its role's fields.

Lists take ``limit`` (1–200) and ``offset``. A school's data is looked up with the school code from
its token; any query parameter or header naming another school is ignored.
"""

from __future__ import annotations

from typing import Annotated, Literal, get_args, get_origin

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field, ValidationError

from portal import commission_views, views
from portal.auth import CommissionUser, SchoolUser, User, not_found, school_principal, snapshot_of
from portal.editions import Snapshot
from portal.models import (
    CommissionSummary,
    EditionList,
    ErrorBody,
    MajorPage,
    Me,
    SchoolMajorDetail,
    SchoolPage,
    SchoolView,
)

DEFAULT_LIMIT, MAX_LIMIT, DEFAULT_OFFSET, MAX_OFFSET = 50, 200, 0, 1_000_000
ERRORS = {code: {"model": ErrorBody} for code in (401, 403, 404, 422, 429, 503)}
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="每页条数（最多 200）")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="跳过条数")]
CERTAINTY_TEXT = "结论确定性：临界（观察名单）/ 证据不足 / 确定"
CAUSE_TEXT = "主要原因：产业清单、人才需求、毕业去向、招生萎缩、布点过多、所在区、人工复核"
# the filters' values are the fixed sets of scoring/ ("" = no filter), documented as enums in the OpenAPI
CertaintyValue = Literal[("", *views.CERTAINTY_ORDER)]
CauseValue = Literal[("", *views.CAUSES)]
Certainty = Annotated[CertaintyValue, Query(description=CERTAINTY_TEXT)]
Cause = Annotated[CauseValue, Query(description=CAUSE_TEXT)]

MajorCode = Annotated[str, Path(description="专业代码（6 位）", openapi_examples={
    "major": {"summary": "机械设计与制造", "value": "460101"}})]

router = APIRouter(prefix="/api", tags=["api"], responses=ERRORS)


def _school_json(snap: Snapshot, school_code: str, limit: int, offset: int, certainty: str = "",
                 cause: str = "") -> Response:
    """A school view validated against SchoolView once per edition and page, then served as bytes
    (the edition never changes, so neither does the answer)."""
    key = ("school-json", school_code, limit, offset, *((certainty, cause) if certainty or cause else ()))
    body = snap.cache.get(key)
    if body is None:
        view = views.school_view(snap, school_code, limit, offset, certainty, cause)
        if view is None:
            raise not_found()
        body = SchoolView.model_validate(view).model_dump_json().encode("utf-8")
        # Only the default page is kept: caching every (limit, offset, filter) a client asks for would let
        # one token grow the snapshot without bound.
        if (limit, offset, certainty, cause) == (DEFAULT_LIMIT, DEFAULT_OFFSET, "", ""):
            snap.cache[key] = body
    return Response(body, media_type="application/json")


@router.get("/me", response_model=Me, summary="当前令牌的身份")
async def me(request: Request, principal: User) -> dict:
    return {"role": principal.role, "school_code": principal.school_code, "label": principal.label,
            "edition": snapshot_of(request).current.edition_id}


@router.get("/editions", response_model=EditionList, summary="历版目录及可下载文件")
async def editions(request: Request, principal: User) -> dict:
    snap = snapshot_of(request)
    return {"current": snap.current.edition_id, "editions": views.editions_info(snap, principal)}


class PageQuery(BaseModel):
    """``limit``/``offset`` of /api/school, validated as the other lists' Query parameters are."""

    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="每页条数（最多 200）")
    offset: int = Field(DEFAULT_OFFSET, ge=0, le=MAX_OFFSET, description="跳过条数")
    certainty: CertaintyValue = Field("", description=CERTAINTY_TEXT)
    cause: CauseValue = Field("", description=CAUSE_TEXT)


def _schema(field) -> dict:
    """The OpenAPI schema of one PageQuery field: integer bounds, or a string's allowed values."""
    if get_origin(field.annotation) is Literal:
        return {"type": "string", "enum": list(get_args(field.annotation)), "default": field.default}
    bounds = {k: v for m in field.metadata for k, v in (("minimum", getattr(m, "ge", None)),
                                                         ("maximum", getattr(m, "le", None))) if v is not None}
    return {"type": "integer" if field.annotation is int else "string", "default": field.default, **bounds}


def _query_parameters(model: type[BaseModel]) -> list[dict]:
    return [{"name": name, "in": "query", "required": False, "description": field.description,
             "schema": _schema(field)} for name, field in model.model_fields.items()]


async def school(request: Request) -> Response:
    """A school's own page as JSON: the school from the token, the page from ``limit``/``offset``."""
    principal = school_principal(request)
    if not request.scope["query_string"]:
        return _school_json(snapshot_of(request), principal.school_code, DEFAULT_LIMIT, DEFAULT_OFFSET)
    try:
        page = PageQuery.model_validate(request.query_params)
    except ValidationError as exc:
        raise RequestValidationError(exc.errors()) from None
    return _school_json(snapshot_of(request), principal.school_code, page.limit, page.offset, page.certainty,
                        page.cause)


# Served by a plain route (see portal.app.create_app); this APIRoute has the same endpoint and documents it.
router.add_api_route("/school", school, methods=["GET"], response_model=SchoolView, summary="本校专业（仅本校）",
                     openapi_extra={"parameters": _query_parameters(PageQuery), "security": [{"HTTPBearer": []}]})


@router.get("/school/majors/{major_code}", response_model=SchoolMajorDetail, summary="本校某一专业")
async def school_major(request: Request, major_code: MajorCode, principal: SchoolUser) -> dict:
    detail = views.school_major(snapshot_of(request), principal.school_code, major_code)
    if detail is None:
        raise not_found()
    return detail


@router.get("/commission", response_model=CommissionSummary, summary="教委总览")
async def commission(request: Request, principal: CommissionUser) -> dict:
    return commission_views.commission_summary(snapshot_of(request), principal)


@router.get("/commission/majors", response_model=MajorPage, summary="检索专业指导性目录")
async def commission_majors(request: Request, principal: CommissionUser, limit: Limit = 50, offset: Offset = 0,
                            q: Annotated[str, Query(max_length=50, description="专业代码前缀或名称关键词")] = "",
                            guidance: Annotated[str, Query(max_length=20, description="指导类别")] = "",
                            warning_level: Annotated[str, Query(max_length=4, description="预警等级")] = "",
                            certainty: Certainty = "", cause: Cause = "") -> dict:
    return commission_views.search_majors(snapshot_of(request), q, guidance, warning_level, limit, offset,
                                          certainty=certainty, cause=cause)


@router.get("/commission/schools", response_model=SchoolPage, summary="全部学校")
async def commission_schools(request: Request, principal: CommissionUser, limit: Limit = 50, offset: Offset = 0,
                             q: Annotated[str, Query(max_length=50, description="学校代码前缀或名称关键词")] = "",
                             ) -> dict:
    return commission_views.school_list(snapshot_of(request), q, limit, offset)


@router.get("/commission/schools/{school_code}", response_model=SchoolView, summary="任一学校的专业")
async def commission_school(request: Request, school_code: str, principal: CommissionUser, limit: Limit = 50,
                            offset: Offset = 0, certainty: Certainty = "", cause: Cause = "") -> Response:
    return _school_json(snapshot_of(request), school_code, limit, offset, certainty, cause)
