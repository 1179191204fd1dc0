"""Wires the machine principals: service and vendor keys, vendor reads, apps and their grants."""

from __future__ import annotations

from dataclasses import dataclass

from strongroom.access.machines.apps import AppRegistry
from strongroom.access.machines.grants import AppGrants
from strongroom.access.machines.keys import MachineKeys
from strongroom.access.machines.vendors import VendorReader
from strongroom.core.clock import Clock
from strongroom.core.ports import AuditTrail, UnitOfWorkFactory
from strongroom.vault.service import SubjectVault


@dataclass(frozen=True, slots=True)
class Machines:
    keys: MachineKeys  # service keys (srv_) and vendor keys (srx_)
    vendors: VendorReader
    apps: AppRegistry  # OAuth 2 clients and their access tokens (sro_)
    grants: AppGrants  # customers' grants to apps, and app reads


def build_machines(
    *, uow_factory: UnitOfWorkFactory, audit: AuditTrail, clock: Clock, vault: SubjectVault
) -> Machines:
    keys = MachineKeys(uow_factory, audit, clock)
    return Machines(
        keys=keys,
        vendors=VendorReader(uow_factory, vault, audit, keys),
        apps=AppRegistry(uow_factory, audit, clock),
        grants=AppGrants(uow_factory, vault, audit, clock),
    )
