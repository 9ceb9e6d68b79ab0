"""A local Twilio-compatible HTTP server for tests and benchmarks (see ``server.py``)."""

from tests.twilio_fake.server import FakeTwilio
from tests.twilio_fake.state import FakeMessage, RecordedRequest, Scripted

__all__ = ["FakeMessage", "FakeTwilio", "RecordedRequest", "Scripted"]
