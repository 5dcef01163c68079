"""One module per family of documents; each ``render`` takes the paper's data and a language."""
