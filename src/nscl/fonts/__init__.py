"""DejaVu Serif (free licence, LICENSE.txt): Vietnamese diacritics in charts and PDF documents."""
