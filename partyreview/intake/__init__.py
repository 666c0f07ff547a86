"""问题导入：a committee's problem lists, in whatever shape they arrive, become findings and measures.

Every way in ends in the same plan, the same preview and the same all-or-nothing writer:

- spreadsheets (整改台账 / 问题清单 in any office's layout) are opened by the one spreadsheet reader,
  ``partyreview.common.spreadsheets``, which holds every protection against hostile files; this app then
  finds the table in them (header rows, titles, footers) and maps its columns onto ``fields.Field``;
- feedback documents (反馈意见 as .docx, .txt or pasted text) are segmented by their official numbering
  into the same rows;
- the rows are planned against the database (organisations, people, categories, deadlines in words),
  shown for confirmation, and written in one transaction.
"""
