"""Fault injection: make chosen calls fail the way Telegram fails, reproducibly.

A Fault matches calls by method and chat and fires once, N times or forever (``times``), always or with a
probability. Probabilities are decided by hashing (seed, rule, chat, n-th matching call for that chat), not
by drawing from a shared RNG, so a run with a given seed picks the same chats and calls whatever order
concurrent requests arrive in. With ``per_chat=True`` the draw ignores n: a chat is either always hit or
never, which is how "1% of subscribers have blocked the bot" is expressed.

Kinds: retry_after (429), blocked (the user blocks the bot / the bot is kicked: 403 from then on),
migrate (the group becomes a supergroup: 400 migrate_to_chat_id from then on), timeout (answer only after
``delay`` seconds, longer than the client waits; ``applied`` says whether the call took effect anyway),
disconnect (close the connection without answering), server_error (5xx), latency (slow but successful),
error (any status and description).
"""

from __future__ import annotations

import hashlib
import itertools
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

KINDS = frozenset({"retry_after", "blocked", "migrate", "timeout", "disconnect", "server_error", "latency", "error"})
PERSISTENT = frozenset({"blocked", "migrate"})


def _chat_key(ref: Any) -> int | str:
    """An id from a Chat, a User (their private chat), a Message (its chat), an int or a string."""
    if not isinstance(ref, (int, str)) and getattr(ref, "chat", None) is not None:
        ref = ref.chat
    rid = getattr(ref, "id", ref)
    if isinstance(rid, str):
        try:
            return int(rid)
        except ValueError:
            return rid
    return rid


def _unit(*parts: object) -> float:
    """A deterministic number in [0, 1) from the parts."""
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


@dataclass(eq=False)
class Fault:
    """One injection rule; ``fired`` counts how often it hit and ``hits`` records (method, chat_id)."""

    kind: str
    methods: frozenset[str] | None = None  # lower-cased names; None = any call with a chat_id
    chats: frozenset[int | str] | None = None
    times: int | None = 1
    probability: float = 1.0
    per_chat: bool = False
    retry_after: int = 1
    delay: float = 10.0
    applied: bool = False
    status: int = 500
    description: str | None = None
    parameters: dict | None = None
    serial: int = 0
    fired: int = 0
    hits: list[tuple[str, Any]] = field(default_factory=list)
    _seen: dict[Any, int] = field(default_factory=dict)
    _done: set[Any] = field(default_factory=set)

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.fired >= self.times


class Faults:
    """The active fault rules of one stand-in, checked in the order they were added."""

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed
        self.rules: list[Fault] = []
        self._serials = itertools.count(1)
        self._lock = threading.Lock()

    def __bool__(self) -> bool:
        return bool(self.rules)

    def add(
        self,
        kind: str,
        *,
        method: str | Iterable[str] | None = None,
        chat: Any = None,
        times: int | None | str = "auto",
        probability: float = 1.0,
        per_chat: bool | None = None,
        **options: Any,
    ) -> Fault:
        """Add a rule.

        ``method`` and ``chat`` narrow it (one value or several); without ``method`` it matches any call that
        carries a chat_id. ``times`` caps how often it fires (None = unlimited); by default a certain, transient
        fault fires once, while probabilistic and persistent (blocked, migrate) ones are unlimited.
        ``probability`` < 1 uses the seeded hash described above; ``per_chat`` (default: True for persistent
        kinds) makes that draw once per chat instead of once per call.
        """
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; one of {sorted(KINDS)}")
        if not 0.0 <= probability <= 1.0:
            raise ValueError("probability must be within [0, 1]")
        methods = None
        if method is not None:
            methods = frozenset(m.lower() for m in ([method] if isinstance(method, str) else method))
        chats = None
        if chat is not None:
            many = isinstance(chat, (list, tuple, set, frozenset))
            chats = frozenset(_chat_key(c) for c in (chat if many else [chat]))
        if per_chat is None:
            per_chat = kind in PERSISTENT
        if times == "auto":
            times = 1 if probability >= 1.0 and kind not in PERSISTENT else None
        rule = Fault(kind, methods, chats, times, probability, per_chat, serial=next(self._serials), **options)
        with self._lock:
            self.rules.append(rule)
        return rule

    # Named shortcuts, one per kind.
    def retry_after(self, seconds: int = 1, **match: Any) -> Fault:
        return self.add("retry_after", retry_after=seconds, **match)

    def blocked(self, **match: Any) -> Fault:
        return self.add("blocked", **match)

    def migrate(self, **match: Any) -> Fault:
        return self.add("migrate", **match)

    def timeout(self, delay: float = 10.0, *, applied: bool = False, **match: Any) -> Fault:
        return self.add("timeout", delay=delay, applied=applied, **match)

    def disconnect(self, *, applied: bool = False, **match: Any) -> Fault:
        return self.add("disconnect", applied=applied, **match)

    def server_error(self, status: int = 500, description: str | None = None, **match: Any) -> Fault:
        return self.add("server_error", status=status, description=description, **match)

    def latency(self, delay: float, **match: Any) -> Fault:
        return self.add("latency", delay=delay, **match)

    def error(self, status: int, description: str, parameters: dict | None = None, **match: Any) -> Fault:
        return self.add("error", status=status, description=description, parameters=parameters, **match)

    def remove(self, rule: Fault) -> None:
        with self._lock:
            if rule in self.rules:
                self.rules.remove(rule)

    def clear(self) -> None:
        with self._lock:
            self.rules.clear()

    def pick(self, method: str, chat_id: Any) -> Fault | None:
        """The first rule that fires for this call (and count it), or None."""
        lowered = method.lower()
        key = _chat_key(chat_id) if chat_id is not None else None
        with self._lock:
            for rule in self.rules:
                if rule.exhausted:
                    continue
                if rule.methods is None:
                    if key is None:  # by default only calls aimed at a chat
                        continue
                elif lowered not in rule.methods:
                    continue
                if rule.chats is not None and key not in rule.chats:
                    continue
                if rule.kind in PERSISTENT and key in rule._done:
                    continue  # that chat is already blocked or migrated: the world answers from now on
                if rule.probability < 1.0:
                    n = 0 if rule.per_chat else rule._seen.get(key, 0)
                    if not rule.per_chat:
                        rule._seen[key] = n + 1
                    if _unit(self.seed, rule.serial, key, n) >= rule.probability:
                        continue
                rule.fired += 1
                rule.hits.append((method, chat_id))
                if rule.kind in PERSISTENT:
                    rule._done.add(key)
                return rule
        return None
