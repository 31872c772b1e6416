"""Page weight: the post page with everything it loads transfers under 60 KB compressed.

How it is measured: the browser loads the post page from the live server; every response it
receives from the site while loading (the HTML, stylesheets, scripts, and anything else such
as images or icons) is taken as the server sent it and gzip-compressed at level 6, as
WhiteNoise and front-end proxies serve it. The sum is the transfer size a reader pays. The
live server itself does not compress, so this is what production would send, not what the
test server happens to send.
"""

import pytest

from tests.e2e.helpers import gzip_size

pytestmark = pytest.mark.e2e

BUDGET = 60 * 1024


def test_post_page_with_its_css_and_js_is_under_60_kb_compressed(page, care_ms_post):
    loaded = []
    page.on("response", lambda response: loaded.append(response))
    page.goto(care_ms_post.get_absolute_url())
    page.wait_for_load_state("networkidle")

    sizes = {}
    for response in loaded:
        if response.status >= 300:
            continue
        sizes[f"{response.request.resource_type} {response.url}"] = gzip_size(response.body())
    kinds = {key.split()[0] for key in sizes}
    assert "document" in kinds and "stylesheet" in kinds, sizes
    total = sum(sizes.values())
    breakdown = "\n".join(f"{size:>7} B  {key}" for key, size in sizes.items())
    assert total < BUDGET, f"{total} B compressed, over {BUDGET} B:\n{breakdown}"
