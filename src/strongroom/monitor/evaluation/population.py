"""A simulated staff population: who they are, their habits and what happens to them.

Everything is drawn from a ``random.Random`` seeded by the configuration, so a seed always
yields the same people. Addresses come from the documentation ranges (RFC 5737) for offices and
vendors, and from plausible ISP ranges for homes.
"""

from __future__ import annotations

import random
import re
from dataclasses import replace

from faker import Faker

from strongroom.monitor.evaluation.models import Persona, PopulationConfig
from strongroom.monitor.evaluation.seeds import seeded

_OFFICE_IPS = ("198.51.100.10", "198.51.100.11")  # the office's two egress addresses
_HOME_PREFIXES = (24, 50, 68, 73, 76, 98, 107, 174)
_SYSTEMS = (
    "Windows NT 10.0; Win64; x64",
    "Macintosh; Intel Mac OS X 10_15_7",
    "X11; Linux x86_64",
)
_VENDOR_CLIENTS = ("python-httpx/0.27.2", "okhttp/4.12.0", "Go-http-client/2.0", "Java/21.0.2")
_STAFF_ROLES = ("dpo", "payments", "admin", "auditor")
_MEDIAN_DAILY_TASKS = {"support": 30.0, "dpo": 8.0, "payments": 12.0, "admin": 2.0}


def browser_user_agent(system: str, browser: str, version: int) -> str:
    """A desktop browser's user agent string."""
    if browser == "firefox":
        return f"Mozilla/5.0 ({system}; rv:{version}.0) Gecko/20100101 Firefox/{version}.0"
    return (
        f"Mozilla/5.0 ({system}) AppleWebKit/537.36 (KHTML, like Gecko) "
        f"Chrome/{version}.0.0.0 Safari/537.36"
    )


def next_browser_version(user_agent: str) -> str:
    """The same user agent one major browser version later."""
    match = re.search(r"(Chrome|Firefox)/(\d+)", user_agent)
    if match is None:
        return user_agent
    name, version = match.group(1), int(match.group(2))
    bumped = user_agent.replace(f"{name}/{version}", f"{name}/{version + 1}")
    return bumped.replace(f"rv:{version}.0", f"rv:{version + 1}.0")


def home_ip(rng: random.Random) -> str:
    octets = (rng.choice(_HOME_PREFIXES), rng.randrange(256), rng.randrange(256))
    return ".".join(str(octet) for octet in octets) + f".{rng.randrange(1, 255)}"


def build_population(config: PopulationConfig) -> list[Persona]:
    """The staff and vendors of ``config``, with their life events, in a stable order."""
    rng = seeded("population", config.seed)
    names = _unique_names(config.seed, config.support + sum(_staff_counts(config).values()))
    personas: list[Persona] = []
    for name in names[: config.support]:
        personas.append(_staff(rng, f"staff:{name}", "support", config))
    others = iter(names[config.support :])
    for role, count in _staff_counts(config).items():
        personas.extend(_staff(rng, f"staff:{next(others)}", role, config) for _ in range(count))
    personas.extend(_vendor(rng, config, index) for index in range(config.vendors))
    return _with_life_events(rng, personas, config)


def _staff_counts(config: PopulationConfig) -> dict[str, int]:
    counts = (config.dpo, config.payments, config.admin, config.auditor)
    return dict(zip(_STAFF_ROLES, counts, strict=True))


def _unique_names(seed: int, count: int) -> list[str]:
    fake = Faker("en_US")
    fake.seed_instance(seed)
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < count:
        base = re.sub(r"[^a-z.]", "", f"{fake.first_name()}.{fake.last_name()}".lower())
        name, suffix = base, 2
        while name in seen:
            name, suffix = f"{base}{suffix}", suffix + 1
        seen.add(name)
        names.append(name)
    return names


def _staff(rng: random.Random, label: str, role: str, config: PopulationConfig) -> Persona:
    browser = rng.choices(("chrome", "firefox"), weights=(4, 1))[0]
    version = 131 if browser == "chrome" else 133
    median = _MEDIAN_DAILY_TASKS.get(role, 1.0)
    return Persona(
        label=label,
        role=role,
        # The busiest handle about three times what the slowest do; no one more than 3x the median.
        daily_volume=min(3.0, max(1 / 3, rng.lognormvariate(0.0, 0.45))) * median,
        start_hour=min(11.0, max(6.0, rng.gauss(8.0, 0.8))),
        shift_hours=min(10.0, max(6.5, rng.gauss(8.5, 0.5))),
        office_ips=_OFFICE_IPS,
        home_ip=home_ip(rng),
        remote_share=rng.uniform(0.0, 0.6),
        user_agent=browser_user_agent(rng.choice(_SYSTEMS), browser, version),
        weekend_rota=rng.randrange(4) if role == "support" and rng.random() < 0.25 else None,
        absences=_vacation(rng, config),
    )


def _vendor(rng: random.Random, config: PopulationConfig, index: int) -> Persona:
    slug = f"partner{index + 1}"
    address = f"192.0.2.{20 + index}"  # each vendor calls from one fixed address
    return Persona(
        label=f"vendor:{slug}",
        role="vendor",
        daily_volume=rng.lognormvariate(0.0, 0.3) * 60.0,
        start_hour=rng.choice((1.0, 2.0, 13.0, 14.0)),  # outsourced support in other time zones
        shift_hours=9.0,
        office_ips=(address,),
        home_ip=address,
        remote_share=0.0,
        user_agent=f"{slug}-sync/{rng.randint(1, 4)}.{rng.randint(0, 9)} "
        + rng.choice(_VENDOR_CLIENTS),
    )


def _vacation(rng: random.Random, config: PopulationConfig) -> tuple[tuple[int, int], ...]:
    if rng.random() >= 0.3 or config.days < 10:
        return ()
    start = rng.randrange(config.days - 5)
    return ((start, start + rng.choice((5, 7, 9))),)


def _with_life_events(
    rng: random.Random, personas: list[Persona], config: PopulationConfig
) -> list[Persona]:
    support = [index for index, persona in enumerate(personas) if persona.role == "support"]
    chosen = rng.sample(support, min(len(support), config.hires + config.leavers))
    hires, leavers = chosen[: config.hires], chosen[config.hires :]
    for index in hires:
        personas[index] = replace(personas[index], active_from=rng.randrange(1, config.days))
    for index in leavers:
        personas[index] = replace(personas[index], active_until=rng.randrange(1, config.days))
    settled = [index for index in support if index not in chosen]
    _long_leaves(rng, personas, settled, config)
    _role_changes(rng, personas, settled, config)
    for index, persona in enumerate(personas):
        personas[index] = _devices(rng, persona, config)
    return personas


def _long_leaves(
    rng: random.Random, personas: list[Persona], settled: list[int], config: PopulationConfig
) -> None:
    if config.days < 40:
        return
    for index in rng.sample(settled, min(len(settled), config.long_leaves)):
        start = rng.randrange(1, config.days - 36)
        leave = (start, start + rng.randint(31, 35))
        personas[index] = replace(personas[index], absences=(leave,))


def _role_changes(
    rng: random.Random, personas: list[Persona], settled: list[int], config: PopulationConfig
) -> None:
    for index in rng.sample(settled, min(len(settled), config.role_changes)):
        personas[index] = replace(
            personas[index], role_change=(rng.randrange(config.days // 3, config.days), "dpo")
        )


def _devices(rng: random.Random, persona: Persona, config: PopulationConfig) -> Persona:
    if persona.role == "vendor":
        return persona
    if config.browser_update_day is not None:
        persona = replace(persona, browser_update_day=config.browser_update_day + rng.randrange(7))
    if rng.random() < 0.06:  # a new laptop, and often a new home connection with it
        system = rng.choice(_SYSTEMS)
        persona = replace(
            persona,
            laptop_day=rng.randrange(1, config.days),
            new_user_agent=browser_user_agent(system, "chrome", 131),
            new_home_ip=home_ip(rng) if rng.random() < 0.5 else persona.home_ip,
        )
    return persona
