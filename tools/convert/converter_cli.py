"""The command line every converter of a PyTorch reference module shares:
    converter.py STATE_DICT.pt CONFIG.json OUT.s2fm [--provenance TEXT]
CONFIG.json holds the module's config dataclass fields (missing ones take their defaults)."""
import argparse
import json

import torch

from reference import s2f_model


def convert_main(description, config_class, model_class, parts):
    """Runs the converter: builds model_class(config_class(**CONFIG.json)), loads the state_dict
    and writes `parts(model)` (metadata, tensors) as a one-component container."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("state_dict")
    parser.add_argument("config")
    parser.add_argument("output")
    parser.add_argument("--provenance", default="converted from a PyTorch state_dict")
    args = parser.parse_args()
    with open(args.config) as f:
        config = config_class(**json.load(f))
    model = model_class(config)
    model.load_state_dict(torch.load(args.state_dict, map_location="cpu"))
    metadata, tensors = parts(model)
    metadata["general.architecture"] = "speech2face"
    metadata["general.provenance"] = args.provenance
    s2f_model.write_model(args.output, metadata, tensors)
