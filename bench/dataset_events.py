"""Absences, venue and commune closures, and workshops of the planned data set."""

from __future__ import annotations

import random
from datetime import date, time, timedelta

from bench.dataset_plan import (
    THEMES,
    WEEKDAYS,
    WORKSHOP_HOURS,
    Plan,
    days_between,
    local,
    monday,
)


def plan_absences(plan: Plan, rng: random.Random, ids: dict[str, int]) -> None:
    """Leave (past years, and a tenth of counsellors in the coming weeks), training days,
    and a weekly part-time half-day for some."""
    rows = plan.rows(
        "absence",
        "id",
        "counsellor",
        "starts_at",
        "ends_at",
        "rrule",
        "until",
        "timezone",
        "reason",
        "created_at",
    )

    def add(counsellor: int, first: date, last: date, reason: str) -> None:
        rows.add(
            ids["absence"] + len(rows.rows) + 1,
            counsellor,
            local(first, time(0)),
            local(last + timedelta(days=1), time(0)),
            "",
            None,
            "Europe/Paris",
            reason,
            local(first - timedelta(days=20), time(9)),
        )
        plan.absent_days[counsellor].update(days_between(first, last))

    for counsellor in plan.home_convention:
        for years_back in (1, 2):
            start = monday(date(plan.today.year - years_back, 8, 1)) + timedelta(
                weeks=rng.randint(0, 2)
            )
            add(counsellor, start, start + timedelta(days=11), "Congés")
        if rng.random() < 0.1:
            start = monday(plan.today + timedelta(days=rng.randint(7, 50)))
            add(counsellor, start, start + timedelta(days=4), "Congés")
        for _ in range(2):
            day = plan.today + timedelta(days=rng.randint(-365, 60))
            add(counsellor, day, day, "Formation")
        free = [(d, "PM") for d in range(5) if (d, "PM") not in plan.busy_keys[counsellor]]
        if free and rng.random() < 0.15:
            weekday, _ = rng.choice(free)
            first = monday(plan.today - timedelta(days=400)) + timedelta(days=weekday)
            rows.add(
                ids["absence"] + len(rows.rows) + 1,
                counsellor,
                local(first, time(13)),
                local(first, time(18)),
                f"FREQ=WEEKLY;BYDAY={WEEKDAYS[weekday]}",
                None,
                "Europe/Paris",
                "Temps partiel",
                local(first - timedelta(days=7), time(9)),
            )
            plan.busy_keys[counsellor].add((weekday, "PM"))


def plan_closures(plan: Plan, rng: random.Random, ids: dict[str, int]) -> None:
    """Libraries and digital spaces closed in August; some venues at Christmas; each
    commune's town halls closed on its local fête."""
    rows = plan.rows(
        "venue_closure",
        "id",
        "venue",
        "commune",
        "starts_at",
        "ends_at",
        "reason",
        "source",
        "source_uid",
    )
    kinds = {r[0]: r[4] for r in plan.tables["venue"].rows}

    def add(venue: int | None, commune: int | None, first: date, last: date, reason: str) -> None:
        rows.add(
            ids["venue_closure"] + len(rows.rows) + 1,
            venue,
            commune,
            local(first, time(0)),
            local(last + timedelta(days=1), time(0)),
            reason,
            None,
            "",
        )
        targets = (
            [venue]
            if venue is not None
            else [v for v, c in plan.venue_commune.items() if c == commune]
        )
        for target in targets:
            plan.closed_days.setdefault(target, set()).update(days_between(first, last))

    for venue, kind in kinds.items():
        if kind in ("library", "epn"):
            for year in (plan.today.year - 2, plan.today.year - 1):
                add(venue, None, date(year, 8, 1), date(year, 8, 15), "Fermeture estivale")
        if rng.random() < 0.3:
            year = plan.today.year if plan.today.month >= 6 else plan.today.year - 1
            add(venue, None, date(year, 12, 24), date(year + 1, 1, 2), "Fermeture de fin d'année")
    for commune in plan.communes:
        for year in (plan.today.year - 2, plan.today.year - 1):
            day = date(year, 6, 1) + timedelta(days=rng.randint(0, 90))
            add(None, commune, day, day, "Fête communale")
        if rng.random() < 0.25:
            day = plan.today + timedelta(days=rng.randint(3, 58))
            add(None, commune, day, day, "Fermeture exceptionnelle")


def plan_workshops(plan: Plan, rng: random.Random, ids: dict[str, int], sessions: int) -> None:
    """Series of 1, 6, 8 or 10 weekly sessions on half-days without a permanence; one
    animator (a fifth have a second), never two sessions at once for an animator."""
    series = plan.rows(
        "workshop_series",
        "id",
        "convention",
        "venue",
        "title",
        "slug",
        "description",
        "level",
        "themes",
        "capacity",
        "registration_mode",
        "start_time",
        "end_time",
        "rrule",
        "first_day",
        "until",
        "rdates",
        "exdates",
        "external_animators",
        "offer_minutes",
        "cutoff_minutes",
        "status",
        "created_at",
        "updated_at",
    )
    animators = plan.rows("workshop_animator", "id", "series", "counsellor")
    session_rows = plan.rows(
        "workshop_session",
        "id",
        "series",
        "venue",
        "starts_at",
        "ends_at",
        "capacity",
        "seats_taken",
        "status",
        "edited",
        "sequence",
        "updated_at",
    )
    taken: set[tuple[int, date]] = set()  # (counsellor, day) with a workshop
    counsellors = list(plan.home_convention)
    left, turn = sessions, 0
    while left > 0 and turn < sessions * 20:
        turn += 1
        counsellor = counsellors[turn % len(counsellors)]
        conv = plan.home_convention[counsellor]
        count = min(left, rng.choice((1, 6, 8, 10)))
        free = [
            (d, h)
            for d in range(5)
            for h in ("AM", "PM")
            if (d, h) not in plan.busy_keys[counsellor]
        ]
        if not free:
            continue
        weekday, half = rng.choice(free)
        first = monday(plan.today + timedelta(weeks=rng.randint(-30, 6))) + timedelta(days=weekday)
        days = [first + timedelta(weeks=w) for w in range(count)]
        team = [counsellor]
        if any((counsellor, d) in taken for d in days):
            continue
        others = [
            c
            for c in plan.counsellors_of_convention[conv]
            if c != counsellor
            and (weekday, half) not in plan.busy_keys[c]
            and not any((c, d) in taken for d in days)
        ]
        if others and rng.random() < 0.2:
            team.append(rng.choice(others))
        sid = ids["workshop_series"] + len(series.rows) + 1
        venue = rng.choice(plan.venues_of_convention[conv])
        start, end = WORKSHOP_HOURS[half]
        theme = THEMES[sid % len(THEMES)]
        capacity = rng.randint(6, 12)
        stamp = local(first - timedelta(days=30), time(9))
        series.add(
            sid,
            conv,
            venue,
            theme,
            f"bench-atelier-{sid}",
            "",
            "debutant",
            f'["{theme}"]',
            capacity,
            "series" if count > 1 else "session",
            start,
            end,
            "" if count == 1 else f"FREQ=WEEKLY;COUNT={count};BYDAY={WEEKDAYS[weekday]}",
            first,
            days[-1],
            "[]",
            "[]",
            "[]",
            1440,
            120,
            "published",
            stamp,
            stamp,
        )
        for member in team:
            animators.add(ids["workshop_animator"] + len(animators.rows) + 1, sid, member)
            taken.update((member, d) for d in days)
        for day in days:
            session_rows.add(
                ids["workshop_session"] + len(session_rows.rows) + 1,
                sid,
                venue,
                local(day, start),
                local(day, end),
                capacity,
                0,
                "scheduled",
                False,
                0,
                stamp,
            )
        left -= count
