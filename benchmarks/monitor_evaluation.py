"""Detector evaluation: recall and precision per insider scenario at a 1% alert budget.

    .venv/bin/python benchmarks/monitor_evaluation.py [--seeds 5] [--per-kind 3] [--rate 0.01]

For each seed: simulate 200 principals over 60 days (``monitor.evaluation.generator``) with
``--per-kind`` instances of each insider scenario, run every detector of the monitor's registry
(built-in settings) through the evaluation adapter, and keep the top ``rate`` of active
principal-days, by severity then score. The same is done for a naive baseline on the same data:
the busiest principal-days first. Counts are pooled over the seeds, so each kind's recall is over
``seeds * per_kind`` instances.

"unbudgeted" is the instance recall with every alert kept: what the detectors see at all, so a
gap between it and the budgeted recall is a ranking problem, not a blind spot.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from strongroom.monitor.evaluation.baselines import daily_volume_alerts
from strongroom.monitor.evaluation.detectors import alerts_from_scan, registry_scan
from strongroom.monitor.evaluation.generator import generate_dataset
from strongroom.monitor.evaluation.metrics import evaluate_dataset, rank_alerts
from strongroom.monitor.evaluation.models import (
    Alert,
    Dataset,
    Evaluation,
    PopulationConfig,
    ScenarioConfig,
    ScenarioKind,
)

System = Callable[[Dataset], list[Alert]]
_FIELDS = ("instances", "detected", "days", "caught", "unbudgeted")


@dataclass
class Pooled:
    """One system's counts, summed over the seeds."""

    kept: int = 0
    alerted: int = 0
    true_positives: int = 0
    seconds: float = 0.0
    kinds: dict[ScenarioKind, Counter[str]] = field(default_factory=dict)
    kept_by_detector: Counter[tuple[str, bool]] = field(default_factory=Counter)

    def add(self, budgeted: Evaluation, unbudgeted: Evaluation, seconds: float) -> None:
        self.kept += budgeted.kept
        self.alerted += budgeted.alerted
        self.true_positives += budgeted.true_positives
        self.seconds += seconds
        for score, everything in zip(budgeted.scenarios, unbudgeted.scenarios, strict=True):
            counts = self.kinds.setdefault(score.kind, Counter())
            counts.update(
                instances=score.instances,
                detected=score.detected_instances,
                days=score.labelled_days,
                caught=score.caught_days,
                unbudgeted=everything.detected_instances,
            )


def main() -> None:
    args = _arguments()
    scan = registry_scan()
    systems: dict[str, System] = {
        "detectors (monitor registry, built-in settings)": lambda d: alerts_from_scan(scan, d),
        "volume baseline (busiest principal-days first)": lambda d: daily_volume_alerts(d.entries),
    }
    pooled = {name: Pooled() for name in systems}
    for seed in range(args.first_seed, args.first_seed + args.seeds):
        dataset = _generate(seed, args)
        for name, system in systems.items():
            started = time.perf_counter()
            alerts = system(dataset)
            seconds = time.perf_counter() - started
            budgeted = evaluate_dataset(dataset, alerts, rate=args.rate)
            everything = evaluate_dataset(dataset, alerts, rate=1.0)
            pooled[name].add(budgeted, everything, seconds)
            _count_kept(pooled[name], dataset, alerts, budgeted.budget)
    for name, result in pooled.items():
        _report(name, result, args.rate)


def _generate(seed: int, args: argparse.Namespace) -> Dataset:
    started = time.perf_counter()
    dataset = generate_dataset(
        PopulationConfig(seed=seed, days=args.days), ScenarioConfig(per_kind=args.per_kind)
    )
    first, last = dataset.scored_days
    result = evaluate_dataset(dataset, [], rate=args.rate)
    print(
        f"seed {seed}: {len(dataset.personas)} principals, {len(dataset.entries):,} audit entries "
        f"over {dataset.days} days ({time.perf_counter() - started:.1f} s); scored {first} to "
        f"{last}: {result.principal_days:,} active principal-days, budget {result.budget} alerts"
    )
    return dataset


def _count_kept(pooled: Pooled, dataset: Dataset, alerts: list[Alert], budget: int) -> None:
    first, last = dataset.scored_days
    labelled = {(s.principal, day) for s in dataset.scenarios for day in s.days}
    ranked = rank_alerts(alert for alert in alerts if first <= alert.day <= last)
    for alert in ranked[:budget]:
        hit = (alert.principal, alert.day) in labelled
        pooled.kept_by_detector.update((detector, hit) for detector in alert.detectors)


def _report(name: str, pooled: Pooled, rate: float) -> None:
    precision = _pct(pooled.true_positives, pooled.kept)
    print(
        f"\n{name}: precision {precision} ({pooled.true_positives} labelled of {pooled.kept} "
        f"alerts kept at {rate:.0%}; {pooled.alerted:,} principal-days alerted in all; "
        f"{pooled.seconds:.1f} s to run and adapt)"
    )
    header = f"{'scenario':<25} {'instances':>13} {'labelled days':>15} {'share':>6}"
    print(f"  {header} {'unbudgeted':>11}")
    for kind, counts in pooled.kinds.items():
        instances, detected, days, caught, anywhere = (counts[key] for key in _FIELDS)
        share = _pct(caught, pooled.kept)
        print(
            f"  {kind.value:<25} {detected:>3}/{instances:<3} {_pct(detected, instances):>5} "
            f"{caught:>4}/{days:<4} {_pct(caught, days):>5} {share:>6} "
            f"{anywhere:>4}/{instances:<3} {_pct(anywhere, instances):>4}"
        )
    detectors = sorted({detector for detector, _ in pooled.kept_by_detector})
    if len(detectors) > 1:
        kept = ", ".join(
            f"{d} {pooled.kept_by_detector[(d, True)]}/"
            f"{pooled.kept_by_detector[(d, True)] + pooled.kept_by_detector[(d, False)]}"
            for d in detectors
        )
        print(f"  labelled/kept alerts each detector took part in: {kept}")


def _pct(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "-"


def _arguments(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5, help="datasets to pool (default 5)")
    parser.add_argument("--first-seed", type=int, default=7)
    parser.add_argument("--per-kind", type=int, default=3, help="instances of each scenario")
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--rate", type=float, default=0.01, help="alert budget (default 1%%)")
    return parser.parse_args(argv)


if __name__ == "__main__":
    main()
