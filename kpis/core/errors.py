"""The one error base: every refusal the package raises is a KpisError with a code and params.

Domain code raises; it never words a message for one place. kpis.core.i18n holds the words (a
key per code, vi + en); the command line (kpis.cli.main) and the pages (kpis.web.ui.show_error)
each translate in one place. Errors whose message is already written as text (a store error
with its hint, a catalog error naming file and field) are TextErrors: one code per class, the
text a param, so they pass through the same two places.
"""

from __future__ import annotations

from typing import Any, ClassVar

from kpis.core.i18n import DEFAULT_LANG, Lang, problem_message


class KpisError(Exception):
    """A refusal: code is a kpis.core.i18n key, params fill its placeholders."""

    exit_code: ClassVar[int] = 1  # what `python -m kpis` exits with when this ends a command

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params: dict[str, Any] = params

    def message(self, lang: Lang = DEFAULT_LANG) -> str:
        """The message people read, in lang."""
        return problem_message(self.code, self.params, lang)

    def __str__(self) -> str:
        """The English message (logs, tracebacks, pytest.raises(match=...)); the code if it cannot be worded."""
        try:
            return self.message("en")
        except (LookupError, ValueError):  # a placeholder the params do not fill
            return self.code


class TextError(KpisError):
    """A refusal whose message is written where it is raised (it names a file, a row, what to do).

    Subclasses name their code; kpis.core.i18n words it around {text} in each language.
    """

    text_code: ClassVar[str] = "error_text"

    def __init__(self, text: str) -> None:
        super().__init__(self.text_code, text=text)

    @property
    def text(self) -> str:
        return str(self.params["text"])
