"""Staff accounts, login with throttling, and server-side sessions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from booking.auth.permissions import Principal, Role
from booking.auth.secrets import hash_password, hash_token, new_token, verify_password
from booking.db import aware
from booking.errors import InvalidInput, LoginRefused, TooManyAttempts
from booking.tables import LoginAttempt, RoleAssignment, StaffSession, StaffUser

SESSION_LIFETIME = timedelta(hours=12)
THROTTLE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 20
MIN_PASSWORD_LENGTH = 12
REFUSED = "Adresse e-mail ou mot de passe incorrect."


@dataclass(frozen=True, slots=True)
class RoleGrant:
    role: Role
    convention_id: int | None = None
    commune_id: int | None = None
    counsellor_id: int | None = None

    def check(self) -> None:
        needs = {
            Role.ADMIN: None,
            Role.COORDINATOR: self.convention_id,
            Role.AGENT: self.commune_id,
            Role.COUNSELLOR: self.counsellor_id,
        }
        if self.role is not Role.ADMIN and needs[self.role] is None:
            raise InvalidInput(f"Le rôle {self.role.value} doit être rattaché à son périmètre.")


async def create_staff(
    *, email: str, display_name: str, password: str, grants: list[RoleGrant],
    counsellor_id: int | None = None,
) -> int:
    email = email.strip().lower()
    if "@" not in email or len(email) > 254:
        raise InvalidInput("Adresse e-mail invalide.", field="email")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            f"Le mot de passe doit compter au moins {MIN_PASSWORD_LENGTH} caractères.",
            field="password",
        )
    for grant in grants:
        grant.check()
    if await StaffUser.exists().where(StaffUser.email == email):
        raise InvalidInput("Un compte existe déjà pour cette adresse.", field="email")
    staff = StaffUser(
        email=email,
        display_name=display_name.strip() or email,
        password_hash=hash_password(password),
        counsellor=counsellor_id,
    )
    await staff.save()
    for grant in grants:
        await RoleAssignment(
            staff=staff.id,
            role=grant.role.value,
            convention=grant.convention_id,
            commune=grant.commune_id,
            counsellor=grant.counsellor_id,
        ).save()
    return int(staff.id)


async def login(*, email: str, password: str, address: str, now: datetime) -> str:
    """Check the credentials and open a session; return the raw session token.

    The refusal never says which of the two fields was wrong.
    """
    email = email.strip().lower()[:254]
    since = now - THROTTLE_WINDOW
    by_account = await LoginAttempt.count().where(
        (LoginAttempt.email == email) & (LoginAttempt.at > since)
    )
    by_address = await LoginAttempt.count().where(
        (LoginAttempt.address == address) & (LoginAttempt.at > since)
    )
    if by_account >= MAX_FAILURES_PER_ACCOUNT or by_address >= MAX_FAILURES_PER_ADDRESS:
        raise TooManyAttempts("Trop de tentatives. Réessayez dans quelques minutes.")
    staff = await StaffUser.objects().where(StaffUser.email == email).first()
    valid = verify_password(staff.password_hash if staff else None, password)
    if staff is None or not valid or not staff.active:
        await LoginAttempt(email=email, address=address[:64], at=now).save()
        raise LoginRefused(REFUSED)
    await LoginAttempt.delete().where(LoginAttempt.email == email)
    raw, digest = new_token(32)
    await StaffSession(staff=staff.id, token_hash=digest, created_at=now,
                       expires_at=now + SESSION_LIFETIME).save()
    await StaffUser.update({StaffUser.last_login_at: now}).where(StaffUser.id == staff.id)
    return raw


async def principal_for_session(raw_token: str, now: datetime) -> Principal | None:
    row = await (
        StaffSession.select(
            StaffSession.staff,
            StaffSession.created_at,
            StaffSession.staff._.display_name,
            StaffSession.staff._.active,
            StaffSession.staff._.sessions_valid_after,
        )
        .where(
            (StaffSession.token_hash == hash_token(raw_token))
            & (StaffSession.revoked == False)  # noqa: E712
            & (StaffSession.expires_at > now)
        )
        .first()
    )
    if row is None or not row["staff.active"]:
        return None
    valid_after = row["staff.sessions_valid_after"]
    if valid_after is not None and aware(row["created_at"]) <= aware(valid_after):
        return None
    return await principal_for_staff(int(row["staff"]), str(row["staff.display_name"]))


async def principal_for_staff(staff_id: int, display_name: str) -> Principal:
    grants = await RoleAssignment.select().where(RoleAssignment.staff == staff_id)
    return Principal(
        staff_id=staff_id,
        display_name=display_name,
        admin=any(g["role"] == Role.ADMIN for g in grants),
        conventions=frozenset(g["convention"] for g in grants if g["role"] == Role.COORDINATOR),
        communes=frozenset(g["commune"] for g in grants if g["role"] == Role.AGENT),
        counsellors=frozenset(g["counsellor"] for g in grants if g["role"] == Role.COUNSELLOR),
    )


async def logout(raw_token: str) -> None:
    await StaffSession.update({StaffSession.revoked: True}).where(
        StaffSession.token_hash == hash_token(raw_token)
    )


async def logout_everywhere(staff_id: int, now: datetime) -> None:
    await StaffUser.update({StaffUser.sessions_valid_after: now}).where(StaffUser.id == staff_id)
    await StaffSession.update({StaffSession.revoked: True}).where(StaffSession.staff == staff_id)
