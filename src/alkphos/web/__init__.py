"""The web page: enter a case, read its interpretation, print or download it as a PDF."""
