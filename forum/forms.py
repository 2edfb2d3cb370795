"""Forum forms: a thread's title and text, a reply, an edit. Each can be previewed before saving."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from forum.moderation import REASON_MAX
from forum.services import SOURCE_MAX, TITLE_MAX


def reason_field(label, *, required: bool, rows: int = 2, max_length: int = REASON_MAX):
    """A moderator's reason (hide, reject, ban …): at most ``max_length`` characters."""
    validators = [
        Length(
            max=max_length,
            message=_l("A reason has at most %(max)d characters.", max=max_length),
        )
    ]
    validators.insert(0, DataRequired(message=_l("Give a reason.")) if required else Optional())
    return TextAreaField(label, validators=validators, render_kw={"rows": rows})


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
