"""A person registers, verifies their address, logs in and out — in Chinese and in English.

Everything is done the way a person does it: clicking the visible links and buttons, typing into
fields found by their visible label. axe-core audits every page on the way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class Words:
    """The visible texts of one language (Chinese from portal/translations/zh_Hans_CN)."""

    lang: str  # what <html lang> starts with
    account_nav: str
    register: str
    email: str
    display_name: str
    password: str
    confirm: str
    create_account: str
    please_correct: str
    password_length: str
    check_email: str
    verified: str
    log_in: str
    welcome: str
    log_out: str
    logged_out: str


CHINESE = Words(
    lang="zh",
    account_nav="账号",
    register="注册",
    email="电子邮箱",
    display_name="显示名称",
    password="密码",
    confirm="确认密码",
    create_account="注册账号",
    please_correct="请更正以下问题：",
    password_length="密码长度应为 8 至 128 个字符。",
    check_email="请查收邮件",
    verified="您的电子邮箱地址已验证，现在可以登录。",
    log_in="登录",
    welcome="{name}，欢迎回来。",
    log_out="退出登录",
    logged_out="您已退出登录。",
)

ENGLISH = Words(
    lang="en",
    account_nav="Account",
    register="Register",
    email="Email address",
    display_name="Display name",
    password="Password",
    confirm="Repeat the password",
    create_account="Create account",
    please_correct="Please correct the following:",
    password_length="A password has 8 to 128 characters.",
    check_email="Check your email",
    verified="Your email address is verified. You can log in now.",
    log_in="Log in",
    welcome="Welcome back, {name}.",
    log_out="Log out",
    logged_out="You are logged out.",
)


def header(page, words: Words):
    return page.get_by_role("navigation", name=words.account_nav, exact=True)


@pytest.mark.parametrize(
    ("words", "email", "name"),
    [
        pytest.param(CHINESE, "zhang.wei@example.com", "张伟", id="zh"),
        pytest.param(ENGLISH, "ada@example.com", "Ada Lovelace", id="en"),
    ],
)
def test_register_verify_login_logout(page, live_server, axe, words, email, name):
    html = page.locator("html")

    # The home page: Simplified Chinese unless the person asks for English.
    page.goto("/")
    axe(page)
    if words is ENGLISH:
        expect(html).to_have_attribute("lang", re.compile(r"^zh"))
        page.get_by_role("button", name="English", exact=True).click()
        expect(html).to_have_attribute("lang", "en")
        axe(page)
    else:
        expect(html).to_have_attribute("lang", re.compile(r"^zh"))

    # The register link in the header; the chosen language is remembered on the next page.
    header(page, words).get_by_role("link", name=words.register, exact=True).click()
    expect(page).to_have_url(re.compile(r"/account/register$"))
    expect(html).to_have_attribute("lang", re.compile(rf"^{words.lang}"))
    expect(page.get_by_role("heading", level=1)).to_have_text(words.register)
    axe(page)

    # First try: a password that is too short.
    page.get_by_label(words.email, exact=True).fill(email)
    page.get_by_label(words.display_name, exact=True).fill(name)
    page.get_by_label(words.password, exact=True).fill("short")
    page.get_by_label(words.confirm, exact=True).fill("short")
    page.get_by_role("button", name=words.create_account, exact=True).click()

    summary = page.get_by_role("alert")
    expect(summary).to_be_visible()
    expect(summary).to_be_in_viewport()
    expect(summary.get_by_role("heading")).to_have_text(words.please_correct)
    problem = summary.get_by_role("link", name=words.password_length, exact=True)
    expect(problem).to_have_attribute("href", "#password")
    # The field says so too, and a screen reader hears the error with the field.
    password = page.get_by_label(words.password, exact=True)
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(password).to_have_accessible_description(re.compile(re.escape(words.password_length)))
    # What was typed, other than the passwords, is kept.
    expect(page.get_by_label(words.email, exact=True)).to_have_value(email)
    expect(page.get_by_label(words.display_name, exact=True)).to_have_value(name)
    expect(html).to_have_attribute("lang", re.compile(rf"^{words.lang}"))
    axe(page)

    # Second try: a good password.
    password.fill(PASSWORD)
    page.get_by_label(words.confirm, exact=True).fill(PASSWORD)
    page.get_by_role("button", name=words.create_account, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words.check_email)
    axe(page)

    # The verification mail, as the outbox holds it; its link points at this live server.
    messages = live_server.outbox("verify_email", email)
    assert len(messages) == 1, [m.recipients for m in messages]
    match = re.search(rf"{re.escape(live_server.url)}/account/verify/\S+", messages[0].body_text)
    assert match, messages[0].body_text
    assert name in messages[0].body_text

    page.goto(match.group(0))
    expect(page).to_have_url(re.compile(r"/account/login$"))
    expect(page.get_by_role("status")).to_contain_text(words.verified)
    expect(page.get_by_role("heading", level=1)).to_have_text(words.log_in)
    axe(page)

    page.get_by_label(words.email, exact=True).fill(email)
    page.get_by_label(words.password, exact=True).fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name=words.log_in, exact=True).click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(header(page, words)).to_contain_text(name)
    expect(page.get_by_role("status")).to_contain_text(words.welcome.format(name=name))
    expect(html).to_have_attribute("lang", re.compile(rf"^{words.lang}"))
    axe(page)

    header(page, words).get_by_role("button", name=words.log_out, exact=True).click()
    expect(page.get_by_role("status")).to_contain_text(words.logged_out)
    expect(header(page, words)).not_to_contain_text(name)
    expect(header(page, words).get_by_role("link", name=words.log_in, exact=True)).to_be_visible()
    axe(page)
