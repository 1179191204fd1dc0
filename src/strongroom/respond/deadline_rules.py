"""The notice deadlines Strongroom knows, as a TOML table: check them with your counsel.

Kept as TOML text in a module (so it ships with the code); ``strongroom incidents deadlines
--rules FILE`` reads a file of the same shape instead. Each ``[rules.<id>]`` table has:

  regime      who makes the rule (GDPR, PCI DSS, US-CA ...)
  audience    who is told: authority, data_subjects, regulator, card_brands or decision
  title       what to do, in a line
  applies     always, eu (EU/EEA or unknown residents), us_state (with ``state``), payment
  within_hours / within_days / without_unreasonable_delay = true   (exactly one)
  min_residents   applies only from this many affected residents (default 1)
  effective   the date the rule took effect (YYYY-MM-DD); later awareness only
  citation    where the rule is written
"""

from __future__ import annotations

RULES_TOML = """
[rules.gdpr_authority]
regime = "GDPR"
audience = "authority"
title = "Notify the lead supervisory authority (Art. 33(1)), with the Art. 33(3) contents"
applies = "eu"
within_hours = 72
effective = 2018-05-25
citation = "GDPR Art. 33"

[rules.gdpr_subjects_decision]
regime = "GDPR"
audience = "decision"
title = "Decide whether the breach is high risk, so data subjects must be told (Art. 34)"
applies = "eu"
within_hours = 72
effective = 2018-05-25
citation = "GDPR Art. 34; 72 h is Strongroom's target, the law says without undue delay"

[rules.gdpr_subjects]
regime = "GDPR"
audience = "data_subjects"
title = "Tell data subjects in plain language if high risk, unless Art. 34(3) exempts"
applies = "eu"
without_unreasonable_delay = true
effective = 2018-05-25
citation = "GDPR Art. 34(1)-(3)"

[rules.pci_card_brands]
regime = "PCI DSS"
audience = "card_brands"
title = "Tell the acquirer and card brands of suspected card data compromise"
applies = "payment"
within_hours = 72
effective = 2018-05-01
citation = "PCI DSS 12.10.1; card brand rules (e.g. Visa: within three days)"

[rules.us_ca_residents]
regime = "US-CA"
audience = "data_subjects"
title = "Notify California residents, under the five required headings"
applies = "us_state"
state = "CA"
without_unreasonable_delay = true
effective = 2003-07-01
citation = "Cal. Civ. Code 1798.82(a), (d)"

[rules.us_ca_attorney_general]
regime = "US-CA"
audience = "regulator"
title = "Send a sample copy of the notice to the California Attorney General"
applies = "us_state"
state = "CA"
min_residents = 501
without_unreasonable_delay = true
effective = 2012-01-01
citation = "Cal. Civ. Code 1798.82(f)"

[rules.us_ny_residents]
regime = "US-NY"
audience = "data_subjects"
title = "Notify New York residents; also the AG, Department of State and State Police"
applies = "us_state"
state = "NY"
within_days = 30
effective = 2024-12-21
citation = "N.Y. Gen. Bus. Law 899-aa"

[rules.us_tx_residents]
regime = "US-TX"
audience = "data_subjects"
title = "Notify Texas residents"
applies = "us_state"
state = "TX"
within_days = 60
effective = 2019-09-01
citation = "Tex. Bus. & Com. Code 521.053(b)"

[rules.us_tx_attorney_general]
regime = "US-TX"
audience = "regulator"
title = "Notify the Texas Attorney General (online form)"
applies = "us_state"
state = "TX"
min_residents = 250
within_days = 30
effective = 2023-09-01
citation = "Tex. Bus. & Com. Code 521.053(i)"

[rules.us_fl_residents]
regime = "US-FL"
audience = "data_subjects"
title = "Notify Florida residents"
applies = "us_state"
state = "FL"
within_days = 30
effective = 2014-07-01
citation = "Fla. Stat. 501.171(4)"

[rules.us_fl_attorney_general]
regime = "US-FL"
audience = "regulator"
title = "Notify the Florida Department of Legal Affairs"
applies = "us_state"
state = "FL"
min_residents = 500
within_days = 30
effective = 2014-07-01
citation = "Fla. Stat. 501.171(3)"

[rules.us_wa_residents]
regime = "US-WA"
audience = "data_subjects"
title = "Notify Washington residents"
applies = "us_state"
state = "WA"
within_days = 30
effective = 2020-03-01
citation = "RCW 19.255.010"

[rules.us_wa_attorney_general]
regime = "US-WA"
audience = "regulator"
title = "Notify the Washington Attorney General"
applies = "us_state"
state = "WA"
min_residents = 501
within_days = 30
effective = 2020-03-01
citation = "RCW 19.255.010(7)"

[rules.us_ma_residents]
regime = "US-MA"
audience = "data_subjects"
title = "Notify Massachusetts residents; also the AG and the OCABR"
applies = "us_state"
state = "MA"
without_unreasonable_delay = true
effective = 2007-10-31
citation = "Mass. Gen. Laws ch. 93H, 3"
"""
