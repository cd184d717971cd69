"""Secrets and keys: read from the environment, or generated into var/keys/ in development.

Production never generates anything: a missing key is a configuration error, raised at start.
"""

import base64
import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured


def _b64_key(text: str, name: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(text.strip().encode() + b"==")
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} n'est pas une clé base64 valide.") from exc
    if len(key) != 32:
        raise ImproperlyConfigured(f"{name} doit encoder 32 octets (256 bits), pas {len(key)}.")
    return key


def new_key_text() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")


def parse_master_keys(text: str, name: str = "CELLULE_MASTER_KEY") -> dict[str, bytes]:
    """Parse "id:key,id:key" (the first is the one used to wrap new data keys)."""
    keys: dict[str, bytes] = {}
    for part in text.split(","):
        key_id, sep, key = part.strip().partition(":")
        if not sep or not key_id:
            raise ImproperlyConfigured(
                f"{name} attend des paires « identifiant:clé » séparées par des virgules."
            )
        if key_id in keys:
            raise ImproperlyConfigured(f"{name} : l'identifiant {key_id!r} apparaît deux fois.")
        keys[key_id] = _b64_key(key, f"{name} ({key_id})")
    return keys


class KeySource:
    """Reads each secret from its environment variable, else from var/keys/ (generated if allowed)."""

    def __init__(self, *, keys_dir: Path, generate: bool):
        self.keys_dir = keys_dir
        self.generate = generate

    def text(self, env_name: str, file_name: str, make) -> str:
        value = os.environ.get(env_name, "").strip()
        if value:
            return value
        path = self.keys_dir / file_name
        if path.exists():
            return path.read_text().strip()
        if not self.generate:
            raise ImproperlyConfigured(
                f"{env_name} est obligatoire en production (CELLULE_ENV=production) : "
                "Cellule ne génère aucune clé hors développement."
            )
        self.keys_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        value = make()
        # Created with 0600 from the start: never readable by others, even for an instant.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(value + "\n")
        return value

    def key(self, env_name: str, file_name: str) -> bytes:
        return _b64_key(self.text(env_name, file_name, new_key_text), env_name)

    def master_keys(self) -> dict[str, bytes]:
        text = self.text("CELLULE_MASTER_KEY", "master.key", lambda: f"k1:{new_key_text()}")
        return parse_master_keys(text)
