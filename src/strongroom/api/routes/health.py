"""Liveness: the process answers and its database does too."""

from __future__ import annotations

from fastapi import APIRouter

from strongroom.api.deps import AppDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz(app: AppDep) -> dict[str, str]:
    with app.uow_factory() as uow:
        uow.audit.head()
    return {"status": "ok"}
