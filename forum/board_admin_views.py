"""The administrators' page of boards: open a board, change its name, description and order."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from forum import services
from forum.models import Board
from forum.permissions import can_manage_boards
from forum.views import board_or_404, bp
from portal.accounts.permissions import require
from portal.extensions import db


def _name_field():
    return StringField(
        _l("Name"),
        validators=[
            DataRequired(message=_l("A board's name has 1 to 100 characters.")),
            Length(max=100, message=_l("A board's name has 1 to 100 characters.")),
        ],
    )


def _description_field():
    return TextAreaField(
        _l("Description"),
        validators=[
            Length(
                max=services.BOARD_DESCRIPTION_MAX,
                message=_l(
                    "A description has at most %(max)d characters.",
                    max=services.BOARD_DESCRIPTION_MAX,
                ),
            )
        ],
        render_kw={"rows": 3},
    )


def _sort_order_field():
    limit = services.SORT_ORDER_LIMIT - 1
    return IntegerField(
        _l("Sort order"),
        default=0,
        validators=[
            Optional(),
            NumberRange(
                min=-limit,
                max=limit,
                message=_l("The sort order is a number between -999999 and 999999."),
            ),
        ],
        description=_l("Boards with smaller numbers come first on the forum's front page."),
    )


class NewBoardForm(FlaskForm):
    slug = StringField(
        _l("Address"),
        validators=[
            DataRequired(
                message=_l("A board's address uses lower-case letters, digits and hyphens.")
            ),
            Length(max=64),
        ],
        description=_l(
            "Lower-case letters, digits and hyphens, e.g. city-planning. It cannot be changed later."
        ),
    )
    name = _name_field()
    description = _description_field()
    sort_order = _sort_order_field()
    submit = SubmitField(_l("Open the board"))


class EditBoardForm(FlaskForm):
    name = _name_field()
    description = _description_field()
    sort_order = _sort_order_field()
    submit = SubmitField(_l("Save"))


def _boards() -> list[Board]:
    return list(db.session.scalars(sa.select(Board).order_by(Board.sort_order, Board.id)))


@bp.route("/admin/boards", methods=["GET", "POST"])
@require(can_manage_boards)
def admin_boards():
    form = NewBoardForm()
    status = 200
    if form.validate_on_submit():
        try:
            board = services.create_board(
                form.slug.data,
                form.name.data,
                form.description.data or "",
                sort_order=form.sort_order.data or 0,
                actor=current_user,
            )
        except services.ForumError as error:
            flash(str(error), "error")
            status = 400
        else:
            flash(_("The board %(name)s is open.", name=board.name), "success")
            return redirect(url_for("forum.admin_boards"))
    elif form.errors:
        status = 400
    return render_template("forum/admin_boards.html", boards=_boards(), form=form), status


@bp.route("/admin/boards/<slug>/edit", methods=["GET", "POST"])
@require(can_manage_boards)
def admin_edit_board(slug: str):
    board = board_or_404(slug)
    form = EditBoardForm(obj=board)
    status = 200
    if form.validate_on_submit():
        try:
            services.update_board(
                board,
                current_user,
                name=form.name.data,
                description=form.description.data or "",
                sort_order=form.sort_order.data or 0,
            )
        except services.ForumError as error:
            flash(str(error), "error")
            status = 400
        else:
            flash(_("The board %(name)s is saved.", name=board.name), "success")
            return redirect(url_for("forum.admin_boards"))
    elif form.errors:
        status = 400
    return render_template("forum/admin_board_edit.html", board=board, form=form), status
