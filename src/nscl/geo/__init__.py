"""Administrative units of Hưng Yên and Thái Bình before and after the merger of 1 July 2025, with validity dates and the succession between old and new units."""
