"""Request and answer models of observations and their templates."""

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, Field


class QuestionIn(BaseModel):
    question_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    text: str = Field(min_length=1, max_length=1000)


class TemplateIn(BaseModel):
    organisation_id: UUID
    title: str = Field(min_length=1, max_length=200)
    questions: list[QuestionIn] = Field(min_length=1, max_length=50)
    active: bool = True


class TemplateOut(BaseModel):
    template_id: UUID
    organisation_id: UUID
    title: str
    questions: list[QuestionIn]
    active: bool


class TemplatesOut(BaseModel):
    items: list[TemplateOut]


class ObservationIn(BaseModel):
    template_id: UUID
    answers: dict[str, str] = Field(description="Answer per question_id of the template; at least one answered.",
                                    max_length=50)

    model_config = {"json_schema_extra": {"examples": [{
        "template_id": "7d3c2b1a-0f9e-4d8c-b7a6-5e4d3c2b1a0f",
        "answers": {"play": "Speelt graag met blokken.", "language": "Zegt al korte zinnetjes."}}]}}


class AnswerOut(BaseModel):
    question_id: str
    question: str
    answer: str


class ObservationAttachmentOut(BaseModel):
    file_name: str
    content_type: str
    size_bytes: int
    is_pdf: bool


class ObservationOut(BaseModel):
    observation_id: UUID
    child_id: UUID
    template_id: UUID
    form_title: str
    answers: list[AnswerOut]
    shared_at: datetime
    attachment: ObservationAttachmentOut | None = Field(
        default=None, description="The attached file, if any (a signed URL comes from …/attachment).")


class ObservationsOut(BaseModel):
    items: list[ObservationOut]
