"""Pydantic schemas of what the agents answer: the boundary between model text and our code.

Kept small and flat on purpose: tiny local models fill simple schemas far more reliably.
"""

from __future__ import annotations

from pydantic import BaseModel, Field


class Hypothesis(BaseModel):
    """One idea to try: what to change, why, what should happen, and which program it builds on."""

    text: str = Field(
        description="The change to make to the parent program, in one or two sentences"
    )
    rationale: str = Field(description="Why this should help, citing evidence from the digest")
    expected_effect: str = Field(description="What should improve and roughly by how much")
    parent_program_id: str = Field(description="Id of the program this builds on, from the digest")


class HypothesisSet(BaseModel):
    """The planner's answer: a few hypotheses, most promising first."""

    hypotheses: list[Hypothesis] = Field(description="Hypotheses, most promising first")


class Critique(BaseModel):
    """The critic's reading of a candidate's traces."""

    findings: list[str] = Field(description="Concrete observations from the traces")
    diagnosis: str = Field(description="The main reason the candidate loses cost or score")
    suggestions: list[str] = Field(description="Changes the next plan should consider")


class Review(BaseModel):
    """The verifier's model review of a candidate's code for rigging."""

    rigged: bool = Field(description="True if the code games the evaluation instead of solving it")
    reasons: list[str] = Field(description="Evidence for the verdict, citing code lines")
