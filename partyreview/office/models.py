"""The office app keeps no models: 导入记录 (ImportBatch) moved to ``intake`` with the import itself.

Its table kept its name (``office_importbatch``) and its rows; this app's old migrations still name the
upload function below, so it stays.
"""

import uuid


def import_upload_to(instance: object, filename: str) -> str:
    return f"office-imports/{uuid.uuid4().hex}.xlsx"
