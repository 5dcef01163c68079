"""Data exchange between offices: upload packages (writer and importer), their format and encryption.

Nothing heavy is imported here: the GUI imports the exchange modules only when their page is opened.
"""
