"""Sign up, verify, log in and out, and reset a forgotten password."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from portal.accounts import services
from portal.accounts.forms import (
    EmailOnlyForm,
    LoginForm,
    LogoutForm,
    RegisterForm,
    ResetPasswordForm,
)
from portal.accounts.services import LoginResult
from portal.accounts.tokens import TokenError, user_from_reset_token, user_from_verify_token
from portal.extensions import limiter
from portal.security import is_safe_local_path

bp = Blueprint("accounts", __name__, url_prefix="/account")


def _limit(name: str):
    return limiter.limit(lambda: current_app.config[name], methods=["POST"])


@bp.route("/register", methods=["GET", "POST"])
@_limit("RATELIMIT_REGISTER")
def register():
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = RegisterForm()
    if form.validate_on_submit():
        services.register(
            form.email.data,
            form.display_name.data,
            form.password.data,
            locale=str(get_locale()),
        )
        return render_template("accounts/check_email.html", reason="register")
    return render_template("accounts/register.html", form=form)


@bp.route("/verify/<token>")
def verify(token: str):
    try:
        user = user_from_verify_token(token)
    except TokenError as error:
        return render_template(
            "accounts/link_problem.html", expired=error.expired, kind="verify"
        ), 400
    services.verify(user)
    flash(_("Your email address is verified. You can log in now."), "success")
    return redirect(url_for("accounts.login"))


@bp.route("/verify/resend", methods=["GET", "POST"])
@_limit("RATELIMIT_RESET")
def resend_verification():
    form = EmailOnlyForm()
    if form.validate_on_submit():
        user = services.find_by_email(form.email.data)
        if user is not None and not user.is_verified and user.is_active:
            services.send_verification(user)
        return render_template("accounts/check_email.html", reason="resend")
    return render_template("accounts/resend.html", form=form)


def _next_url(candidate: str | None) -> str:
    return candidate if is_safe_local_path(candidate) else url_for("core.home")


@bp.route("/login", methods=["GET", "POST"])
@_limit("RATELIMIT_LOGIN")
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if current_user.is_authenticated:
        return redirect(_next_url(form.next.data))
    if form.validate_on_submit():
        result, user = services.authenticate(form.email.data, form.password.data)
        if result is LoginResult.OK:
            # A fresh session: nothing from before the login is carried over (no fixation).
            session.clear()
            login_user(user, remember=form.remember.data)
            flash(_("Welcome back, %(name)s.", name=user.display_name), "success")
            return redirect(_next_url(form.next.data))
        if result is LoginResult.UNVERIFIED:
            form.email.errors.append(
                _(
                    "Please verify your email address first: follow the link in the email we sent you."
                )
            )
            return render_template("accounts/login.html", form=form, show_resend=True), 200
        if result is LoginResult.DISABLED:
            form.email.errors.append(
                _("This account has been disabled. Contact the administrator.")
            )
        else:
            form.password.errors.append(_("The email address or the password is not right."))
    return render_template("accounts/login.html", form=form, show_resend=False)


@bp.route("/logout", methods=["POST"])
def logout():
    form = LogoutForm()
    if form.validate_on_submit():
        logout_user()
        session.clear()
        flash(_("You are logged out."), "info")
    return redirect(url_for("core.home"))


@bp.route("/reset", methods=["GET", "POST"])
@_limit("RATELIMIT_RESET")
def reset_request():
    form = EmailOnlyForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        return render_template("accounts/check_email.html", reason="reset")
    return render_template("accounts/reset_request.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
@_limit("RATELIMIT_RESET")
def reset_password(token: str):
    try:
        user = user_from_reset_token(token)
    except TokenError as error:
        return render_template(
            "accounts/link_problem.html", expired=error.expired, kind="reset"
        ), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        services.reset_password(user, form.password.data)
        logout_user()
        session.clear()
        flash(_("Your password has been changed. Log in with the new one."), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form)
