from __future__ import annotations

from datetime import UTC, datetime

import pytest

from strongroom.access.approvals import FourEyes
from strongroom.core.errors import ContainmentError, InvalidInputError, NotFoundError
from strongroom.core.machines import MachineKey, MachineKind, ThirdPartyApp
from strongroom.core.models import Actor, ApiToken, Principal, PrincipalKind
from strongroom.core.monitoring import Severity
from strongroom.core.policy import ApprovalKind
from strongroom.core.trail import AuditAction, Outcome
from strongroom.respond.actions import ACTIONS, ActionContext
from strongroom.respond.playbooks import (
    PLAYBOOKS,
    Playbook,
    PlaybookRunner,
    Step,
    approval_payload,
)

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
    view = world.incidents.show(incident_id)
    results = [e.draft.detail.get("result") for e in view.timeline]
    assert results.count("succeeded") == 3
    assert results.count("started") == 3
    assert view.incident.principals == ("staff:ann",)  # the revoked principal is a suspect


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


def _approval(world: World, payload: str, *, by: str = "sam", approver: str = "tom") -> str:
    four_eyes = FourEyes(world.factory, world.audit, world.clock)
    requester = Actor(PrincipalKind.STAFF, by, "security")
    approval = four_eyes.request(
        actor=requester, kind=ApprovalKind.CONTAINMENT, payload=payload, summary="contain"
    )
    four_eyes.approve(
        actor=Actor(PrincipalKind.STAFF, approver, "security"), approval_id=approval.id
    )
    return approval.id


def test_a_step_needing_approval_waits_for_a_second_persons_approval(world: World) -> None:
    incident_id, other_id = _incident(world), _incident(world)
    playbook = Playbook("p", "d", (Step("freeze_exports", approval=True),))
    runner = PlaybookRunner(world.incidents, FourEyes(world.factory, world.audit, world.clock))
    with pytest.raises(ContainmentError, match="approvals request --kind containment"):
        runner.run(context=_context(world, incident_id), playbook=playbook, params={})
    with world.factory() as uow:
        assert uow.incidents.export_freeze() is None
    refused = [
        _approval(world, approval_payload("p", other_id)),  # for another incident
        _approval(world, approval_payload("p", incident_id), approver=RESPONDER.name),
    ]
    for approval in [*refused, "no-such-approval"]:
        with pytest.raises(ContainmentError, match="step 1"):
            runner.run(
                context=_context(world, incident_id),
                playbook=playbook,
                params={},
                approval=approval,
            )
    timeline = world.incidents.show(incident_id).timeline
    assert [e.draft.detail.get("result") for e in timeline[-3:]] == ["awaiting_approval"] * 3
    with world.factory() as uow:
        assert uow.incidents.export_freeze() is None

    good = _approval(world, approval_payload("p", incident_id))
    runner.run(context=_context(world, incident_id), playbook=playbook, params={}, approval=good)
    assert "approved by tom" in world.incidents.show(incident_id).timeline[-1].draft.text


def test_an_approval_is_used_up_by_the_run_that_reaches_it(world: World) -> None:
    incident_id = _incident(world)
    steps = (Step("freeze_exports", approval=True), Step("checkpoint_audit", approval=True))
    playbook = Playbook("p", "d", steps)
    runner = PlaybookRunner(world.incidents, FourEyes(world.factory, world.audit, world.clock))
    approval = _approval(world, approval_payload("p", incident_id))
    no_checkpoints = _context(world, incident_id, checkpoint=False)
    with pytest.raises(ContainmentError, match=r"step 2 \(checkpoint_audit\)"):
        runner.run(context=no_checkpoints, playbook=playbook, params={}, approval=approval)
    with pytest.raises(ContainmentError, match="used already"):
        runner.run(
            context=_context(world, incident_id), playbook=playbook, params={}, approval=approval
        )
    fresh = _approval(world, approval_payload("p", incident_id))
    outcomes = runner.run(
        context=_context(world, incident_id), playbook=playbook, params={}, approval=fresh
    )
    assert [o.result for o in outcomes] == ["skipped", "succeeded"]


def test_revoking_a_principal_makes_it_a_suspect_once(world: World) -> None:
    _staff(world, "ann")
    incident_id = world.incidents.open_incident(
        actor=RESPONDER, title="x", severity=Severity.HIGH, principals=["vendor:acme"]
    ).id
    playbook = Playbook("p", "d", (Step("revoke_principal", (("principal", "ann"),)),))
    PlaybookRunner(world.incidents).run(
        context=_context(world, incident_id), playbook=playbook, params={}
    )
    view = world.incidents.show(incident_id)
    assert view.incident.principals == ("vendor:acme", "staff:ann")
    assert view.timeline[-1].draft.text.startswith("Suspect added: staff:ann")
    assert view.timeline[-1].draft.audit_seq is not None


def _app(world: World, name: str) -> ThirdPartyApp:
    app = ThirdPartyApp(f"app-{name}", name, b"h" * 32, ("marketing",), NOW, "admin:root")
    with world.factory() as uow:
        uow.apps.add(app)
        uow.commit()
    return app


def test_suspend_app_revokes_the_app_and_makes_it_a_suspect(world: World) -> None:
    app, other = _app(world, "quizapp"), _app(world, "shop")
    incident_id = _incident(world)
    PlaybookRunner(world.incidents).run(
        context=_context(world, incident_id),
        playbook=PLAYBOOKS["malicious_third_party_app"],
        params={"app": app.client_id},
    )
    with world.factory() as uow:
        assert uow.apps.get(app.client_id).revoked_at is not None  # type: ignore[union-attr]
        assert uow.apps.get(other.client_id).revoked_at is None  # type: ignore[union-attr]
    view = world.incidents.show(incident_id)
    assert f"app:{app.client_id}" in view.incident.principals
    assert any("suspend_app succeeded" in e.draft.text for e in view.timeline)


def test_suspending_an_unknown_app_fails_on_the_timeline_after_the_steps_before(
    world: World,
) -> None:
    incident_id = _incident(world)
    with pytest.raises(ContainmentError, match=r"suspend_app.*no third-party app"):
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


def _machine_key(world: World, key_id: str, kind: MachineKind, name: str) -> None:
    key = MachineKey(
        key_id, kind, name, key_id.encode() * 4, "srx_", NOW, "admin:root", NOW, NOW.replace(2027)
    )
    with world.factory() as uow:
        uow.machine_keys.add(key)
        uow.commit()


def test_revoke_machine_key_revokes_every_live_key_of_that_vendor_only(world: World) -> None:
    _machine_key(world, "k1", MachineKind.VENDOR, "acme")
    _machine_key(world, "k2", MachineKind.VENDOR, "acme")
    _machine_key(world, "k3", MachineKind.SERVICE, "acme")
    _machine_key(world, "k4", MachineKind.VENDOR, "other")
    action = ACTIONS["revoke_machine_key"]
    said = action.run(_context(world, _incident(world)), {"key": "vendor:acme"})
    assert said == "revoked 2 key(s) named acme"
    with world.factory() as uow:
        revoked = {
            k: uow.machine_keys.get(k).revoked_at is not None for k in ("k1", "k2", "k3", "k4")
        }  # type: ignore[union-attr]
    assert revoked == {"k1": True, "k2": True, "k3": False, "k4": False}
    assert action.suspect({"key": "vendor:acme"}) == "vendor:acme"
    assert action.suspect({"key": "acme"}) is None
    with pytest.raises(NotFoundError, match="no live service or vendor key named 'acme'"):
        action.run(_context(world, _incident(world)), {"key": "vendor:acme"})
