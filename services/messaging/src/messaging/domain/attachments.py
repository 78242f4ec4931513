"""What an attachment's name claims it is, held against what its bytes are (the bytes decide; a lie is refused)."""

from konnect_kit.domain_errors import Invalid

CLAIMS = {"jpg": "photo", "jpeg": "photo", "png": "photo", "webp": "photo", "heic": "photo", "heif": "photo",
          "pdf": "document"}


def claimed_kind(file_name: str) -> str | None:
    """The kind the extension names; None for a name without a known extension (then the bytes alone decide)."""
    stem, dot, extension = file_name.rpartition(".")
    return CLAIMS.get(extension.lower()) if dot and stem else None


def require_claim_holds(file_name: str, kind: str) -> None:
    claimed = claimed_kind(file_name)
    if claimed is not None and claimed != kind:
        raise Invalid("type_mismatch", f"The file is named as a {claimed} but its contents are a {kind}.",
                      {"file_name": file_name, "contents": kind})
