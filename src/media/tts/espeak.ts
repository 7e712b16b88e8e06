import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { normaliseVi } from '../text/normalise-vi.js';
import { isTtsVoice, type TtsEngine, type TtsVoice } from '../../domain/ports/tts.js';
import { buildWav, parseWav, splitForSynthesis, type Wav } from './wav.js';

/** Slower than espeak-ng's 175 words a minute: a horn speaker's echo blurs fast speech. */
const WORDS_PER_MINUTE = 150;

export interface EspeakOptions {
  /** Use the npm WebAssembly build even when a system binary exists. */
  readonly preferWasm?: boolean;
  /** Defaults to the process's PATH. */
  readonly path?: string;
  readonly wordsPerMinute?: number;
}

async function findBinary(pathVar: string): Promise<string | undefined> {
  for (const dir of pathVar.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'espeak-ng');
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

/** The system binary: text on stdin (any length, no option injection), WAV on stdout. */
function speakWithBinary(binary: string, text: string, voice: TtsVoice, wpm: number): Promise<Wav> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, ['-b', '1', '-v', voice, '-s', String(wpm), '--stdout'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`espeak-ng exited with code ${code ?? 'killed'}: ${err.trim()}`));
      else resolve(parseWav(new Uint8Array(Buffer.concat(out))));
    });
    child.stdin.end(text, 'utf8');
  });
}

/** The WebAssembly build from npm: a fresh instance per piece (its heap is fixed at 32 MB). */
async function speakWithWasm(text: string, voice: TtsVoice, wpm: number): Promise<Wav> {
  const { default: ESpeakNg } = await import('espeak-ng');
  const module = await ESpeakNg({
    arguments: ['-b', '1', '-v', voice, '-s', String(wpm), '-w', '/speech.wav', '-f', '/text.txt'],
    preRun: [(m) => m.FS.writeFile('/text.txt', text)],
  });
  return parseWav(module.FS.readFile('/speech.wav'));
}

/**
 * espeak-ng speaking Vietnamese: the system binary when there is one on PATH, else the npm
 * WebAssembly build, so that `npm install` alone gives a voice. The engine normalises the text
 * for speech itself; long texts (5,000 characters and more) are spoken in pieces and joined.
 *
 * @example
 * const wav = await createEspeakEngine().synthesize('UBND xã thông báo: họp lúc 7h30.', { voice: 'vi' });
 */
export function createEspeakEngine(options: EspeakOptions = {}): TtsEngine {
  const wpm = options.wordsPerMinute ?? WORDS_PER_MINUTE;
  const binary = options.preferWasm
    ? Promise.resolve(undefined)
    : findBinary(options.path ?? process.env.PATH ?? '');
  return {
    name: 'espeak-ng',
    async synthesize(text, { voice }) {
      if (!isTtsVoice(voice)) throw new Error(`unknown voice: ${String(voice)}`);
      // espeak-ng stops reading at a NUL: the rest of a directive would be dropped without a word.
      // eslint-disable-next-line no-control-regex
      const speakable = text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, ' ');
      const pieces = splitForSynthesis(normaliseVi(speakable));
      if (pieces.length === 0) throw new Error('nothing to say: the text is empty');
      const found = await binary;
      const wavs: Wav[] = [];
      for (const piece of pieces) {
        wavs.push(
          found ? await speakWithBinary(found, piece, voice, wpm) : await speakWithWasm(piece, voice, wpm),
        );
      }
      const first = wavs[0] as Wav;
      return buildWav(
        first.format,
        wavs.map((w) => w.data),
      );
    },
  };
}
