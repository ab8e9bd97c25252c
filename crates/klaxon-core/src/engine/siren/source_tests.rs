//! The escalation checked exactly, with no device: samples rendered in memory (and once through
//! `rodio::wav_to_file`, as a recording would see them).

use super::*;
use crate::config::AlarmConfig;
use crate::engine::siren::plan::Stage;

fn plan() -> Plan {
    Plan::from_config(&AlarmConfig::default())
}

/// RMS loudness of each `window` of a mono rendering of `seconds` of the siren.
fn loudness(voice: Voice, offset: Duration, seconds: f64, window: f64, speed: f64) -> Vec<f32> {
    let source = SirenSource::new(plan(), voice, offset, speed);
    let frames = (seconds * SAMPLE_RATE as f64) as usize;
    let per = (window * SAMPLE_RATE as f64) as usize;
    let left: Vec<f32> = source.take(frames * 2).step_by(2).collect();
    left.chunks(per)
        .map(|c| (c.iter().map(|s| s * s).sum::<f32>() / c.len() as f32).sqrt())
        .collect()
}

#[test]
fn sound_starts_quiet_for_the_lead_in_then_is_loud_at_once() {
    let rms = loudness(Voice::Klaxon, Duration::ZERO, 0.6, 0.1, 1.0);
    assert!(rms[0] > 0.01, "the lead-in is not silent: {rms:?}");
    assert!(rms[4] > rms[0] * 3.0, "loud after the lead-in: {rms:?}");
}

#[test]
fn loudness_rises_over_the_first_45_seconds() {
    let early = loudness(Voice::Siren, Duration::from_secs(1), 2.0, 2.0, 1.0)[0];
    let late = loudness(Voice::Siren, Duration::from_secs(50), 2.0, 2.0, 1.0)[0];
    assert!(late > early * 1.5, "{early} -> {late}");
}

#[test]
fn there_is_never_more_than_two_seconds_of_silence() {
    for voice in [Voice::Klaxon, Voice::Siren] {
        for offset in [0, 30, 119, 121, 3600] {
            let rms = loudness(voice.clone(), Duration::from_secs(offset), 6.0, 0.1, 1.0);
            let longest_quiet = rms
                .split(|r| *r > 0.01)
                .map(|run| run.len())
                .max()
                .unwrap_or(0);
            assert!(
                longest_quiet < 20,
                "{longest_quiet} quiet windows of 0.1 s at {offset} s"
            );
        }
    }
}

/// Per 50 ms window of 2 s of plan from `offset`: (is it quiet, zero crossings = pitch).
fn windows(voice: Voice, offset: u64) -> Vec<(bool, usize)> {
    let source = SirenSource::new(plan(), voice, Duration::from_secs(offset), 1.0);
    let left: Vec<f32> = source
        .skip(SAMPLE_RATE as usize)
        .take(SAMPLE_RATE as usize * 4)
        .step_by(2)
        .collect();
    left.chunks(SAMPLE_RATE as usize / 20)
        .map(|c| {
            let rms = (c.iter().map(|s| s * s).sum::<f32>() / c.len() as f32).sqrt();
            (
                rms < 0.01,
                c.windows(2)
                    .filter(|w| (w[0] > 0.0) != (w[1] > 0.0))
                    .count(),
            )
        })
        .collect()
}

#[test]
fn the_three_patterns_are_distinct() {
    assert_eq!(plan().at(Duration::from_secs(130)).stage, Stage::Harsh);
    // The klaxon pulses: some windows are gaps.
    let klaxon = windows(Voice::Klaxon, 10);
    assert!(klaxon.iter().filter(|w| w.0).count() >= 6, "{klaxon:?}");
    // The siren never pauses and sweeps: its pitch spans more than an octave.
    let siren = windows(Voice::Siren, 10);
    assert!(siren.iter().all(|w| !w.0));
    let (low, high) = (
        siren.iter().map(|w| w.1).min().unwrap(),
        siren.iter().map(|w| w.1).max().unwrap(),
    );
    assert!(high as f64 > low as f64 * 1.8, "siren pitch {low}..{high}");
    // The harsh pattern never pauses and jumps between exactly two pitches (950 and 700 Hz).
    let harsh = windows(Voice::Siren, 130);
    assert!(harsh.iter().all(|w| !w.0));
    let mut pitches: Vec<usize> = harsh.iter().map(|w| w.1 / 10).collect();
    pitches.sort();
    pitches.dedup();
    assert_eq!(pitches, [6, 9], "{harsh:?}");
}

#[test]
fn the_escalation_survives_a_render_to_a_wav_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("siren.wav");
    let source = SirenSource::new(plan(), Voice::Klaxon, Duration::ZERO, 20.0)
        .take_duration(Duration::from_secs(8));
    rodio::wav_to_file(source, &path).unwrap();
    let decoded: Vec<f32> = rodio::Decoder::try_from(std::fs::File::open(&path).unwrap())
        .unwrap()
        .step_by(2)
        .collect();
    let second = |i: usize| {
        let c = &decoded[i * SAMPLE_RATE as usize..(i + 1) * SAMPLE_RATE as usize];
        (c.iter().map(|s| s * s).sum::<f32>() / c.len() as f32).sqrt()
    };
    // At 20x, 8 s of rendering cover 160 s of plan: rising, full, harsh.
    assert!(second(3) > second(0), "{} -> {}", second(0), second(3));
    assert!(second(7) > 0.3, "full volume at the end: {}", second(7));
}

#[test]
fn a_sound_file_is_decoded_and_looped() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("beep.wav");
    let tone = rodio::source::SineWave::new(880.0).take_duration(Duration::from_millis(300));
    rodio::wav_to_file(tone, &path).unwrap();
    let samples = crate::engine::siren::sounds::load_file(&path).unwrap();
    assert!(
        (samples.len() as i64 - (SAMPLE_RATE as i64 * 3 / 10)).abs() < 500,
        "{}",
        samples.len()
    );
    let rms = loudness(Voice::File(samples), Duration::from_secs(60), 2.0, 0.5, 1.0);
    assert!(rms.iter().all(|r| *r > 0.3), "{rms:?}");
}

#[test]
fn an_undecodable_sound_file_is_refused_with_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.mp3");
    std::fs::write(&path, b"this is not audio").unwrap();
    let err = crate::engine::siren::sounds::load_file(&path).unwrap_err();
    assert!(err.contains("broken.mp3"), "{err}");
    let err = crate::engine::siren::sounds::load_file(&dir.path().join("missing.ogg")).unwrap_err();
    assert!(err.contains("cannot read the sound file"), "{err}");
}
