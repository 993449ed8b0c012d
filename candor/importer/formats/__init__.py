from candor.importer.formats.base import FileRejected, Format, Item
from candor.importer.formats.csv_format import CsvFormat
from candor.importer.formats.jsonresume import JsonResumeFormat

FORMATS: dict[str, Format] = {f.name: f for f in (CsvFormat(), JsonResumeFormat())}

__all__ = ["FORMATS", "FileRejected", "Format", "Item"]
