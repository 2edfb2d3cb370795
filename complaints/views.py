"""Complaint pages for the complainant: how it works, filing, my complaints, one complaint.

Every response of this blueprint is ``Cache-Control: no-store, private``: complaint pages carry
personal data and must not stay in shared or browser caches. A complaint the viewer may not see
is a 404, whoever asks and whatever the tracking number.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from complaints import attachments, citizen, permissions, timeline
from complaints.errors import ComplaintError
from complaints.forms import ComplaintForm, FollowUpForm, RatingForm
from complaints.intake import file_complaint
from complaints.models import Complaint
from disclosure.catalog.models import ApprovalItem, ItemStatus
from disclosure.directory.models import Department, Position
from portal.accounts.permissions import require
from portal.db import utcnow
from portal.extensions import db, limiter, login_manager
from portal.pagination import before_arg, newest_first
from portal.workdays import local_date

bp = Blueprint("complaints", __name__, url_prefix="/complaints")

PER_PAGE = 20


@bp.after_request
def no_store(response):
    response.headers["Cache-Control"] = "no-store, private"
    return response


def is_signed_in(user) -> bool:
    return bool(user and user.is_authenticated)


def _filing_key() -> str:
    """Filing and follow-ups are limited per account (each limit counts per endpoint)."""
    if current_user.is_authenticated:
        return f"complaint-user:{current_user.id}"
    return request.remote_addr or "unknown"


@bp.route("/")
def index():
    return render_template("complaints/index.html")


# --- filing -----------------------------------------------------------------------------------


def _published_item(code: str | None) -> ApprovalItem | None:
    if not code:
        return None
    item = db.session.scalar(
        sa.select(ApprovalItem)
        .where(ApprovalItem.code == code, ApprovalItem.status == ItemStatus.PUBLISHED)
        .options(so.selectinload(ApprovalItem.steps), so.joinedload(ApprovalItem.department))
    )
    return item or abort(404)


def _prepare(form: ComplaintForm, item: ApprovalItem | None) -> list[Department]:
    departments = []
    if item is not None:
        form.step.choices = [SelectChoice("", _("The item as a whole"))] + [
            SelectChoice(str(step.id), step.kind.label) for step in item.steps
        ]
        del form.department
    else:
        departments = list(
            db.session.scalars(sa.select(Department).order_by(Department.sort_order, Department.id))
        )
        form.department.choices = [SelectChoice("", _("Choose a department"))] + [
            SelectChoice(str(d.id), d.full_name) for d in departments
        ]
        del form.step
    return departments


@bp.route("/new", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["RATELIMIT_COMPLAINT"], methods=["POST"], key_func=_filing_key
)
@require(is_signed_in)
def new():
    item = _published_item(request.args.get("item"))
    form = ComplaintForm()
    departments = _prepare(form, item)
    if request.method == "GET":
        form.contact_name.data = current_user.display_name
        form.contact_email.data = current_user.email
        # ``step=<kind>`` (from an application's page: "complain about this step") preselects it.
        wanted = request.args.get("step")
        if item is not None and wanted:
            chosen = next((s for s in item.steps if s.kind == wanted), None)
            if chosen is not None:
                form.step.data = str(chosen.id)
    status = 200
    if not permissions.can_file(current_user):
        flash(_("Verify your email address before you file a complaint."), "error")
        status = 403
    elif form.validate_on_submit():
        step = None
        department = None
        if item is not None and form.step.data:
            step = next((s for s in item.steps if str(s.id) == form.step.data), None)
        if item is None and form.department.data:
            department = next((d for d in departments if str(d.id) == form.department.data), None)
        try:
            complaint = file_complaint(
                current_user,
                item=item,
                step=step,
                department=department,
                subject=form.subject.data,
                details=form.details.data,
                contact_name=form.contact_name.data,
                contact_email=form.contact_email.data,
                contact_phone=form.contact_phone.data or "",
                contact_address=form.contact_address.data or "",
                notification_method=form.notification_method.data,
                files=attachments.from_storage(request.files.getlist(form.attachments.name)),
            )
        except ComplaintError as error:
            flash(str(error), "error")
            status = 400
        else:
            flash(
                _(
                    "Your complaint is filed. Its tracking number is %(number)s.",
                    number=complaint.tracking_number,
                ),
                "success",
            )
            return redirect(url_for(".show", tracking_number=complaint.tracking_number))
    elif form.errors:
        status = 400
    return render_template("complaints/new.html", form=form, item=item), status


# --- my complaints ----------------------------------------------------------------------------


@bp.route("/mine")
@require(is_signed_in)
def mine():
    stmt = (
        sa.select(Complaint)
        .where(Complaint.complainant_id == current_user.id)
        .options(
            so.joinedload(Complaint.position).joinedload(Position.department),
            so.joinedload(Complaint.department),
        )
    )
    page = newest_first(stmt, Complaint.id, before_arg(request.args.get("before")), PER_PAGE)
    return render_template("complaints/mine.html", page=page)


# --- one complaint ----------------------------------------------------------------------------


def require_sign_in() -> None:
    """A visitor is sent to log in (and back), whatever the tracking number: a link from a
    complaint email works, and nothing tells an existing number from a guessed one."""
    if not current_user.is_authenticated:
        abort(login_manager.unauthorized())


def _complaint_or_404(tracking_number: str) -> Complaint:
    require_sign_in()
    complaint = db.session.scalar(
        sa.select(Complaint)
        .where(Complaint.tracking_number == tracking_number)
        .options(
            so.joinedload(Complaint.position).joinedload(Position.department),
            so.joinedload(Complaint.department),
            so.joinedload(Complaint.item),
            so.joinedload(Complaint.step),
        )
    )
    if complaint is None or not permissions.can_view(current_user, complaint):
        abort(404)
    return complaint


def _show(complaint: Complaint, *, follow_up_form=None, rating_form=None, status: int = 200):
    user = current_user
    can_follow_up = permissions.can_follow_up(user, complaint)
    can_rate = permissions.can_rate(user, complaint)
    if rating_form is None and can_rate:
        rating_form = RatingForm(
            formdata=None,
            data={
                "rating": str(complaint.rating) if complaint.rating else None,
                "comment": complaint.rating_comment or "",
            },
        )
    return render_template(
        "complaints/show.html",
        complaint=complaint,
        events=timeline.events_for(complaint, user),
        files=timeline.attachments_by_event(complaint, user),
        event_label=timeline.event_label,
        today=local_date(utcnow()),
        is_complainant=permissions.is_complainant(user, complaint),
        can_follow_up=can_follow_up,
        can_rate=can_rate,
        follow_up_form=follow_up_form or (FollowUpForm(formdata=None) if can_follow_up else None),
        rating_form=rating_form,
        can_handle=permissions.can_handle(user, complaint),
        can_transfer=permissions.can_transfer(user, complaint),
        can_see_internal=permissions.can_see_internal(user, complaint),
    ), status


@bp.route("/<tracking_number>")
def show(tracking_number: str):
    return _show(_complaint_or_404(tracking_number))


@bp.route("/<tracking_number>/follow-up", methods=["POST"])
@limiter.limit(
    lambda: current_app.config["RATELIMIT_COMPLAINT_FOLLOW_UP"],
    methods=["POST"],
    key_func=_filing_key,
)
def follow_up(tracking_number: str):
    complaint = _complaint_or_404(tracking_number)
    if not permissions.can_follow_up(current_user, complaint):
        abort(403)
    form = FollowUpForm()
    if form.validate_on_submit():
        try:
            citizen.follow_up(
                complaint,
                current_user,
                form.text.data,
                attachments.from_storage(request.files.getlist(form.attachments.name)),
            )
        except ComplaintError as error:
            flash(str(error), "error")
        else:
            flash(_("Your information is added to the complaint."), "success")
            return redirect(url_for(".show", tracking_number=tracking_number))
    return _show(complaint, follow_up_form=form, status=400)


@bp.route("/<tracking_number>/rate", methods=["POST"])
def rate(tracking_number: str):
    complaint = _complaint_or_404(tracking_number)
    if not permissions.can_rate(current_user, complaint):
        abort(403)
    form = RatingForm()
    if form.validate_on_submit():
        try:
            citizen.rate(complaint, current_user, int(form.rating.data), form.comment.data or "")
        except ComplaintError as error:
            flash(str(error), "error")
        else:
            flash(_("Thank you for rating the answer."), "success")
            return redirect(url_for(".show", tracking_number=tracking_number))
    return _show(complaint, rating_form=form, status=400)


bp.add_url_rule(
    "/<tracking_number>/files/<int:attachment_id>",
    "attachment",
    attachments.download,
)
