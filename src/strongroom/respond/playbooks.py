"""Playbooks declared as data, and the runner that records every step on the timeline.

A step's parameters may name ``$placeholders`` filled from the run's parameters. The runner
stops at the first step that fails (or needs an approval it was not given): the steps before it
stay done, the failure is on the timeline and in the audit log, and running the playbook again
skips the steps already done and resumes there.

Steps that need approval take a four-eyes approval (``access.approvals``) of kind
``containment`` for the payload ``approval_payload(playbook, incident)``: requested by one
person, approved by a second, used by a third or the requester, and used up by the run that
reaches the first such step (it covers that run's later approval steps too). A step that
revokes a principal makes it a suspect of the incident (``respond.suspects``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import NoReturn

from strongroom.access.approvals import FourEyes
from strongroom.core.errors import (
    ApprovalRequiredError,
    ConflictError,
    ContainmentError,
    InvalidInputError,
    NotFoundError,
    StrongroomError,
)
from strongroom.core.incidents import TimelineKind
from strongroom.core.policy import ApprovalKind
from strongroom.core.trail import AuditAction, AuditDraft, Outcome
from strongroom.respond.actions import ActionContext, action_named
from strongroom.respond.service import PURPOSE, IncidentService


@dataclass(frozen=True, slots=True)
class Step:
    action: str
    params: tuple[tuple[str, str], ...] = ()
    approval: bool = False  # the policy demands a second person's approval


@dataclass(frozen=True, slots=True)
class Playbook:
    name: str
    description: str
    steps: tuple[Step, ...]


PLAYBOOKS: dict[str, Playbook] = {
    playbook.name: playbook
    for playbook in (
        Playbook(
            "compromised_staff_credential",
            "A staff token or login was stolen or misused",
            (
                Step("revoke_principal", (("principal", "$principal"),)),
                Step("freeze_exports"),
                Step("checkpoint_audit"),
            ),
        ),
        Playbook(
            "stolen_vendor_key",
            "A vendor's source write key is in the wrong hands",
            (
                Step("suspend_source", (("source", "$source"),), approval=True),
                Step("checkpoint_audit"),
            ),
        ),
        Playbook(
            "compromised_machine_key",
            "A service or vendor API key is in the wrong hands (Target 2013's vendor credential)",
            (
                Step("revoke_machine_key", (("key", "$key"),), approval=True),
                Step("freeze_exports"),
                Step("checkpoint_audit"),
            ),
        ),
        Playbook(
            "leaked_database_file",
            "A copy of the database or a backup left Strongroom",
            (
                Step("freeze_exports"),
                Step("checkpoint_audit"),
                Step("rotate_keys", (("kind", "field-kek"),), approval=True),
                Step("rotate_keys", (("kind", "blind-index"),), approval=True),
            ),
        ),
        Playbook(
            "malicious_third_party_app",
            "A third-party app harvests data beyond its grants",
            (
                Step("freeze_exports"),
                Step("suspend_app", (("app", "$app"),)),
                Step("checkpoint_audit"),
            ),
        ),
    )
}


def playbook_named(name: str) -> Playbook:
    try:
        return PLAYBOOKS[name]
    except KeyError:
        known = ", ".join(sorted(PLAYBOOKS))
        raise InvalidInputError(f"unknown playbook {name!r}; use one of: {known}") from None


def approval_payload(playbook: str, incident_id: str) -> str:
    """What a ``containment`` approval names: one playbook, for one incident."""
    return f"{playbook}:{incident_id}"


def step_params(step: Step, given: Mapping[str, str]) -> dict[str, str]:
    """The step's parameters with ``$placeholders`` filled; InvalidInputError if one is missing."""
    filled: dict[str, str] = {}
    for key, declared in step.params:
        value = declared
        if declared.startswith("$"):
            if not given.get(declared[1:]):
                raise InvalidInputError(
                    f"this playbook needs --param {declared[1:]}=... (step {step.action})"
                )
            value = given[declared[1:]]
        filled[key] = value
    return filled


@dataclass(frozen=True, slots=True)
class _Where:
    """Which step of which playbook, for one incident, run by whom."""

    context: ActionContext
    playbook: str
    index: int
    action: str


@dataclass(frozen=True, slots=True)
class StepOutcome:
    index: int
    action: str
    result: str  # succeeded, skipped (done before)
    summary: str


class PlaybookRunner:
    """Runs a playbook's steps in order for one incident, recording each on its timeline."""

    def __init__(self, incidents: IncidentService, approvals: FourEyes | None = None) -> None:
        self._incidents, self._approvals = incidents, approvals

    def run(
        self,
        *,
        context: ActionContext,
        playbook: Playbook,
        params: Mapping[str, str],
        approval: str | None = None,
    ) -> list[StepOutcome]:
        """Run (or resume) ``playbook``; ContainmentError at the step where it stopped.

        ``approval``: the id of a four-eyes approval, needed when a step to run needs one."""
        filled = [step_params(step, params) for step in playbook.steps]  # all checked up front
        done = self._done_steps(context.incident_id, playbook.name)
        outcomes: list[StepOutcome] = []
        approved_by: str | None = None
        for index, (step, step_args) in enumerate(zip(playbook.steps, filled, strict=True), 1):
            if index in done:
                outcomes.append(StepOutcome(index, step.action, "skipped", "done before"))
                continue
            where = _Where(context, playbook.name, index, step.action)
            if step.approval and approved_by is None:
                approved_by = self._use_approval(where, approval)
            summary = self._run_step(where, step_args, approved_by if step.approval else None)
            outcomes.append(StepOutcome(index, step.action, "succeeded", summary))
        return outcomes

    def _use_approval(self, where: _Where, approval: str | None) -> str:
        """Who approved: the approval is checked and used up; the step stops if it cannot be."""
        payload = approval_payload(where.playbook, where.context.incident_id)
        if approval is None:
            self._stop(
                where,
                "needs a second person's approval: run `strongroom approvals request --kind "
                f"containment --payload {payload}`, have another person approve it, then run "
                "the playbook again with the approval id",
                Outcome.DENIED,
            )
        if self._approvals is None:
            self._stop(where, "approvals are not available in this process", Outcome.FAILED)
        try:
            used = self._approvals.use(
                actor=where.context.actor,
                approval_id=approval,
                kind=ApprovalKind.CONTAINMENT,
                payload=payload,
            )
        except (ApprovalRequiredError, NotFoundError) as error:
            self._stop(where, error.message, Outcome.DENIED)
        return used.approved_by or "?"

    def _run_step(self, where: _Where, params: dict[str, str], approved_by: str | None) -> str:
        action = action_named(where.action)
        self._note(where, "started", "started", None)
        try:
            summary = action.run(where.context, params)
        except StrongroomError as error:
            self._stop(where, error.message, Outcome.FAILED)
        approved = f" (approved by {approved_by})" if approved_by else ""
        self._note(where, "succeeded", summary + approved, Outcome.SUCCESS)
        suspect = action.suspect(params)
        if suspect is not None:
            self._watch(where, suspect)
        return summary

    def _watch(self, where: _Where, label: str) -> None:
        """Make the principal the step acted on a suspect, unless it is one already."""
        incident_id = where.context.incident_id
        if label in self._incidents.get(incident_id).principals:
            return
        with contextlib.suppress(ConflictError):  # added meanwhile: what was wanted anyway
            self._incidents.add_suspect(
                actor=where.context.actor, incident_id=incident_id, label=label
            )

    def _stop(self, where: _Where, message: str, outcome: Outcome) -> NoReturn:
        result = "failed" if outcome is Outcome.FAILED else "awaiting_approval"
        self._note(where, result, message, outcome)
        raise ContainmentError(
            f"playbook {where.playbook} stopped at step {where.index} ({where.action}): "
            f"{message}. Earlier steps are done and on the timeline; fix the cause and run it "
            "again to resume"
        )

    def _note(self, where: _Where, result: str, text: str, outcome: Outcome | None) -> None:
        context = where.context
        detail: dict[str, str | int] = {
            "playbook": where.playbook,
            "step": where.index,
            "action": where.action,
            "result": result,
        }
        audit = None
        if outcome is not None:
            audit = AuditDraft(
                actor=context.actor.label,
                action=AuditAction.CONTAINMENT_RUN,
                outcome=outcome,
                resource_type="incident",
                resource_ids=(context.incident_id,),
                purpose=PURPOSE,
                detail={
                    "playbook": where.playbook,
                    "step": where.index,
                    "containment": where.action,
                },
                origin=context.actor.origin,
            )
        self._incidents.record_event(
            incident_id=context.incident_id,
            actor=context.actor.label,
            kind=TimelineKind.ACTION,
            text=f"{where.playbook} step {where.index} {where.action} {result}: {text}",
            detail=dict(detail),
            audit=audit,
        )

    def _done_steps(self, incident_id: str, playbook: str) -> set[int]:
        view = self._incidents.show(incident_id)
        done: set[int] = set()
        for entry in view.timeline:
            detail = entry.draft.detail
            if detail.get("playbook") == playbook and detail.get("result") == "succeeded":
                step = detail.get("step")
                if isinstance(step, int):
                    done.add(step)
        return done
