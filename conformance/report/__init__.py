"""The report: results files in, one HTML page, JUnit XML per adapter and a Markdown summary out.

``merge`` reads and merges results files (conflicts, unreadable files); ``summary`` counts;
``html`` renders the page (templates/ and static/ are inlined into it); ``junit`` and
``markdown`` write the CI formats; ``safejson`` embeds JSON in HTML safely.
"""
