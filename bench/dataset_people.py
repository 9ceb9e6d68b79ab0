"""Counsellors, services and permanences of the planned data set.

Each counsellor has three weekly half-day permanences, one every other week and, for half
of them, a monthly Saturday morning, in 1–3 venues of their convention; a fifth of weekly
rules skip one day in the coming weeks, some serve only two services.
"""

from __future__ import annotations

import json
import random
from datetime import time, timedelta

from bench.dataset_plan import HALVES, SERVICES, WEEKDAYS, Block, Plan, local, monday


def plan_people(plan: Plan, rng: random.Random, ids: dict[str, int], counsellors: int) -> None:
    """Counsellors spread over conventions by their number of communes; services."""
    people = plan.rows("counsellor", "id", "first_name", "last_name", "email", "active")
    links = plan.rows("convention_counsellor", "id", "convention", "counsellor")
    weights = [
        sum(1 for c in plan.communes if plan.commune_convention[c] == conv)
        for conv in plan.conventions
    ]
    homes = rng.choices(plan.conventions, weights=weights, k=counsellors)
    homes.sort()
    for n, conv in enumerate(homes):
        cid = ids["counsellor"] + n + 1
        people.add(
            cid,
            f"Conseiller{n + 1:03d}",
            f"Bench{n + 1:03d}",
            f"conseiller.{n + 1:03d}@bench.creneau.test",
            True,
        )
        serves = [conv]
        if rng.random() < 0.1:
            serves.append(
                plan.conventions[(plan.conventions.index(conv) + 1) % len(plan.conventions)]
            )
        for served in dict.fromkeys(serves):
            links.add(ids["convention_counsellor"] + len(links.rows) + 1, served, cid)
            plan.counsellors_of_convention.setdefault(served, []).append(cid)
        plan.home_convention[cid] = conv
        plan.busy_keys[cid] = set()
        plan.absent_days[cid] = set()
    services = plan.rows(
        "service",
        "id",
        "convention",
        "slug",
        "public_label",
        "private_label",
        "description",
        "what_to_bring",
        "duration_minutes",
        "buffer_before_minutes",
        "buffer_after_minutes",
        "step_minutes",
        "min_notice_minutes",
        "horizon_days",
        "online_bookable",
        "location_kind",
        "reminder_offsets_minutes",
        "confirm_online_ahead_minutes",
        "active",
    )
    for conv in plan.conventions:
        plan.services[conv] = {}
        for slug, label, minutes, after, online in SERVICES:
            sid = ids["service"] + len(services.rows) + 1
            services.add(
                sid,
                conv,
                slug,
                label,
                "",
                "",
                "Une pièce d'identité.",
                minutes,
                0,
                after,
                minutes + after,
                120,
                60,
                online,
                "venue",
                json.dumps([1440, 120]),
                0,
                True,
            )
            plan.services[conv][slug] = sid
            plan.service_minutes[sid] = (minutes, after)


def plan_rules(plan: Plan, rng: random.Random, ids: dict[str, int]) -> None:
    """Three weekly half-days, one every other week, half of them a monthly Saturday."""
    rules = plan.rows(
        "availability_rule",
        "id",
        "counsellor",
        "venue",
        "service_ids",
        "start_time",
        "end_time",
        "rrule",
        "first_day",
        "until",
        "rdates",
        "exdates",
        "active",
        "created_at",
    )
    keys = [(day, half) for day in range(5) for half in ("AM", "PM")]
    for counsellor, conv in plan.home_convention.items():
        venues = plan.venues_of_convention[conv]
        home = rng.sample(venues, k=min(len(venues), rng.randint(1, 3)))
        chosen = rng.sample(keys, 4)
        kinds: list[tuple[tuple[int, str], int, int]] = [(k, 1, 0) for k in chosen[:3]]
        kinds.append((chosen[3], 2, 0))
        if rng.random() < 0.5:
            kinds.append(((5, "AM"), 0, rng.randint(1, 4)))
        for key, every, nth in kinds:
            rid = ids["availability_rule"] + len(rules.rows) + 1
            start, end = rng.choice(HALVES[key[1]])
            first = monday(plan.today - timedelta(days=rng.randint(30, 900)))
            ex = (
                frozenset({plan.today + timedelta(days=rng.randint(7, 50))})
                if every == 1 and rng.random() < 0.2
                else frozenset()
            )
            ex = frozenset(d + timedelta(days=(key[0] - d.weekday()) % 7) for d in ex)
            only = (
                [plan.services[conv]["demarches"], plan.services[conv]["smartphone"]]
                if rng.random() < 0.15
                else []
            )
            if every == 0:
                rrule = f"FREQ=MONTHLY;BYDAY={nth}SA"
            else:
                interval = ";INTERVAL=2" if every == 2 else ""
                rrule = f"FREQ=WEEKLY{interval};BYDAY={WEEKDAYS[key[0]]}"
            venue = rng.choice(home)
            rules.add(
                rid,
                counsellor,
                venue,
                json.dumps(only),
                start,
                end,
                rrule,
                first,
                None,
                "[]",
                json.dumps(sorted(d.isoformat() for d in ex)),
                True,
                local(first, time(8)),
            )
            plan.blocks.append(
                Block(rid, counsellor, venue, key[0], start, end, every, nth, first, ex)
            )
            plan.busy_keys[counsellor].add(key)
