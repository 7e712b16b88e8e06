// Speaks stdin in Vietnamese with the npm WebAssembly build of espeak-ng: node speak-wasm.mjs OUT.wav WPM
import { readFileSync, writeFileSync } from 'node:fs';
import ESpeakNg from 'espeak-ng';

const [file, wpm = '150'] = process.argv.slice(2);
const text = readFileSync(0, 'utf8');
const engine = await ESpeakNg({
  arguments: ['-v', 'vi', '-s', wpm, '-w', '/speech.wav', '-f', '/text.txt'],
  preRun: [(m) => m.FS.writeFile('/text.txt', text)],
});
writeFileSync(file, engine.FS.readFile('/speech.wav'));
