"""Pieces shared by several answers."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Answer(BaseModel):
    """Base of every answer model: unknown keys are an error (the shape is the contract)."""

    model_config = ConfigDict(extra="forbid")


class PeriodOut(Answer):
    start: str
    end: str


class Labels(Answer):
    """A text in both languages."""

    zh: str
    en: str


class CodeName(Answer):
    code: str
    name: str
