"""Decodes FIT files with Garmin's own FIT SDK for Python and prints, as
JSON, what the tests compare with treadcue's history: the decoder's
errors, the file id, the session, the laps, the timer events, the
records and the activity. Usage: fit_summary.py FILE..."""

import json
import sys

from garmin_fit_sdk import Decoder, Stream


def plain(value):
    """A decoded value as JSON takes it."""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (int, float, str, bool)) or value is None:
        return value
    return str(value)


def summary(path):
    # Each check reads the stream through: each gets its own.
    is_fit = Decoder(Stream.from_file(path)).is_fit()
    integrity = Decoder(Stream.from_file(path)).check_integrity()
    messages, errors = Decoder(Stream.from_file(path)).read(
        apply_scale_and_offset=True,
        convert_datetimes_to_dates=False,
        convert_types_to_strings=True,
        expand_sub_fields=True,
        expand_components=True,
        merge_heart_rates=False,
    )
    return {
        "is_fit": is_fit,
        "integrity": integrity,
        "errors": [str(e) for e in errors],
        "order": first_kinds(path),
        **{key: plain(value) for key, value in messages.items()},
    }


def first_kinds(path):
    """The message kinds in the order they are in the file."""
    kinds = []

    def listener(mesg_num, message):
        kinds.append(mesg_num)

    Decoder(Stream.from_file(path)).read(mesg_listener=listener)
    return kinds


print(json.dumps({path: summary(path) for path in sys.argv[1:]}))
