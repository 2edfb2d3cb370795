"""The axe helper itself: it must really run under the app's CSP and fail on a serious violation.

Without this, an axe-core that silently failed to load would make every page look accessible.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_axe_reports_serious_violations_on_a_page_served_with_csp(page, axe):
    response = page.goto("/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    axe(page)  # the home page itself is clean
    # An image with no text alternative (rule image-alt, impact "critical").
    page.evaluate(
        """() => {
            const img = document.createElement("img");
            img.src = "/static/missing.png";
            img.id = "no-alt";
            document.querySelector("main").append(img);
        }"""
    )
    with pytest.raises(pytest.fail.Exception, match=r"(?s)image-alt.*#no-alt"):
        axe(page)
