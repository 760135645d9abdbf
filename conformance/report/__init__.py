"""The report: results files in, one HTML page, JUnit XML per adapter and a Markdown summary out.

``merge`` reads and merges results files (conflicts, unreadable files); ``summary`` counts;
``html`` renders the page (templates/ and static/ are inlined into it), with ``display``
rounding the numbers it shows and ``safejson`` embedding its data safely; ``junit`` and
``markdown`` write the CI formats.
"""
