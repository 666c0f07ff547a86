"""Which pages each persona opens, and axe-core run on a page (GB/T 37668 / WCAG 2.x checks).

The pages come from the URL permission table (tests/security/test_url_table.py): every URL a persona may
GET ("ok"), with the object of 办公室党支部 the table uses, less the URLs that answer a file instead of a
page. A page added to the table is checked here without another line.
"""

from pathlib import Path

AXE_SOURCE = (Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js").read_text()

# Downloads (xlsx, docx, evidence files) and JSON: no page to check.
FILES = {
    "dashboards:export",
    "intake:template",
    # JSON for the people pickers, not a page.
    "organizations:person_search",
    "office:export_download",
    "office:import_template",
    "office:inspection_report",
    "office:register_export",
    "orglife:evidence_download",
    "orglife:import_template",
    "rectifications:evidence_download",
}
BLOCKING = ("serious", "critical")
IMPACTS = ("minor", "moderate", "serious", "critical")

# Run on the whole document, all of axe's rules for WCAG 2.0/2.1 A and AA plus its best practices.
RUN = """async () => {
  const result = await axe.run(document, {
    runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
    resultTypes: ["violations"],
  });
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ")), count: v.nodes.length,
  }));
}"""


def pages_of(persona: str, objects: object) -> list[tuple[str, str]]:
    """(URL name, path) of every page ``persona`` may open."""
    from tests.security.test_url_table import PERSONAS, TABLE, _url

    column = PERSONAS.index(persona)
    return [
        (name, _url(name, objects, "a"))
        for name, row in sorted(TABLE.items())
        if row.expect[column] == "ok" and name not in FILES
    ]


def check(page: object) -> list[dict]:
    """axe-core's violations on the page as it stands (axe is injected by an init script)."""
    return page.evaluate(RUN)
