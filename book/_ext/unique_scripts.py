"""Drop repeated <script> entries from each page.

sphinx-thebe 0.3.1 can register its inline configuration script twice, which makes browsers
report "Identifier 'THEBE_JS_URL' has already been declared" on every page.
"""


def _unique_scripts(app, pagename, templatename, context, doctree):
    seen, unique = set(), []
    for script in context.get("script_files", []):
        attributes = getattr(script, "attributes", {}) or {}
        filename = getattr(script, "filename", script) or ""  # inline scripts come as None or ""
        key = (str(filename), tuple(sorted((k, str(v)) for k, v in attributes.items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    # in place: the list is the builder's own, which later handlers (MathJax) still append to
    context["script_files"][:] = unique


def setup(app):
    app.connect("html-page-context", _unique_scripts, priority=100)  # early: the event stops at the first handler that returns a template
    return {"parallel_read_safe": True, "parallel_write_safe": True}
