import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { access, constants } from 'node:fs/promises';
import { normaliseVi } from '../text/normalise-vi.js';
import { ttsVoices, type TtsEngine } from './engine.js';

const wordsPerMinute = '150';

async function systemEspeak(): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
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

function voiceOf(voice: string): string {
  return (ttsVoices as readonly string[]).includes(voice) ? voice : 'vi';
}

/** The Debian binary: fast, reads the text from a file so any length and any character is safe. */
async function speakWithBinary(binary: string, text: string, voice: string): Promise<Uint8Array> {
  const dir = await mkdtemp(join(tmpdir(), 'loa-tts-'));
  try {
    const input = join(dir, 'text.txt');
    const output = join(dir, 'speech.wav');
    await writeFile(input, text, 'utf8');
    await new Promise<void>((resolve, reject) =>
      execFile(binary, ['-v', voiceOf(voice), '-s', wordsPerMinute, '-w', output, '-f', input], { timeout: 120_000 }, (error) =>
        error ? reject(error) : resolve(),
      ),
    );
    return new Uint8Array(await readFile(output));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The WebAssembly build from npm: slower to start, but there after `npm install` alone. */
async function speakWithWasm(text: string, voice: string): Promise<Uint8Array> {
  const { default: ESpeakNg } = await import('espeak-ng');
  const module = await ESpeakNg({
    arguments: ['-v', voiceOf(voice), '-s', wordsPerMinute, '-w', '/speech.wav', '-f', '/text.txt'],
    preRun: [(m) => m.FS.writeFile('/text.txt', text)],
  });
  return module.FS.readFile('/speech.wav');
}

/**
 * espeak-ng speaking Vietnamese: the system binary when there is one, else the npm WebAssembly build.
 * Text is normalised for speech first (dates, numbers, units, abbreviations become words).
 */
export function createEspeakEngine(options: { readonly preferWasm?: boolean } = {}): TtsEngine {
  const binary = options.preferWasm ? Promise.resolve(undefined) : systemEspeak();
  return {
    name: 'espeak-ng',
    async synthesize(text, { voice }) {
      const spoken = normaliseVi(text);
      const found = await binary;
      return found ? speakWithBinary(found, spoken, voice) : speakWithWasm(spoken, voice);
    },
  };
}
