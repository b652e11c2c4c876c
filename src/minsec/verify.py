"""Is this the file the catalogue names? Checksums and lost files, before anything is parsed.

Each file of a load gets a verdict recorded in the ``load`` table: ``catalogue`` (its SHA-256
is the catalogue's), ``new vintage`` (it differs and the user accepted it with
``--accept-new``, or accepted it before), ``not catalogued`` or ``code`` (the readers'
fingerprint). A catalogued file whose SHA-256 differs is otherwise refused: a cut or edited
copy of an official file must not load with exit 0.
"""

from __future__ import annotations

from functools import cache

from minsec.errors import MinsecError, SourceError

CATALOGUE, NEW, UNCATALOGUED, CODE = "catalogue", "new vintage", "not catalogued", "code"
Previous = dict[str, tuple[str, str]]  # file -> (sha256, verdict) of a source's last load


@cache
def catalogued() -> dict[str, str]:
    """SHA-256 of every catalogued file, by its path in the sources directory."""
    from minsec.sync import catalogue

    return {entry.path: entry.sha256 for entry in catalogue()}


def verdict(file: str, digest: str, previous: Previous, accept_new: bool) -> str:
    """The verdict for one file, or a :class:`SourceError` for an unaccepted mismatch."""
    if file.startswith("minsec:"):
        return CODE
    expected = catalogued().get(file)
    if expected is None:
        return UNCATALOGUED
    if digest == expected:
        return CATALOGUE
    if accept_new or previous.get(file) == (digest, NEW):
        return NEW
    raise SourceError(file, f"SHA-256 {digest[:12]}… is not the catalogue's {expected[:12]}… "
                            "(a damaged or partial copy?): `minsec data sync` restores it; "
                            "`minsec data build --accept-new` loads it as a new vintage")


def verdicts(hashes: dict[str, str], previous: Previous, accept_new: bool) -> dict[str, str]:
    """The verdict of every file of a load (see :func:`verdict`)."""
    return {f: verdict(f, h, previous, accept_new) for f, h in hashes.items()}


def check_lost(key: str, files: list[str], previous: Previous, accept_new: bool) -> None:
    """Refuse a load that has lost files since its last load, unless a new vintage."""
    lost = sorted(f for f in previous if not f.startswith("minsec:") and f not in files)
    if lost and not accept_new:
        names = ", ".join(lost[:3]) + (f" and {len(lost) - 3} more" if len(lost) > 3 else "")
        raise MinsecError(f"{key}: {len(lost)} file(s) of its last load are gone: {names}; "
                          "restore them (`minsec data sync`), or rebuild with --accept-new "
                          "if the new release has dropped them")
