"""导入党组织与人员：a committee's tree and its people from the two spreadsheets offices already keep.

Both imports read the file through ``common.spreadsheets`` (the one reader), find the header row and the
columns by their many names (``columns``), plan every row against the database without writing
(``tree.plan_tree`` / ``people.plan_people``: the preview, with a message per row and per column), and
write a plan only when it holds no error, all in one transaction (``apply_*``). A repeated import of the
same file plans nothing to do.
"""
