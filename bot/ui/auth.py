"""Accounts of the web app: salted password hashes (scrypt, or pbkdf2_sha256), sign-in, and the login panel.

Accounts come from settings: ``ui.admins`` and ``ui.users`` map a user name to a hash made by

    python -m bot.ui.auth hash            # asks for the password twice, prints the hash

e.g. ``BOT_UI__ADMINS='{"admin": "scrypt$16384$8$1$…"}'``. A signed-in account lives in the page
session's server-side state (``gr.State``), so every admin action checks it on the server.
"""

from __future__ import annotations

import argparse
import base64
import getpass
import hashlib
import hmac
import json
import logging
import os
import sys
import time
from dataclasses import dataclass

from bot.settings import UISettings

log = logging.getLogger(__name__)

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2 ** 14, 8, 1
PBKDF2_ITERATIONS = 600_000
FAILED_LOGIN_DELAY_S = 1.0

LOGIN_TITLE_VI = "Đăng nhập"
BAD_LOGIN_VI = "Sai tên đăng nhập hoặc mật khẩu."
NO_ACCOUNTS_VI = ("Chưa có tài khoản nào được cấu hình. Tạo mật khẩu bằng lệnh `python -m bot.ui.auth hash` "
                  "rồi đặt biến môi trường `BOT_UI__ADMINS='{\"admin\": \"<mã băm>\"}'`.")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str, salt: bytes | None = None) -> str:
    """``scrypt$N$r$p$salt$hash`` (base64), with a fresh 16-byte salt."""
    salt = salt if salt is not None else os.urandom(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def hash_password_pbkdf2(password: str, salt: bytes | None = None, iterations: int = PBKDF2_ITERATIONS) -> str:
    """``pbkdf2_sha256$iterations$salt$hash`` (base64): the other accepted form."""
    salt = salt if salt is not None else os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations)
    return f"pbkdf2_sha256${iterations}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    """True when password matches a stored hash; a malformed hash never matches."""
    try:
        parts = stored.strip().split("$")
        if parts[0] == "scrypt" and len(parts) == 6:
            n, r, p = (int(x) for x in parts[1:4])
            salt, expected = base64.b64decode(parts[4]), base64.b64decode(parts[5])
            digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=len(expected),
                                    maxmem=max(64 * 1024 * 1024, 256 * n * r))
        elif parts[0] == "pbkdf2_sha256" and len(parts) == 4:
            salt, expected = base64.b64decode(parts[2]), base64.b64decode(parts[3])
            digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, int(parts[1]))
        else:
            return False
    except (ValueError, TypeError, MemoryError):
        return False
    return hmac.compare_digest(digest, expected)


_DUMMY_HASH = hash_password("không-dùng", salt=b"\0" * 16)


@dataclass(frozen=True)
class Account:
    name: str
    admin: bool

    def as_state(self) -> dict:
        return {"user": self.name, "admin": self.admin}


def authenticate(ui: UISettings, name: str, password: str) -> Account | None:
    """The account for a name and password, or None. Admin names win over chat-only ones."""
    name = (name or "").strip()
    for table, admin in ((ui.admins, True), (ui.users, False)):
        stored = table.get(name)
        if stored is not None:
            if verify_password(password or "", stored):
                return Account(name, admin)
            return None
    verify_password(password or "", _DUMMY_HASH)  # the same work for unknown names
    return None


def is_admin(session: dict | None) -> bool:
    return bool(session and session.get("admin"))


def is_signed_in(session: dict | None) -> bool:
    return bool(session and session.get("user"))


def can_chat(ui: UISettings, session: dict | None) -> bool:
    return not ui.require_login_for_chat or is_signed_in(session)


def has_accounts(ui: UISettings) -> bool:
    return bool(ui.admins or ui.users)


# --- The login panel -----------------------------------------------------------------------------


@dataclass
class LoginPanel:
    signed_out: object  # gr.Column with the form
    signed_in: object  # gr.Row "Đã đăng nhập: …" with a sign-out button
    user: object
    password: object
    button: object
    message: object
    who: object
    logout: object


def build_login(ui: UISettings, session) -> LoginPanel:
    """A login form bound to ``session`` (a gr.State holding None or {"user", "admin"})."""
    import gradio as gr

    with gr.Column(elem_id="login-form") as signed_out:
        if not has_accounts(ui):
            gr.Markdown(NO_ACCOUNTS_VI)
        with gr.Row(elem_id="login-row"):
            user = gr.Textbox(label="Tên đăng nhập", elem_id="login-user",
                              html_attributes=gr.InputHTMLAttributes(autocomplete="username", autocapitalize="off"), scale=2,
                              min_width=140)
            password = gr.Textbox(label="Mật khẩu", type="password", elem_id="login-password", scale=2, min_width=140,
                                  html_attributes=gr.InputHTMLAttributes(autocomplete="current-password"))
            button = gr.Button("Đăng nhập", variant="primary", elem_id="login-button", scale=1, min_width=110,
                               size="md")
        message = gr.Markdown("", elem_id="login-message")
    with gr.Row(visible=False, elem_id="login-status", equal_height=True) as signed_in:
        who = gr.Markdown("", elem_id="login-who")
        logout = gr.Button("Đăng xuất", size="sm", elem_id="logout-button", scale=0, min_width=110)

    def sign_in(name: str, secret: str, current: dict | None):
        account = authenticate(ui, name, secret)
        if account is None:
            log.warning("failed login for %r", (name or "")[:40])
            time.sleep(FAILED_LOGIN_DELAY_S)
            return current, f"⚠️ {BAD_LOGIN_VI}", gr.update(), gr.update(), gr.update(), ""
        log.info("login: %s%s", account.name, " (admin)" if account.admin else "")
        role = "quản trị viên" if account.admin else "người dùng"
        return (account.as_state(), "", gr.update(visible=False), gr.update(visible=True),
                f"Đã đăng nhập: **{account.name}** ({role})", "")

    def sign_out():
        return None, gr.update(visible=True), gr.update(visible=False), ""

    outputs = [session, message, signed_out, signed_in, who, password]
    button.click(sign_in, [user, password, session], outputs, api_visibility="private")
    password.submit(sign_in, [user, password, session], outputs, api_visibility="private")
    logout.click(sign_out, None, [session, signed_out, signed_in, who], api_visibility="private")
    return LoginPanel(signed_out, signed_in, user, password, button, message, who, logout)


# --- python -m bot.ui.auth hash -----------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.ui.auth",
                                     description="Tạo mã băm mật khẩu cho tài khoản của ứng dụng web.")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("hash", help="in ra mã băm (scrypt, có muối) của một mật khẩu")
    p.add_argument("--user", default="admin", help="tên đăng nhập để in dòng cấu hình mẫu (mặc định: admin)")
    p.add_argument("--password-stdin", action="store_true", help="đọc mật khẩu từ stdin thay vì hỏi")
    p.add_argument("--pbkdf2", action="store_true", help="dùng pbkdf2_sha256 thay cho scrypt")
    args = parser.parse_args(argv)

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Mật khẩu: ")
        if getpass.getpass("Nhập lại mật khẩu: ") != password:
            print("Hai lần nhập không khớp.", file=sys.stderr)
            return 1
    if len(password) < 8:
        print("Mật khẩu cần ít nhất 8 ký tự.", file=sys.stderr)
        return 1
    hashed = hash_password_pbkdf2(password) if args.pbkdf2 else hash_password(password)
    print(hashed)
    print(f"# ví dụ: export BOT_UI__ADMINS='{json.dumps({args.user: hashed})}'", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
