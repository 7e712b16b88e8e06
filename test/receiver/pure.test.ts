import { describe, expect, it } from 'vitest';
import type { ManifestItem } from '../../src/domain/receiver/protocol.js';
import { toCsv } from '../../src/http/csv.js';
import { backoffMs, MAX_RETRY_HINT_MS, reconnectMs } from '../../src/receiver/backoff.js';
import { commandArgs } from '../../src/receiver/command-player.node.js';
import { createCorrectedClock } from '../../src/receiver/corrected-clock.js';
import { itemKey, planNext, preempts } from '../../src/receiver/planner.js';
import { foreignAudio } from '../../src/receiver/readable-items.js';
import { readSse, type SseEvent } from '../../src/receiver/sse-parser.js';

const item = (over: Partial<ManifestItem>): ManifestItem => ({
  occurrenceId: 'o',
  part: 0,
  at: '2026-11-27T02:00:00.000Z',
  durationMs: 60_000,
  priority: 'normal',
  kind: 'audio',
  title: 't',
  language: 'vi',
  audio: { url: '/media/x.mp3', sha256: 'a'.repeat(64), bytes: 1, format: 'mp3' },
  relay: null,
  ...over,
});
const t = (hhmmss: string) => Date.parse(`2026-11-27T${hhmmss}.000Z`);
const TOLERANCE = 10 * 60_000;

describe('planNext', () => {
  const items = [
    item({ occurrenceId: 'a', at: '2026-11-27T02:00:00.000Z' }),
    item({ occurrenceId: 'b', at: '2026-11-27T03:00:00.000Z' }),
  ];

  it('waits for the next item, plays it when due, and skips nothing handled', () => {
    expect(planNext(items, () => false, t('01:00:00'), TOLERANCE)).toEqual({
      skip: [],
      next: { kind: 'wait', until: t('02:00:00'), item: items[0] },
      wakeAt: t('02:00:00'),
    });
    // One plays now; the next comes due at 03:00 whatever plays meanwhile.
    expect(planNext(items, () => false, t('02:00:00'), TOLERANCE)).toEqual({
      skip: [],
      next: { kind: 'play', item: items[0] },
      wakeAt: t('03:00:00'),
    });
    expect(planNext(items, (k) => k === 'a#0', t('02:00:00'), TOLERANCE).next).toMatchObject({
      kind: 'wait',
      until: t('03:00:00'),
    });
    expect(planNext(items, () => true, t('02:00:00'), TOLERANCE).next).toEqual({ kind: 'idle' });
  });

  it('plays up to the tolerance late, then skips', () => {
    expect(planNext(items, () => false, t('02:09:59'), TOLERANCE).next).toMatchObject({
      kind: 'play',
      item: items[0],
    });
    const late = planNext(items, () => false, t('02:10:01'), TOLERANCE);
    expect(late.skip).toEqual([items[0]]);
    expect(late.next).toMatchObject({ kind: 'wait', until: t('03:00:00') });
  });

  it('joins a relay in progress until its end, and puts due emergencies first', () => {
    const relay = item({
      occurrenceId: 'r',
      kind: 'relay',
      durationMs: 3_600_000,
      audio: null,
      relay: { url: 'https://r.vn' },
    });
    expect(planNext([relay], () => false, t('02:50:00'), TOLERANCE).next).toEqual({
      kind: 'play',
      item: relay,
    });
    expect(planNext([relay], () => false, t('03:00:00'), TOLERANCE).skip).toEqual([relay]);
    const emergency = item({ occurrenceId: 'e', priority: 'emergency', at: '2026-11-27T02:00:30.000Z' });
    expect(planNext([items[0]!, emergency], () => false, t('02:01:00'), TOLERANCE).next).toEqual({
      kind: 'play',
      item: emergency,
    });
  });

  it('lets only an emergency preempt, and never another emergency', () => {
    const emergency = item({ priority: 'emergency' });
    expect(preempts(emergency, item({ priority: 'priority' }))).toBe(true);
    expect(preempts(item({ priority: 'priority' }), item({}))).toBe(false);
    expect(preempts(emergency, emergency)).toBe(false);
    expect(itemKey(item({ occurrenceId: 'x', part: 2 }))).toBe('x#2');
  });
});

describe('backoffMs', () => {
  it('grows exponentially to a ceiling, with jitter under it', () => {
    expect(backoffMs(0, () => 1)).toBe(1000);
    expect(backoffMs(3, () => 1)).toBe(8000);
    expect(backoffMs(3, () => 0.25)).toBe(2000);
    expect(backoffMs(50, () => 1)).toBe(300_000);
    expect(backoffMs(50, () => 0)).toBe(500);
  });
});

describe('reconnectMs', () => {
  it('follows the server’s hint, comes back within 0.5–3 s after a drop, backs off after failures', () => {
    expect(reconnectMs({ kind: 'hinted', retryMs: 2250 }, () => 0.9)).toBe(2250);
    expect(reconnectMs({ kind: 'hinted', retryMs: 86_400_000 }, () => 0.9)).toBe(MAX_RETRY_HINT_MS);
    expect(reconnectMs({ kind: 'dropped' }, () => 0)).toBe(500);
    expect(reconnectMs({ kind: 'dropped' }, () => 0.2)).toBe(1000);
    expect(reconnectMs({ kind: 'dropped' }, () => 1)).toBe(3000);
    expect(reconnectMs({ kind: 'failed', attempt: 3 }, () => 1)).toBe(8000);
    expect(reconnectMs({ kind: 'failed', attempt: 50 }, () => 1)).toBe(60_000);
  });
});

describe('corrected clock', () => {
  it('takes the offset from the answer with the shortest round trip', () => {
    let local = 1_000_000;
    const clock = createCorrectedClock({ now: () => local });
    // Server 7 min ahead; a slow answer (4 s round trip) is less trustworthy than a quick one.
    clock.observe(new Date(1_000_000 + 420_000 + 3_000).toISOString(), 999_000, 1_003_000);
    clock.observe(new Date(1_000_000 + 420_000).toISOString(), 999_990, 1_000_010);
    expect(clock.offsetMs()).toBe(420_000);
    local += 1000;
    expect(clock.now()).toBe(1_001_000 + 420_000);
    clock.observe('not a time', 0, 0);
    expect(clock.offsetMs()).toBe(420_000);
  });

  it('follows a step of the box clock at once, though older samples had quicker round trips', () => {
    let local = 1_000_000;
    const clock = createCorrectedClock({ now: () => local });
    clock.observe(new Date(local + 21_600_000).toISOString(), local - 10, local + 10);
    expect(clock.offsetMs()).toBe(21_600_000);
    // NTP sets the box's clock six hours forward; the next answer comes slower than the first.
    local += 21_600_000 + 60_000;
    const server = local + 60;
    clock.observe(new Date(server).toISOString(), local - 200, local + 200);
    expect(clock.offsetMs()).toBe(60);
    expect(clock.now()).toBe(local + 60);
    // An answer timed across a step backwards (received "before" it was sent) is not learnt from.
    clock.observe(new Date(server).toISOString(), local + 5_000, local);
    expect(clock.offsetMs()).toBe(60);
  });
});

describe('corrected clock with the box’s monotonic clock', () => {
  it('keeps server time through a step of the box clock taken before the next answer', () => {
    // A box without a battery boots hours behind; the server's answer says so before NTP sets the clock.
    let local = 1_000_000;
    let elapsed = 0;
    const clock = createCorrectedClock({ now: () => local, monotonic: () => elapsed });
    const server = local + 21_600_000;
    clock.observe(new Date(server).toISOString(), local - 10, local + 10);
    expect(clock.now()).toBe(server);
    // NTP sets the clock six hours forward a second later; no answer has come since.
    local += 21_600_000 + 1000;
    elapsed += 1000;
    expect(clock.now()).toBe(server + 1000);
    expect(clock.offsetMs()).toBe(0);
    // The next answer agrees with what the box already knows.
    local += 60_000;
    elapsed += 60_000;
    clock.observe(new Date(server + 61_000).toISOString(), local - 200, local + 200);
    expect(clock.now()).toBe(server + 61_000);
    expect(clock.offsetMs()).toBe(0);
  });

  it('starts from the offset it was given and follows the box clock until an answer comes', () => {
    let local = 1_000_000;
    let elapsed = 0;
    const clock = createCorrectedClock({ now: () => local, monotonic: () => elapsed }, 420_000);
    local += 5000;
    elapsed += 5000;
    expect(clock.now()).toBe(local + 420_000);
    // NTP sets the clock of a box that has not heard from the server yet: the offset of its last run was
    // learnt against a clock set right, which this step brings back.
    local += 21_600_000;
    elapsed += 1000;
    expect(clock.now()).toBe(local + 420_000);
    expect(clock.offsetMs()).toBe(420_000);
  });
});

describe('readSse', () => {
  it('reassembles events split anywhere, skips comments, joins multi-line data', async () => {
    const utf8 = new TextEncoder();
    const title = utf8.encode('data: Ún Tà\n\n');
    // The last two chunks split "Ú" between its two UTF-8 bytes.
    const chunks = [
      utf8.encode('retry: 1000\n\n: ping\n\nevent: sch'),
      utf8.encode('edule\r\ndata: {"version":'),
      utf8.encode('3}\r\n\r\ndata: a\ndata: b\n'),
      utf8.encode('\n'),
      title.subarray(0, 7),
      title.subarray(7),
    ];
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(chunk);
        controller.close();
      },
    });
    const events: SseEvent[] = [];
    let reads = 0;
    await readSse(
      body,
      (e) => events.push(e),
      () => reads++,
    );
    expect(events).toEqual([
      { event: 'schedule', data: '{"version":3}' },
      { event: 'message', data: 'a\nb' },
      { event: 'message', data: 'Ún Tà' },
    ]);
    expect(reads).toBe(chunks.length);
  });

  it('returns the `retry:` hint the stream ended on, not the one sent before its events', async () => {
    const read = async (text: string) => {
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(text));
          controller.close();
        },
      });
      return readSse(body, () => {});
    };
    const opening = 'retry: 10000\n\nevent: schedule\ndata: {"version":3}\n\n: ping\n\n';
    expect(await read(opening)).toEqual({ retryMs: undefined });
    expect(await read(`${opening}retry: 2250\n\n`)).toEqual({ retryMs: 2250 });
  });
});

describe('commandArgs', () => {
  it('splits quoted words and puts the target in place of {file}, or at the end', () => {
    expect(commandArgs('"/opt/my player" -q --out={file}', '/c/a b.mp3')).toEqual([
      '/opt/my player',
      '-q',
      '--out=/c/a b.mp3',
    ]);
    expect(commandArgs('mpg123 -q', 'https://r.vn/s?a=1&b=2')).toEqual([
      'mpg123',
      '-q',
      'https://r.vn/s?a=1&b=2',
    ]);
    expect(() => commandArgs('  ', 'x')).toThrow(/empty/);
  });
});

describe('toCsv', () => {
  it('writes a BOM, CRLF lines, quotes where needed and defuses formulas', () => {
    expect(
      toCsv(
        ['a', 'b'],
        [
          ['Ún Tà, "thôn"', null],
          ['=cmd()', 0.5],
        ],
      ),
    ).toBe('\uFEFFa,b\r\n"Ún Tà, ""thôn""",\r\n\'=cmd(),0.5\r\n');
  });
});

describe('foreignAudio', () => {
  const server = 'https://loa.example.vn/commune';
  it('takes the server’s own media, relative or absolute', () => {
    expect(foreignAudio(`/media/${'a'.repeat(64)}.mp3`, server)).toBeNull();
    expect(foreignAudio(`https://loa.example.vn/media/${'a'.repeat(64)}.mp3`, server)).toBeNull();
  });
  it('refuses another host, scheme or port, a scheme-relative URL included', () => {
    for (const url of [
      'https://cdn.example.com/a.mp3',
      'http://loa.example.vn/media/a.mp3',
      'https://loa.example.vn:8443/media/a.mp3',
      '//192.168.1.1/admin',
    ])
      expect(foreignAudio(url, server)).toMatch(
        /^audio URL refused: .* is not the server \(https:\/\/loa\.example\.vn\)/,
      );
  });
});
