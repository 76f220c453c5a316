"""Safe file and folder names made from IDs, subjects and themes (no docx or mail machinery needed)."""

from __future__ import annotations


def safe_name(text: str) -> str:
    """Letters, digits, '-' and '_' only, at most 60 characters; 'unnamed' when nothing is left."""
    keep = "".join(c if c.isalnum() or c in "-_" else "-" for c in text.strip())
    return keep.strip("-")[:60] or "unnamed"
