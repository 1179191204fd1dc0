from __future__ import annotations

from datetime import UTC, datetime

import pytest

from strongroom.core.errors import ContainmentError, InvalidInputError
from strongroom.core.models import ApiToken, Principal
from strongroom.core.monitoring import Severity
from strongroom.core.trail import AuditAction, Outcome
from strongroom.respond.actions import ACTIONS, ActionContext
from strongroom.respond.playbooks import PLAYBOOKS, Playbook, PlaybookRunner, Step

from .conftest import RESPONDER, World

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _context(world: World, incident_id: str, *, checkpoint: bool = True) -> ActionContext:
    def sign(actor: object) -> int:
        return world.checkpointer.checkpoint(actor=RESPONDER).checkpoint.tree_size

    return ActionContext(
        uow_factory=world.factory,
        clock=world.clock,
        actor=RESPONDER,
        incident_id=incident_id,
        checkpoint=sign if checkpoint else None,
    )


def _staff(world: World, name: str) -> None:
    with world.factory() as uow:
        uow.principals.add(Principal(f"p-{name}", name, "support", NOW))
        uow.tokens.add(ApiToken(f"t-{name}", f"p-{name}", name.encode() * 4, "srt_x", NOW))
        uow.commit()


def _incident(world: World) -> str:
    return world.incidents.open_incident(actor=RESPONDER, title="x", severity=Severity.HIGH).id


def test_every_playbook_names_only_declared_actions() -> None:
    for playbook in PLAYBOOKS.values():
        assert {step.action for step in playbook.steps} <= set(ACTIONS)


def test_the_credential_playbook_revokes_freezes_and_signs(world: World) -> None:
    _staff(world, "ann")
    incident_id = _incident(world)
    outcomes = PlaybookRunner(world.incidents).run(
        context=_context(world, incident_id),
        playbook=PLAYBOOKS["compromised_staff_credential"],
        params={"principal": "staff:ann"},
    )
    assert [o.result for o in outcomes] == ["succeeded"] * 3
    with world.factory() as uow:
        assert uow.tokens.by_hash(b"ann" * 4) is None  # disabled and revoked
        assert uow.incidents.export_freeze() is not None
        assert uow.audit.latest_checkpoint() is not None
    results = [e.draft.detail.get("result") for e in world.incidents.show(incident_id).timeline]
    assert results.count("succeeded") == 3
    assert results.count("started") == 3


def test_a_step_failing_half_way_stops_there_and_a_rerun_resumes(world: World) -> None:
    incident_id = _incident(world)
    playbook = PLAYBOOKS["compromised_staff_credential"]
    runner = PlaybookRunner(world.incidents)
    with pytest.raises(ContainmentError, match=r"step 1 \(revoke_principal\).*resume"):
        runner.run(
            context=_context(world, incident_id), playbook=playbook, params={"principal": "bob"}
        )
    timeline = world.incidents.show(incident_id).timeline
    assert timeline[-1].draft.detail["result"] == "failed"
    assert "no principal named 'bob'" in timeline[-1].draft.text
    with world.factory() as uow:
        assert uow.incidents.export_freeze() is None  # later steps did not run
        failed = [e for e in uow.audit.scan() if e.draft.action is AuditAction.CONTAINMENT_RUN]
    assert [e.draft.outcome for e in failed] == [Outcome.FAILED]
    assert failed[0].seq == timeline[-1].draft.audit_seq

    _staff(world, "bob")
    outcomes = runner.run(
        context=_context(world, incident_id), playbook=playbook, params={"principal": "bob"}
    )
    assert [o.result for o in outcomes] == ["succeeded"] * 3
    again = runner.run(
        context=_context(world, incident_id), playbook=playbook, params={"principal": "bob"}
    )
    assert [o.result for o in again] == ["skipped"] * 3


def test_a_step_needing_approval_waits_for_it(world: World) -> None:
    incident_id = _incident(world)
    playbook = Playbook("p", "d", (Step("freeze_exports", approval=True),))
    runner = PlaybookRunner(world.incidents)
    with pytest.raises(ContainmentError, match="approval"):
        runner.run(context=_context(world, incident_id), playbook=playbook, params={})
    with world.factory() as uow:
        assert uow.incidents.export_freeze() is None
    with pytest.raises(InvalidInputError, match="someone other"):
        runner.run(
            context=_context(world, incident_id), playbook=playbook, params={}, approved_by="rita"
        )
    runner.run(
        context=_context(world, incident_id), playbook=playbook, params={}, approved_by="sam"
    )
    assert "approved by sam" in world.incidents.show(incident_id).timeline[-1].draft.text


def test_an_action_not_available_refuses_clearly(world: World) -> None:
    incident_id = _incident(world)
    with pytest.raises(ContainmentError, match="suspend_app is not available"):
        PlaybookRunner(world.incidents).run(
            context=_context(world, incident_id),
            playbook=PLAYBOOKS["malicious_third_party_app"],
            params={"app": "quizapp"},
        )
    texts = [e.draft.text for e in world.incidents.show(incident_id).timeline]
    assert any("freeze_exports succeeded" in t for t in texts)
    assert "failed" in texts[-1]


def test_a_missing_parameter_is_refused_before_any_step(world: World) -> None:
    incident_id = _incident(world)
    with pytest.raises(InvalidInputError, match="--param source"):
        PlaybookRunner(world.incidents).run(
            context=_context(world, incident_id),
            playbook=PLAYBOOKS["stolen_vendor_key"],
            params={},
        )
    assert len(world.incidents.show(incident_id).timeline) == 1


def test_without_a_checkpointer_the_step_fails_and_says_so(world: World) -> None:
    incident_id = _incident(world)
    playbook = Playbook("p", "d", (Step("checkpoint_audit"),))
    with pytest.raises(ContainmentError, match="not available"):
        PlaybookRunner(world.incidents).run(
            context=_context(world, incident_id, checkpoint=False), playbook=playbook, params={}
        )
