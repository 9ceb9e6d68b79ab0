"""The ``creneau`` command: serve, migrate, demo, create-staff, worker."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from booking.settings import ConfigError, Settings, load_settings

T = TypeVar("T")


def _settings() -> Settings:
    try:
        settings = load_settings()
    except ConfigError as err:
        sys.stderr.write(f"Créneau cannot start, the configuration is invalid:\n{err}\n")
        raise SystemExit(2) from err
    if settings.engine == "sqlite":
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    os.environ["DATABASE_URL"] = settings.database_url
    return settings


async def _with_engine(coro_factory: Callable[[], Awaitable[T]]) -> T:
    from booking.db import close_engine, open_engine

    await open_engine()
    try:
        return await coro_factory()
    finally:
        await close_engine()


def cmd_migrate(args: argparse.Namespace) -> int:
    _settings()
    from booking.migrate import migrate

    asyncio.run(_with_engine(lambda: migrate(quiet=not args.verbose)))
    print("Migrations applied.")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    settings = _settings()
    import uvicorn

    if args.migrate:
        from booking.migrate import migrate

        asyncio.run(_with_engine(migrate))
    if args.workers > 1 and settings.engine == "sqlite":
        print("SQLite serves from one process; use PostgreSQL for --workers > 1.", file=sys.stderr)
        return 2
    print(f"Créneau on http://{args.host}:{args.port} ({settings.engine})", flush=True)
    uvicorn.run("booking.asgi:build", factory=True, host=args.host, port=args.port,
                workers=args.workers, log_level="warning", proxy_headers=True)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    _settings()
    from booking.demo import seed_demo
    from booking.migrate import migrate

    async def run() -> None:
        await migrate()
        await seed_demo(progress=print)

    asyncio.run(_with_engine(run))
    if args.no_serve:
        return 0
    args.migrate = False
    args.workers = 1
    return cmd_serve(args)


def cmd_create_staff(args: argparse.Namespace) -> int:
    _settings()
    from booking.auth.permissions import Role
    from booking.auth.sessions import RoleGrant, create_staff
    from booking.errors import DomainError

    password = os.environ.get("CRENEAU_STAFF_PASSWORD") or getpass.getpass("Mot de passe : ")
    grant = RoleGrant(role=Role(args.role), convention_id=args.convention,
                      commune_id=args.commune, counsellor_id=args.counsellor)
    try:
        staff_id = asyncio.run(_with_engine(lambda: create_staff(
            email=args.email, display_name=args.name or args.email, password=password,
            grants=[grant], counsellor_id=args.counsellor)))
    except DomainError as err:
        print(f"Refused: {err.message}", file=sys.stderr)
        return 1
    print(f"Staff user {staff_id} created ({args.role}).")
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    settings = _settings()
    from booking.context import system_clock
    from booking.maintenance import maintenance_jobs
    from notifications.worker import run_worker

    asyncio.run(run_worker(settings, once=args.once,
                           periodic=maintenance_jobs(settings, system_clock)))
    return 0


def cmd_retention(args: argparse.Namespace) -> int:
    settings = _settings()
    from booking.context import system_clock
    from booking.services.privacy import apply_retention

    done = asyncio.run(_with_engine(lambda: apply_retention(
        now=system_clock(), months=settings.retention_months)))
    print(", ".join(f"{k}: {v}" for k, v in done.items()))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="creneau", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    def serve_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--host", default="127.0.0.1")
        p.add_argument("--port", type=int, default=8000)

    p = sub.add_parser("serve", help="run the web service")
    serve_options(p)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--migrate", action="store_true", help="apply migrations first")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("migrate", help="apply database migrations")
    p.add_argument("--verbose", action="store_true")
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser("demo", help="migrate, load the demo data, serve")
    serve_options(p)
    p.add_argument("--no-serve", action="store_true", help="only migrate and seed")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("create-staff", help="create a staff account")
    p.add_argument("--email", required=True)
    p.add_argument("--name", default="")
    p.add_argument("--role", required=True, choices=["admin", "coordinator", "agent", "counsellor"])
    p.add_argument("--convention", type=int)
    p.add_argument("--commune", type=int)
    p.add_argument("--counsellor", type=int)
    p.set_defaults(func=cmd_create_staff)

    p = sub.add_parser("worker", help="run the SMS dispatcher alone")
    p.add_argument("--once", action="store_true", help="dispatch what is due, then exit")
    p.set_defaults(func=cmd_worker)

    p = sub.add_parser("retention", help="anonymise inactive residents, trim old SMS")
    p.set_defaults(func=cmd_retention)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
