//! Face feature of raw PCM, for the cross-language test (tests/cli/cross_language.py):
//!     embed_raw MODEL.s2fm PCM.f32 SAMPLE_RATE OUT.f32
//! PCM.f32 holds mono little-endian float32 samples; OUT.f32 receives the feature the same way.
use std::process::exit;

fn read_f32(path: &str) -> std::io::Result<Vec<f32>> {
    let bytes = std::fs::read(path)?;
    Ok(bytes.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 5 {
        eprintln!("usage: embed_raw MODEL.s2fm PCM.f32 SAMPLE_RATE OUT.f32");
        exit(2);
    }
    let rate: f64 = args[3].parse().unwrap_or_else(|_| { eprintln!("bad rate {}", args[3]); exit(2) });
    let pcm = read_f32(&args[2]).unwrap_or_else(|e| { eprintln!("{}: {}", args[2], e); exit(3) });
    let run = || -> speech2face::Result<Vec<f32>> {
        let model = speech2face::Model::load(&args[1])?;
        let mut encoder = speech2face::VoiceEncoder::new(&model)?;
        encoder.encode_pcm(&pcm, rate)
    };
    match run() {
        Ok(feature) => {
            let bytes: Vec<u8> = feature.iter().flat_map(|v| v.to_le_bytes()).collect();
            if let Err(e) = std::fs::write(&args[4], bytes) {
                eprintln!("{}: {}", args[4], e);
                exit(1);
            }
        }
        Err(error) => {
            eprintln!("embed_raw: {}", error);
            exit(1);
        }
    }
}
