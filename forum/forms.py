"""Forum forms: a thread's title and text, a reply, an edit. Each can be previewed before saving."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from forum.services import SOURCE_MAX, TITLE_MAX


def _source_field(label=None):
    return TextAreaField(
        label or _l("Your text"),
        validators=[
            DataRequired(message=_l("Write something before you post.")),
            Length(
                max=SOURCE_MAX,
                message=_l("A post has at most %(max)d characters.", max=SOURCE_MAX),
            ),
        ],
        description=_l("Markdown: **bold**, *italic*, [a link](https://…), > a quote, - a list."),
        render_kw={"rows": 8},
    )


class PostForm(FlaskForm):
    """A reply, or an edit of a post."""

    source = _source_field()
    quote = HiddenField()
    preview = SubmitField(_l("Preview"))
    submit = SubmitField(_l("Post"))


class ThreadForm(FlaskForm):
    title = StringField(
        _l("Title"),
        validators=[
            DataRequired(message=_l("Give the thread a title.")),
            Length(
                max=TITLE_MAX, message=_l("A title has at most %(max)d characters.", max=TITLE_MAX)
            ),
        ],
    )
    source = _source_field()
    preview = SubmitField(_l("Preview"))
    submit = SubmitField(_l("Start the thread"))
