#!/usr/bin/env python3
"""Generates docs/api.md from include/speech2face.h: the header's conventions, then every
section's types and functions with their doc comments. The header is the single source; the
test `api-doc-up-to-date` fails when docs/api.md differs from what this script writes.

    /usr/bin/python3 tools/generate/gen_api_doc.py            # rewrite docs/api.md
    /usr/bin/python3 tools/generate/gen_api_doc.py --check    # exit 1 if docs/api.md is stale
"""
import argparse
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HEADER = os.path.join(ROOT, "include", "speech2face.h")
OUTPUT = os.path.join(ROOT, "docs", "api.md")
SECTION = re.compile(r"/\* =+\n \* (.*?)\n \* =+ \*/\n")
BANNER = re.compile(r"/\* -+\n \* (.*?)\n \* -+ \*/\n", re.S)


def clean_comment(comment):
    text = re.sub(r"^/\*\*?|\*/$", "", comment.strip())
    lines = [re.sub(r"^\s*\* ?", "", line) for line in text.splitlines()]
    return "\n".join(lines).strip()


def items(body):
    """Yields (comment, declaration) for each function, typedef and macro in `body`."""
    pattern = re.compile(
        r"(?P<comment>/\*(?:[^*]|\*(?!/))*\*/\s*)?"
        r"(?P<decl>S2F_API[^;]*;|typedef\s+(?:struct|enum)\s+\w+\s*\{.*?\}\s*\w+\s*;|"
        r"typedef\s+struct\s+\w+\s+\w+\s*;|typedef\s+[^;{]*\([^;]*\)\s*;|"
        r"static inline [^{]*\{.*?\n\}|#define S2F_\w+.*?(?<!\\)\n)", re.S)
    for match in pattern.finditer(body):
        yield clean_comment(match.group("comment") or ""), match.group("decl").strip()


def render():
    header = open(HEADER).read()
    intro = clean_comment(header[:header.index("#ifndef")])
    out = ["# libspeech2face API reference", "",
           "Generated from `include/speech2face.h` by `tools/generate/gen_api_doc.py`; do not edit by hand.",
           "", "## Conventions", "", intro, ""]
    marks = list(SECTION.finditer(header))
    first = marks[0].start() if marks else len(header)
    # The core starts after the export-macro block, whose `#define S2F_API ...` lines are no API.
    core_start = header.index(" * Version\n")
    chunks = [("Core: version, status codes, errors, logging, handles", header[core_start:first])]
    for i, mark in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else header.index("#ifdef __cplusplus\n}")
        chunks.append((mark.group(1), header[mark.end():end]))
    count = 0
    for title, body in chunks:
        body = BANNER.sub("", body)
        entries = list(items(body))
        if not entries:
            continue
        out += [f"## {title}", ""]
        for comment, declaration in entries:
            out += ["```c", declaration, "```"]
            if comment:
                out += [comment]
            out += [""]
            count += declaration.startswith("S2F_API")
    return "\n".join(out).rstrip() + "\n", count


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    text, count = render()
    if args.check:
        current = open(OUTPUT).read() if os.path.exists(OUTPUT) else ""
        if current != text:
            print("docs/api.md is stale: run /usr/bin/python3 tools/generate/gen_api_doc.py")
            return 1
        print(f"docs/api.md is up to date ({count} functions)")
        return 0
    with open(OUTPUT, "w") as f:
        f.write(text)
    print(f"wrote {OUTPUT} ({count} functions)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
