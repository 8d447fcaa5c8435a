"""What several apps use: chart drawing, number and date formatting, official documents (.docx/.pdf),
spreadsheet-safe downloads and the `{% load nscl %}` template filters. Imports no NSCL app."""
