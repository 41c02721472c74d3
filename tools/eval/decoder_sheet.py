#!/usr/bin/env python3
"""A contact sheet comparing face decoders on the same validation faces: true face | the paper's
decoder (Face_f2f) | each given decoder, one row per clip, each decoding the face encoder's
descriptor of the true face (as tools/eval/decoder_bound.py measures them).

    /usr/bin/python3 tools/eval/decoder_sheet.py --out sheet.png models/default.s2fm build-train/face_decoder_d4.pt
"""
import argparse
import json
import os
import sys

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from decoder_bound import ROOT, cache_path, container_for, face_path, split  # noqa: E402,F401


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="+", help="containers (.s2fm) or decoder checkpoints (.pt)")
    parser.add_argument("--out", required=True)
    parser.add_argument("--count", type=int, default=16, help="the first N validation clips")
    parser.add_argument("--tile", type=int, default=112)
    args = parser.parse_args()
    import speech2face as s2f

    ids = json.load(open(cache_path("ids.json")))
    clips = split(ids)[1][:args.count]
    truth = np.load(cache_path("descriptors_Face_ori.npy"))[[ids.index(c) for c in clips]]
    columns = [[Image.open(face_path(kind, c)).convert("RGB") for c in clips]
               for kind in ("Face_ori", "Face_f2f")]
    for path in args.models:
        container, _keep = container_for(path)
        with s2f.Model(container) as model:
            decoder = s2f.FaceDecoder(model)
            columns.append([Image.fromarray(decoder.decode_u8(d)[0]) for d in truth])
    tile = args.tile
    sheet = Image.new("RGB", (len(columns) * tile, len(clips) * tile), "white")
    for col, images in enumerate(columns):
        for row, image in enumerate(images):
            sheet.paste(image.resize((tile, tile), Image.LANCZOS), (col * tile, row * tile))
    sheet.save(args.out)
    print(f"wrote {args.out}: columns true face, Face_f2f, " + ", ".join(os.path.basename(m) for m in args.models))


if __name__ == "__main__":
    main()
