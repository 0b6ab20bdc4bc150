"""Account pages. Views parse the form, call the account service, render."""

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from quizapp.access import ADMIN, LOGIN, PUBLIC, everyone, expect
from quizapp.auth import bp
from quizapp.auth.forms import (
    ChangePasswordForm,
    FirstPasswordForm,
    LoginForm,
    RegisterForm,
    RoleForm,
)
from quizapp.auth.messages import message
from quizapp.errors import ServiceError
from quizapp.extensions import db, limiter
from quizapp.models import User
from quizapp.security import role_required, safe_next
from quizapp.services import accounts as service
from quizapp.services import pupils
from quizapp.signals import user_logged_in_here


def _form_email() -> str:
    """Rate-limit key for per-account limits: the email being tried."""
    return "account:" + service.normalise_email(request.form.get("email", ""))[:254]


def _safe_next(default: str) -> str:
    """Return the `next` target if it is a path on this site, else the default."""
    return safe_next(request.args.get("next"), default)


def _start_session(user: User) -> None:
    """Renew the session at login: drop what the old cookie carried, keep the language."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    login_user(user)
    user_logged_in_here.send(user)


# Pages a pupil with a one-time password may open before choosing their own; and a live
# game's answer, which knows its player by the game's cookie, not by the login (its JSON
# request does not even open the session: see quizapp.security.Sessions).
FIRST_PASSWORD_OPEN = (
    "auth.first_password",
    "auth.logout",
    "static",
    "main.set_language",
    "live.answer",
)


@bp.before_app_request
def _ask_for_own_password():
    """Send a pupil who logged in with a one-time password to choose their own first."""
    if request.endpoint in FIRST_PASSWORD_OPEN:
        return None  # without loading the user
    if current_user.is_authenticated and current_user.must_change_password:
        return redirect(url_for("auth.first_password"))
    return None


@bp.route("/register", methods=["GET", "POST"])
@expect("GET", PUBLIC)
@expect("POST", everyone(400))
@limiter.limit("10 per minute;50 per hour", methods=["POST"])
@limiter.limit("5 per minute;20 per hour", methods=["POST"], key_func=_form_email)
def register():
    """Create an account, then log in with it.

    A taken email gets the very same answer, so the page never tells whether an address has
    an account (no mail is configured to tell its owner either; the message says so).
    """
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            service.register(form.email.data, form.display_name.data, form.password.data)
        except ServiceError:
            pass  # the same answer as for a new account, on purpose
        flash(
            _(
                "Thank you! Log in now with your email and password. If this email already "
                "had an account, nothing was changed and its password stays valid (this app "
                "sends no emails, so nobody is notified)."
            )
        )
        target = safe_next(request.args.get("next"), "")
        return redirect(url_for("auth.login", next=target or None))
    return render_template("auth/register.html", form=form), 400 if form.errors else 200


@bp.route("/login", methods=["GET", "POST"])
@expect("GET", PUBLIC)
@expect("POST", everyone(400))
@limiter.limit("10 per minute;100 per hour", methods=["POST"])
@limiter.limit("5 per minute;20 per hour", methods=["POST"], key_func=_form_email)
def login():
    """Log in; the message never tells whether the email is registered."""
    form = LoginForm()
    if form.validate_on_submit():
        user = service.authenticate(form.email.data, form.password.data)
        if user is not None:
            _start_session(user)
            flash(_("You are logged in."))
            return redirect(_safe_next(url_for("main.index")))
        form.password.errors.append(_("Email, username or password is wrong."))
    return render_template("auth/login.html", form=form), 400 if form.errors else 200


@bp.route("/logout", methods=["POST"])
@expect("POST", everyone(302))
def logout():
    """Log out; the old session cookie no longer works anywhere."""
    if current_user.is_authenticated:
        service.end_sessions(db.session.get(User, current_user.id))
    logout_user()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("You are logged out."))
    return redirect(url_for("main.index"))


def _account_key() -> str:
    """Rate-limit key for the logged-in account (the password change)."""
    return f"user:{current_user.get_id()}"


@bp.route("/account/password", methods=["GET", "POST"])
@expect("GET", LOGIN)
@expect("POST", everyone(400, anonymous=302, guest=302))
@login_required
@limiter.limit("10 per minute;50 per hour", methods=["POST"])
@limiter.limit("5 per minute;20 per hour", methods=["POST"], key_func=_account_key)
def change_password():
    """Change the password; other sessions end, this one is renewed."""
    form = ChangePasswordForm()
    user = current_user._get_current_object()
    if form.validate_on_submit():
        try:
            service.change_password(user, form.current.data, form.password.data)
        except ServiceError as error:
            form.current.errors.append(message(error))
        else:
            _start_session(user)
            flash(_("Your password was changed. Other devices are logged out."))
            return redirect(url_for("main.index"))
    return render_template("auth/password.html", form=form), 400 if form.errors else 200


@bp.route("/account/first-password", methods=["GET", "POST"])
@expect("GET", everyone(302))
@expect("POST", everyone(302))
@login_required
def first_password():
    """A pupil replaces the one-time password from the login card with their own."""
    user = current_user._get_current_object()
    if not user.must_change_password:
        return redirect(url_for("main.index"))
    form = FirstPasswordForm()
    if form.validate_on_submit():
        pupils.choose_password(user, form.password.data)
        _start_session(user)
        flash(_("Your own password is set. Use it from now on."))
        return redirect(url_for("main.index"))
    return render_template("auth/first_password.html", form=form), 400 if form.errors else 200


@bp.route("/setup/<token>", methods=["GET", "POST"])
@expect("GET", everyone(404))
@expect("POST", everyone(404))
def setup_admin(token: str):
    """Create the first admin with the one-time link printed at first start."""
    if service.setup_token_valid(token) is None:
        abort(404)
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = service.create_first_admin(
                token, form.email.data, form.display_name.data, form.password.data
            )
        except ServiceError as error:
            form.email.errors.append(message(error))
        else:
            _start_session(user)
            flash(_("The admin account is ready."))
            return redirect(url_for("auth.users"))
    return render_template("auth/setup.html", form=form), 400 if form.errors else 200


@bp.route("/admin/users")
@expect("GET", ADMIN)
@role_required("admin")
def users():
    """List accounts, a page at a time, so an admin can change roles."""
    page = db.paginate(
        select(User).order_by(User.created_at, User.id),
        per_page=current_app.config.get("USERS_PER_PAGE", 50),
        max_per_page=None,
        error_out=False,
    )
    forms = {u.id: RoleForm(prefix=f"u{u.id}", role=u.role) for u in page.items}
    return render_template("auth/users.html", users=page.items, forms=forms, page=page)


@bp.route("/admin/users/<int:user_id>/role", methods=["POST"])
@expect("POST", ADMIN, admin=302)
@role_required("admin")
def set_role(user_id: int):
    """Change one user's role."""
    user = db.session.get(User, user_id) or abort(404)
    form = RoleForm(prefix=f"u{user.id}")
    if form.validate_on_submit():
        try:
            service.set_role(user, form.role.data)
        except ServiceError as error:
            flash(message(error), "error")
        else:
            role = next((c.label for c in form.role.choices if c.value == form.role.data), "")
            flash(_("%(name)s is now: %(role)s", name=user.display_name, role=role))
    else:
        flash(_("Choose one of the listed roles."), "error")
    return redirect(url_for("auth.users"))
