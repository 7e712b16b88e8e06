// A stand-in for ffplay in tests: records what it was asked to play, one JSON line per event, and exits.
// Streams (http URLs) and files named in `<record>.hold` keep "playing" until stopped, like real audio.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';

const [record, target, volume] = process.argv.slice(2);
const note = (event) =>
  appendFileSync(record, `${JSON.stringify({ event, target, ...(volume && { volume: Number(volume) }) })}\n`);
const hold = existsSync(`${record}.hold`) ? readFileSync(`${record}.hold`, 'utf8').trim() : '';

note('play');
if (target.startsWith('http') || (hold && target.includes(hold))) {
  process.on('SIGTERM', () => {
    note('stop');
    process.exit(143);
  });
  setInterval(() => {}, 1 << 30);
}
