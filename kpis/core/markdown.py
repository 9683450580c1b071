"""Text a user typed or uploaded, made safe to put inside Streamlit Markdown: shown as typed, never rendered.

Streamlit renders Markdown in st.markdown, st.caption, st.info/success/warning/error, titles,
and in every widget label (buttons, download buttons, expanders, metrics, radio options). A file
named "![x](http://host/p.png).csv" would make each visitor's browser load that picture; a full
name "[click](http://evil)" would become a link. Measured in Streamlit 1.67 with Chromium:
- raw HTML is shown as text without unsafe_allow_html, but "<" is escaped anyway;
- a backslash stops emphasis, links, images, ":red[...]" colours, most emoji shortcodes and
  "$...$" LaTeX, but NOT ":material/icon:" icons nor the ":streamlit:" logo: those are matched
  in the text after parsing, so an invisible WORD JOINER (U+2060) follows every colon that is not
  followed by a space (a shortcode's name starts right after its colon; "Tệp a.csv: đã nhận" stays
  as typed, so it can be copied and searched);
- bare URLs, "www." names and e-mail addresses are also made links after parsing, whatever the
  escaping: the joiner after "http:", before the dot of "www." and before "@" keeps them text.
Only for Markdown contexts: plain-text places (st.text, st.code, dataframes, selectbox options,
CSV, the CLI) show the text as it is.
"""

from __future__ import annotations

import re

_SPECIAL = set("\\`*_{}[]()#+-.!|<>~$=^&")
_JOINER = "\u2060"
_AUTOLINK_SPOTS = re.compile(r"(?i:(?<=www))(?=\.)|(?=@)")


def escape(text: object) -> str:
    """text as literal Markdown: every character shown, nothing rendered; line breaks become spaces."""
    value = re.sub(r"[\r\n]+", " ", str(text))
    value = _AUTOLINK_SPOTS.sub(_JOINER, value)
    out = []
    for i, char in enumerate(value):
        if char == ":":
            out.append("\\:" if i + 1 == len(value) or value[i + 1].isspace() else "\\:" + _JOINER)
        elif char in _SPECIAL:
            out.append("\\" + char)
        else:
            out.append(char)
    return "".join(out)


def escape_params(params: dict[str, object]) -> dict[str, object]:
    """Message parameters for an i18n template rendered as Markdown: text escaped, numbers kept."""
    return {k: escape(v) if isinstance(v, str) else v for k, v in params.items()}
