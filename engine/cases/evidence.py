"""Evidence files uploaded to a case: type checked by content, size limited, stored once by SHA-256.

A form's ``file`` field holds references ``evidence:ID`` (one per upload). Who may download an upload is
who may see its case; the caller checks that (the web UI answers 404 otherwise).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from engine.errors import InvalidInput, NotFound
from engine.storage.models import EvidenceFile, EvidenceUpload

MAX_BYTES = 10 * 1024 * 1024
PREFIX = "evidence:"
# What the first bytes say, not what the name claims: a renamed .exe is refused.
_SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)
KINDS = "PDF, PNG, JPEG, WebP"  # keep in step with media_type_of


@dataclass(frozen=True)
class Upload:
    id: int
    instance_id: int
    file_name: str
    media_type: str
    size: int
    sha256: str

    @property
    def reference(self) -> str:
        return f"{PREFIX}{self.id}"


def media_type_of(content: bytes) -> str | None:
    """The file's type by its content, or None when it is none of the accepted kinds."""
    for magic, media_type in _SIGNATURES:
        if content.startswith(magic):
            return media_type
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    return None


def store(session: Session, content: bytes, file_name: str, *, instance_id: int, user: str,
          now: datetime) -> Upload:
    """Record an upload of ``content`` to a case; the bytes are stored only if no upload had them.

    :raises InvalidInput: empty, larger than ``MAX_BYTES``, or not one of the accepted kinds.
    """
    if not content:
        raise InvalidInput("the file is empty")
    if len(content) > MAX_BYTES:
        raise InvalidInput(f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB")
    media_type = media_type_of(content)
    if media_type is None:
        raise InvalidInput(f"the file is not one of the accepted kinds ({KINDS})")
    digest = hashlib.sha256(content).hexdigest()
    if session.get(EvidenceFile, digest) is None:
        session.add(EvidenceFile(sha256=digest, size=len(content), media_type=media_type, content=content,
                                 created_at=now))
    name = (file_name.replace("\\", "/").rsplit("/", 1)[-1].strip() or "file")[:255]
    upload = EvidenceUpload(sha256=digest, instance_id=instance_id, file_name=name, uploaded_by=user,
                            uploaded_at=now)
    session.add(upload)
    session.flush()
    return Upload(upload.id, instance_id, name, media_type, len(content), digest)


def upload_of(session: Session, reference: str | int) -> Upload:
    """The upload a reference (``evidence:ID`` or the id) names. :raises NotFound:"""
    text = str(reference).removeprefix(PREFIX)
    if not text.isdigit() or len(text) > 18:
        raise NotFound("no such file")
    row = session.execute(
        sa.select(EvidenceUpload, EvidenceFile.media_type, EvidenceFile.size)
        .join(EvidenceFile, EvidenceFile.sha256 == EvidenceUpload.sha256)
        .where(EvidenceUpload.id == int(text))
    ).first()
    if row is None:
        raise NotFound("no such file")
    u = row[0]
    return Upload(u.id, u.instance_id, u.file_name, row.media_type, row.size, u.sha256)


def content_of(session: Session, upload: Upload) -> bytes:
    return session.scalar(sa.select(EvidenceFile.content).where(EvidenceFile.sha256 == upload.sha256)) or b""


def uploads_of_case(session: Session, instance_id: int, references: list[str]) -> list[Upload]:
    """The uploads ``references`` name that belong to this case (others are ignored: a form cannot
    point at another case's evidence)."""
    out = []
    for ref in references:
        try:
            upload = upload_of(session, ref)
        except NotFound:
            continue
        if upload.instance_id == instance_id:
            out.append(upload)
    return out
