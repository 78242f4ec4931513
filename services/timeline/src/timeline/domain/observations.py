"""An observation form as filled in: the answers checked against the template's questions (pure)."""

from collections.abc import Mapping, Sequence

from konnect_kit.domain_errors import Invalid

MAX_ANSWER = 10_000


def filled_in(questions: Sequence[Mapping[str, str]], answers: Mapping[str, str]) -> list[dict[str, str]]:
    """The form with each question's text beside its answer, in the template's order.

    Refuses answers to questions the template does not ask, and a form with no answer at all; questions left
    open stay in the form with an empty answer (a mentor may skip one that does not apply).
    """
    known = {q["question_id"] for q in questions}
    unknown = sorted(set(answers) - known)
    if unknown:
        raise Invalid("unknown_question", "The template does not ask these questions.", {"question_ids": unknown})
    too_long = sorted(qid for qid, text in answers.items() if len(text) > MAX_ANSWER)
    if too_long:
        raise Invalid("answer_too_long", f"An answer is longer than {MAX_ANSWER} characters.",
                      {"question_ids": too_long})
    form = [{"question_id": q["question_id"], "question": q["text"],
             "answer": answers.get(q["question_id"], "").strip()} for q in questions]
    if not any(entry["answer"] for entry in form):
        raise Invalid("empty_observation", "The observation has no answer.")
    return form
