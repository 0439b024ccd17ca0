"""Validates TCX files against Garmin's TrainingCenterDatabase v2 schema
with xmlschema: prints nothing and exits 0 when every file is valid,
else each file's first error. Usage: validate_tcx.py SCHEMA FILE..."""

import sys

import xmlschema

schema = xmlschema.XMLSchema(sys.argv[1])
failed = False
for path in sys.argv[2:]:
    try:
        schema.validate(path)
    except xmlschema.XMLSchemaValidationError as e:
        failed = True
        print(f"{path}: {e.reason} at {e.path}")
sys.exit(1 if failed else 0)
