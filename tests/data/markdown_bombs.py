"""Hostile Markdown: shapes that made a regular expression backtrack or Python-Markdown and
bleach take seconds (issue 10). Generated, so kept as Python: ``BOMBS`` maps a name to the
text. tests/test_render_budget.py renders each as a post and as a comment under a CPU bound.
"""

BOMBS = {
    # Catastrophic backtracking in the nesting guard (4.3 s for 61 bytes before the fix).
    "list markers, 12": "-    " * 12 + "x",
    "list markers, 14": "-    " * 14 + "x",
    "list markers, 16": "-    " * 16 + "x",
    "ordered markers, 15": "1.   " * 15 + "x",
    "quote markers, 15": "> " * 15 + "x",
    "quote markers, 15, 400 lines": ("> " * 15 + "x\n") * 399,
    "quote markers, 16, many paragraphs": ("> " * 16 + "x\n\n") * 1_000,
    "mixed markers": "- > 1) " * 15 + "x",
    "quote ladder": "\n".join(">" * i + " x" for i in range(1, 200)),
    "nested quotes, 10,000": ">" * 10_000 + " deep",
    # DOIs and brackets.
    "DOI and 100,000 closing brackets": "doi:10.1000/x" + ")" * 100_000,
    "DOI and 100,000 full stops": "doi:10.1000/x" + "." * 100_000,
    "DOIs back to back": "doi:10.1000/x " * 10_000,
    "2,000 opening brackets": "[" * 2_000,
    "100,000 opening brackets": "[" * 100_000,
    "unclosed links": "[a](" * 25_000,
    "unclosed images": "![" * 50_000,
    "nested brackets": "[" * 1_000 + "x" + "]" * 1_000 + "(" * 1_000,
    "links in links": "[[[[a](b)](c)](d)](e) " * 5_000,
    # Code fences (22 s for 100 KB of unclosed fences before the pre-check).
    "100 KB of unclosed fences": ("```\n" * 399 + "\n") * 60,
    "100 KB of unclosed tilde fences": ("~~~\n" * 399 + "\n") * 60,
    "fences with languages": ("```python\n" * 399 + "\n") * 40,
    "fences with unclosed hl_lines": ("```hl_lines='\n\n") * 6_000,
    "fences with attributes": ("```{\n\n") * 8_000,
    "fences of growing length": "\n\n".join("`" * i for i in range(3, 450)),
    "one fence, long code": "```\n" + "code line\n" * 20_000,
    "backticks": "`a" * 50_000,
    "backtick runs": "".join("`" * (i % 7 + 1) + "a" for i in range(30_000)),
    # Emphasis.
    "deep emphasis": "*" * 2_000 + "x" + "*" * 2_000,
    "alternating emphasis": "*_" * 5_000 + "x",
    "strong emphasis openers": "***a " * 10_000,
    "strikethrough openers": "~~a " * 10_000,
    "underscores": "_" * 100_000,
    "backslashes": "\\" * 100_000,
    # Tables.
    "long table": "|a|b|\n|-|-|\n" + "|1|2|\n" * 16_000,
    "long tables in blocks": ("|a|b|\n|-|-|\n" + "|1|2|\n" * 390 + "\n") * 25,
    "wide table": "|" + "a|" * 10_000 + "\n|" + "-|" * 10_000 + "\n|" + "1|" * 10_000,
    "table cells full of pipes": "|a|b|\n|-|-|\n" + ("|" + "\\|" * 2_000 + "|\n") * 30,
    # References and footnote-like text.
    "footnote-like references": "[^1] " * 20_000,
    "reference links": "[x][y] " * 20_000,
    "huge link reference definitions": "".join(
        f"[r{i}]: https://example.org/{i} 'title {i}'\n" for i in range(5_000)
    ),
    "one reference definition, huge title": "[r]: https://example.org/ '" + "t" * 200_000 + "'",
    "definitions used everywhere": "".join(f"[r{i}]: /p/{i}\n\n[x][r{i}] " for i in range(3_000)),
    # Lists.
    "nested lists, 10,000 lines": "".join("  " * (i % 16) + "- x\n" for i in range(10_000)),
    "nested lists, 10,000 lines with blanks": "".join(
        "    " * (i % 12) + "- x\n\n" for i in range(10_000)
    ),
    "ordered list, 10,000 items": "".join(f"{i}. x\n" for i in range(10_000)),
    "list markers only": "- " * 10_000 + "deep",
    "indented lists": "\n".join(" " * (2 * i) + "- deep" for i in range(300)),
    # Other block shapes.
    "setext headings": "a\n=\n" * 25_000,
    "rules": "---\n" * 25_000,
    "definition lists": "t\n: d\n\n" * 12_000,
    "definition markers": ": " * 50_000,
    "blank-line paragraphs": "x\n\n" * 50_000,
    "one 100,000-line paragraph": "x\n" * 100_000,
    "tabs": "\t" * 100_000 + "x",
    # Escapes and characters.
    "angle brackets": "<" * 100_000,
    "ampersands": "&" * 100_000,
    "numeric entities": "&#1;" * 25_000,
    "named entities": "&amp" * 25_000,
    "autolinks": "<http://" * 20_000,
    "mail autolinks": "<a@b" * 20_000,
    "NUL and controls": "a\x00b\x02c\x03" * 20_000,
    "lone surrogates": "a\ud800b\udfffc" * 10_000,
    "right-to-left overrides": "\u202e" * 50_000 + "x",
    "registry ids": "NCT00548405 ISRCTN12345678 2007-001161-38 " * 3_000,
    "dropped links": "[x](javascript:alert(1)) [y](ftp://example.org/) " * 3_000,
}
