/**
 * Shrinking a long WAV to Opus in the browser with its own encoder (WebCodecs `AudioEncoder`, native
 * libopus) and Mediabunny's Ogg muxer, so that no WebAssembly is loaded for it; bundled into
 * `browser-audio.js`. Shrinking is only done when an estimate says it saves time: the first seconds are
 * encoded and timed, and the rest of the encoding plus the small upload is weighed against sending the
 * WAV as it is at the link's rate.
 */
import { BufferTarget, EncodedAudioPacketSource, EncodedPacket, OggOutputFormat, Output } from 'mediabunny';

/** Bit rate of the shrunk file: speech stays clear for the server's levelling at a tenth of a WAV's size. */
export const SHRINK_OPUS_KBPS = 48;
const RATE = 48_000;
/** Audio encoded before deciding: long enough for a steady speed, short against a long recording. */
const PROBE_S = 8;
const CHUNK_FRAMES = RATE / 2;
/** Ogg pages and Opus framing over the bit rate, measured on speech. */
const CONTAINER_OVERHEAD = 1.03;

// WebCodecs and Web Audio as far as they are used here (the kernel's TypeScript has no DOM library).
interface AudioBufferLike {
  readonly numberOfChannels: number;
  readonly length: number;
  readonly duration: number;
  getChannelData(channel: number): Float32Array;
}
interface AudioDataLike {
  close(): void;
}
interface EncoderConfig {
  readonly codec: 'opus';
  readonly sampleRate: number;
  readonly numberOfChannels: number;
  readonly bitrate: number;
}
interface AudioEncoderLike {
  readonly encodeQueueSize: number;
  configure(config: EncoderConfig): void;
  encode(data: AudioDataLike): void;
  flush(): Promise<void>;
  close(): void;
}
interface Chunk {
  readonly timestamp: number;
  readonly duration: number | null;
}
interface WebAudio {
  AudioEncoder?: {
    new (init: {
      output: (chunk: Chunk, meta?: unknown) => void;
      error: (e: Error) => void;
    }): AudioEncoderLike;
    isConfigSupported(config: EncoderConfig): Promise<{ supported?: boolean }>;
  };
  AudioData?: new (init: {
    format: 'f32-planar';
    sampleRate: number;
    numberOfFrames: number;
    numberOfChannels: number;
    timestamp: number;
    data: Float32Array;
  }) => AudioDataLike;
  OfflineAudioContext?: new (
    channels: number,
    length: number,
    sampleRate: number,
  ) => {
    decodeAudioData(data: ArrayBuffer): Promise<AudioBufferLike>;
  };
  navigator?: { connection?: { downlink?: number; saveData?: boolean; effectiveType?: string } };
}
const web = () => globalThis as unknown as WebAudio;

const config: EncoderConfig = {
  codec: 'opus',
  sampleRate: RATE,
  numberOfChannels: 1,
  bitrate: SHRINK_OPUS_KBPS * 1000,
};

/** Whether this browser has what the shrinking needs: WebCodecs' Opus encoder and Web Audio's decoder. */
export async function canShrink(): Promise<boolean> {
  const w = web();
  if (!w.AudioEncoder || !w.AudioData || !w.OfflineAudioContext) return false;
  return (
    (await w.AudioEncoder.isConfigSupported(config).catch(() => ({ supported: false }))).supported === true
  );
}

/**
 * Whether shrinking a file before upload may save time: an uncompressed WAV over 2 MB (about 12 s of a
 * phone's 44.1 kHz 16-bit mono). Compressed formats are already small.
 */
export function worthShrinking(file: Blob, name: string): boolean {
  const wav = /wav/i.test(file.type) || /\.wav$/i.test(name);
  return wav && file.size > 2 * 1024 * 1024;
}

/**
 * The upload rate to plan with, in bit/s: the one measured on this page's last upload, else the Network
 * Information API's estimate (of the downlink: an uplink is seldom faster), else a 3G phone's 1 Mbit/s.
 */
export function linkBitsPerSecond(measured?: number): number {
  if (measured && measured > 0) return measured;
  const downlink = web().navigator?.connection?.downlink;
  return downlink && downlink > 0 ? downlink * 1e6 : 1e6;
}

/** The link says to send as little as possible: data saver on, or a 2G connection. */
export function linkIsPoor(): boolean {
  const c = web().navigator?.connection;
  return !!c && (c.saveData === true || c.effectiveType === 'slow-2g' || c.effectiveType === '2g');
}

/** What the shrinking made, or why it sent nothing. */
export type Shrunk =
  | { readonly kind: 'shrunk'; readonly blob: Blob; readonly encodeS: number }
  | { readonly kind: 'not_worth'; readonly estimateS: number; readonly asIsS: number };

/** One mono track at 48 kHz: Web Audio decodes and resamples natively, channels are averaged. */
async function decodeMono(file: Blob): Promise<Float32Array> {
  const Context = web().OfflineAudioContext!;
  const buffer = await new Context(1, 1, RATE).decodeAudioData(await file.arrayBuffer());
  if (buffer.numberOfChannels === 1) return buffer.getChannelData(0);
  const mono = new Float32Array(buffer.length);
  for (let c = 0; c < buffer.numberOfChannels; c++) {
    const data = buffer.getChannelData(c);
    for (let i = 0; i < mono.length; i++) mono[i]! += data[i]! / buffer.numberOfChannels;
  }
  return mono;
}

/**
 * A recording as mono Ogg/Opus at 48 kbit/s, made by the browser's encoder, when that saves time at
 * `bitsPerSecond` (see `linkBitsPerSecond`); the server levels it as any upload.
 */
export async function shrinkToOpus(
  file: Blob,
  bitsPerSecond: number,
  progress: (fraction: number) => void = () => undefined,
): Promise<Shrunk> {
  const started = performance.now();
  const w = web();
  const samples = await decodeMono(file);
  const durationS = samples.length / RATE;
  const output = new Output({ format: new OggOutputFormat(), target: new BufferTarget() });
  const track = new EncodedAudioPacketSource('opus');
  output.addAudioTrack(track);
  await output.start();

  let written = Promise.resolve();
  let encodedUs = 0;
  let failure: Error | undefined;
  let onEncoded: (() => void) | undefined;
  const encoder = new w.AudioEncoder!({
    output: (chunk, meta) => {
      encodedUs = Math.max(encodedUs, chunk.timestamp + (chunk.duration ?? 0));
      const packet = EncodedPacket.fromEncodedChunk(chunk as never);
      written = written.then(() => track.add(packet, meta as never));
      onEncoded?.();
    },
    error: (e) => (failure = e),
  });
  encoder.configure(config);
  const encodedTo = (us: number) =>
    new Promise<void>((resolve) => {
      onEncoded = () => {
        if (encodedUs >= us || failure) resolve();
      };
      onEncoded();
    });

  const encodeStarted = performance.now();
  try {
    let decided = false;
    for (let at = 0; at < samples.length; at += CHUNK_FRAMES) {
      const frames = samples.subarray(at, Math.min(samples.length, at + CHUNK_FRAMES));
      const data = new w.AudioData!({
        format: 'f32-planar',
        sampleRate: RATE,
        numberOfFrames: frames.length,
        numberOfChannels: 1,
        timestamp: Math.round((at / RATE) * 1e6),
        data: frames,
      });
      encoder.encode(data);
      data.close();
      if (failure) throw failure;
      const doneS = (at + frames.length) / RATE;
      progress(doneS / durationS);
      // The encoder keeps a few frames back (look-ahead); the probe is timed to what came out.
      if (!decided && doneS >= PROBE_S && durationS > PROBE_S * 2) {
        decided = true;
        await encodedTo((doneS - 0.1) * 1e6);
        const speed = doneS / ((performance.now() - encodeStarted) / 1000);
        const rest = (durationS - doneS) / speed;
        const opusBytes = ((SHRINK_OPUS_KBPS * 1000) / 8) * durationS * CONTAINER_OVERHEAD;
        const estimateS = rest + (opusBytes * 8) / bitsPerSecond;
        const asIsS = (file.size * 8) / bitsPerSecond;
        if (estimateS >= asIsS) return { kind: 'not_worth', estimateS, asIsS };
      }
      if (encoder.encodeQueueSize > 8) await encodedTo(((at - 4 * CHUNK_FRAMES) / RATE) * 1e6);
    }
    await encoder.flush();
    if (failure) throw failure;
    await written;
    track.close();
    await output.finalize();
    const bytes = (output.target as BufferTarget).buffer!;
    return {
      kind: 'shrunk',
      blob: new Blob([bytes], { type: 'audio/ogg' }),
      encodeS: (performance.now() - started) / 1000,
    };
  } finally {
    if ((encoder as { state?: string }).state !== 'closed') encoder.close();
    if (output.state !== 'finalized') await output.cancel().catch(() => undefined);
  }
}
