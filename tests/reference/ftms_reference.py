'''Fitness Machine Service values read and written by pyftms, an FTMS
client library nobody here wrote (https://github.com/dudanov/pyftms,
Apache-2.0), as a second opinion on treadcue's own codec.

    ftms_reference.py decode < payloads     one hex Treadmill Data value a
                                            line in; one JSON object a line
                                            out: the fields pyftms read, by
                                            treadcue's names, or {"error"}
    ftms_reference.py encode < requests     one request a line in
                                            ("request_control", "start",
                                            "speed 2.5", "incline -1.5",
                                            "pause", "stop"); the bytes
                                            pyftms writes for it, in hex

Runs in the venv scripts/setup --test makes (pyftms needs Python 3.12+).
'''

import io
import json
import sys

from pyftms.models import ControlCode, ControlModel, StopPauseCode, TreadmillData
from pyftms.serializer import get_serializer

# pyftms's field names, and treadcue's for the same field. pyftms reads
# flag bit 13 as a step count; treadcue skips a reserved bit's bytes.
NAMES = {
    'speed_instant': 'speed_kmh',
    'speed_average': 'average_speed_kmh',
    'distance_total': 'distance_m',
    'inclination': 'incline_percent',
    'ramp_angle': 'ramp_angle_degrees',
    'elevation_gain_positive': 'elevation_gain_m',
    'elevation_gain_negative': 'elevation_loss_m',
    'pace_instant': 'pace_km_per_min',
    'pace_average': 'average_pace_km_per_min',
    'energy_total': 'energy_kcal',
    'energy_per_hour': 'energy_per_hour_kcal',
    'energy_per_minute': 'energy_per_minute_kcal',
    'heart_rate': 'heart_rate_bpm',
    'metabolic_equivalent': 'metabolic_equivalent',
    'time_elapsed': 'elapsed_s',
    'time_remaining': 'remaining_s',
    'force_on_belt': 'force_n',
    'power_output': 'power_w',
    'step_count': None,
}


def decode(line):
    try:
        data = get_serializer(TreadmillData).deserialize(bytes.fromhex(line))
    except Exception as e:  # pyftms refuses: cut short, or bytes left over
        return {'error': f'{type(e).__name__}: {e}'}
    fields = {}
    for name, value in data._asdict().items():
        ours = NAMES[name]
        if ours is not None:
            fields[ours] = float(value)
    return fields


def encode(line):
    words = line.split()
    kind = words[0]
    if kind == 'request_control':
        model = ControlModel(code=ControlCode.REQUEST_CONTROL)
    elif kind == 'start':
        model = ControlModel(code=ControlCode.START_RESUME)
    elif kind == 'speed':
        model = ControlModel(target_speed=float(words[1]))
    elif kind == 'incline':
        model = ControlModel(target_inclination=float(words[1]))
    elif kind == 'pause':
        model = ControlModel(stop_pause=StopPauseCode.PAUSE)
    elif kind == 'stop':
        model = ControlModel(stop_pause=StopPauseCode.STOP)
    else:
        raise SystemExit(f'no request {kind!r}')
    out = io.BytesIO()
    model._serialize(out)
    return out.getvalue().hex()


def main():
    verb = sys.argv[1]
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        if verb == 'decode':
            print(json.dumps(decode(line)))
        elif verb == 'encode':
            print(encode(line))
        else:
            raise SystemExit(f'usage: {sys.argv[0]} decode|encode')


if __name__ == '__main__':
    main()
