/**
 * What reading a CAP 1.2 alert costs, against the baseline of JSON.parse of the same content: a typical
 * alert (about 2 KB), one at the 256 KB limit, and the refusal of a "billion laughs" document (which a
 * parser that expands entities would blow up to about 3 GB); then the same alerts signed (XML-DSig,
 * RSA-2048 with SHA-256), verified by xml-crypto, against reading them unsigned in the same run.
 * `npm run bench:cap`.
 */
import { createCapSignatureVerifier } from '../src/crypto/cap-signature.js';
import { parseCapAlert } from '../src/domain/cap/alert.js';
import { capXml } from '../test/support/cap-fixtures.js';
import { makeSigner, signCap } from '../test/support/cap-signing.js';

function time(run: () => unknown, rounds: number): number {
  for (let i = 0; i < Math.min(50, rounds); i++) run();
  const started = performance.now();
  for (let i = 0; i < rounds; i++) run();
  return (performance.now() - started) / rounds;
}

const typical = capXml({ identifier: 'BENCH-1' });
const large = capXml({ identifier: 'BENCH-2', description: 'Mưa lớn kéo dài. '.repeat(11_500) });
const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">${Array.from(
  { length: 9 },
  (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`,
).join('')}]><alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>&lol9;</identifier></alert>`;
const asJson = (xml: string) => {
  const parsed = parseCapAlert(xml);
  if (!parsed.ok) throw new Error(parsed.problem.message);
  return JSON.stringify(parsed.alert);
};

const rows: [string, number, number, number][] = [];
for (const [name, xml, rounds] of [
  ['typical alert', typical, 2000],
  ['alert at the 256 KB limit', large, 20],
] as const) {
  const json = asJson(xml);
  const base = time(() => JSON.parse(json), rounds);
  const cap = time(() => parseCapAlert(xml), rounds);
  rows.push([name, new TextEncoder().encode(xml).byteLength, base, cap]);
}
const refused = time(() => parseCapAlert(laughs), 2000);
if (parseCapAlert(large).ok !== true) throw new Error('the large alert should be read');

console.log(`Node ${process.version}, ${new Date().toISOString()}`);
console.log('| document | bytes | JSON.parse of the same content (ms) | parseCapAlert (ms) | × JSON.parse |');
console.log('|---|---:|---:|---:|---:|');
for (const [name, bytes, base, cap] of rows)
  console.log(
    `| ${name} | ${bytes.toLocaleString('en')} | ${base.toFixed(3)} | ${cap.toFixed(3)} | ${(cap / base).toFixed(1)} |`,
  );
console.log(
  `| "billion laughs" (refused before parsing) | ${laughs.length} | – | ${refused.toFixed(4)} | ${(refused / rows[0]![2]).toFixed(1)} × the typical JSON.parse |`,
);

const signer = await makeSigner('Đài Khí tượng Thủy văn (bench)');
const verifier = createCapSignatureVerifier([signer.cert]);
const now = new Date('2026-11-27T01:00:00Z');
console.log('');
console.log(
  '| document | bytes signed | parseCapAlert unsigned (ms) | signed, verified and read (ms) | × unsigned |',
);
console.log('|---|---:|---:|---:|---:|');
for (const [name, xml, rounds] of [
  ['typical alert', typical, 500],
  ['alert at the 256 KB limit', large.replace('Mưa lớn kéo dài. '.repeat(400), ''), 10],
] as const) {
  const signed = signCap(xml, signer);
  const read = parseCapAlert(signed, { verifier, now });
  if (!read.ok) throw new Error(read.problem.message);
  const base = time(() => parseCapAlert(xml), rounds);
  const verified = time(() => parseCapAlert(signed, { verifier, now }), rounds);
  console.log(
    `| ${name} | ${new TextEncoder().encode(signed).byteLength.toLocaleString('en')} | ${base.toFixed(3)} | ${verified.toFixed(3)} | ${(verified / base).toFixed(1)} |`,
  );
}
