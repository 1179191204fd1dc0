"""The built-in policy file: roles, purposes and the rules on PII, as versioned data.

TOML text in a module (as ``respond.deadline_rules`` does), since the package ships no data files.
``strongroom policy show`` prints it; ``strongroom policy apply FILE`` replaces it, with a second
person's approval. ``access.permissions`` parses and validates it at import.
"""

from __future__ import annotations

BUILTIN_POLICY = """
version = "2026.1"

# Permissions on PII: they need security training within training_max_age_days and the
# acknowledgement of this policy's version; without them a 403 training_required.
pii_permissions = [
  "pii.read", "pii.reveal", "cards.detokenize", "customers.erase", "privacy.manage",
  "documents.read",
]
training_max_age_days = 365

[purposes.administration]
description = "Running the platform: sources, tokens, settings"
[purposes.support]
description = "Helping a customer who contacted us"
[purposes.dsar]
description = "Answering a data-subject request (access, rectification, erasure)"
[purposes.security]
description = "Investigating a security event or incident"
[purposes.audit]
description = "Reviewing the audit log"
[purposes.collection]
description = "Receiving tracking data from a source"
[purposes.payment]
description = "Charging or refunding a card the customer paid with"
[purposes.incident_response]
description = "Responding to a breach: containment, blast radius, notices"
[purposes.marketing]
description = "Marketing to the customer"
needs_consent = true
[purposes.analytics]
description = "Analysing customers' behaviour in aggregate"
needs_consent = true
[purposes.third_party_sharing]
description = "Sharing a customer's data with a third party"
needs_consent = true

[roles.owner]
description = "Owns the installation: manages sources, tokens and machines; reads no customer data"
permissions = ["sources.manage", "tokens.manage", "machines.manage"]
purposes = ["administration"]
requires_webauthn = true

[roles.admin]
description = "Manages sources and tokens; reads no customer data"
permissions = ["sources.manage", "tokens.manage", "machines.manage"]
purposes = ["administration"]
requires_webauthn = true

[roles.support]
description = "Reads customer profiles with PII masked; reveals one field at a time with a reason"
permissions = ["customers.read", "customers.search", "documents.upload", "pii.reveal"]
purposes = ["support"]
volume_per_hour = 500

[roles.dpo]
description = "Data protection officer: reads profiles unmasked to answer data-subject requests"
permissions = [
  "customers.read", "customers.search", "pii.read", "customers.erase", "privacy.manage",
  "consent.manage", "documents.upload", "documents.read", "incidents.manage",
]
purposes = ["dsar", "security", "incident_response"]
requires_webauthn = true
volume_per_hour = 2000

[roles.auditor]
description = "Reads and verifies the audit log; no customer data"
permissions = ["audit.read"]
purposes = ["audit"]

[roles.marketing]
description = "Reads profiles, PII masked, only of customers who consented to marketing"
permissions = ["customers.read", "customers.search"]
purposes = ["marketing"]
volume_per_hour = 200

[roles.payments]
description = "Reveals card numbers from their tokens to take or refund payments; reads no profiles"
permissions = ["cards.detokenize"]
purposes = ["payment"]
requires_webauthn = true
volume_per_hour = 500

[roles.security]
description = "Reviews refused files (the quarantine) and runs incidents; no customer data"
permissions = ["quarantine.read", "quarantine.release", "quarantine.purge", "incidents.manage"]
purposes = ["security", "incident_response"]
requires_webauthn = true

[roles.analyst]
description = "Runs analytics on pseudonymized warehouse data; reads no profiles"
permissions = ["analytics.read"]
purposes = ["analytics"]

[roles.vendor]
description = "A vendor's key: profiles masked, only of customers who consented to sharing"
permissions = ["customers.read"]
purposes = ["third_party_sharing"]
volume_per_hour = 100

[roles.app]
description = "A third-party app: masked profiles of customers who granted it, per purpose"
permissions = ["customers.read"]
purposes = ["third_party_sharing"]
volume_per_hour = 100
"""
