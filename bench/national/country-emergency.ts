// The country's emergency in `npm run bench:national`: a province bulletin of level emergency to every
// commune, as an operations centre sends one, booked in one unit of work and published as one event for
// the whole booking. A listener on the instances' channel notes when that event went out.
import pg from 'pg';
import { decodeNotification } from '../../src/events/notification.node.js';
import { busySeconds, cpuByProcess } from '../support/cpu.js';
import { api, signIn } from './api.js';
import { emergencyPushSeconds, progress, report, type Holder, type Process } from './processes.js';
import { toneWav } from './tone.js';
import { fmt, now, sleep } from './util.js';

/**
 * Sends the emergency once its audio is ready and waits until `receivers` channels have it (a minute at
 * most). Returns the times, whose CPU it took from the request until the run saw the last channel, and
 * what each serve measured of its own part.
 */
export async function sendCountryEmergency(options: {
  readonly serves: readonly Process[];
  readonly holders: readonly Holder[];
  readonly databaseUrl: string;
  readonly receivers: number;
  readonly provincePassword: string;
}) {
  const { serves, holders, databaseUrl, receivers, provincePassword } = options;
  progress('emergency to every receiver: a bulletin to every commune');
  const tinh = await signIn(serves[0]!.url, 'tinh', provincePassword);
  const madeOfficer = await api(serves[0]!.url, '/api/v1/users', {
    method: 'POST',
    token: tinh,
    json: {
      username: 'can-bo-tinh',
      password: 'bench-officer-password',
      role: 'province_officer',
      hamletIds: [],
      displayName: 'Cán bộ tỉnh',
    },
  });
  if (madeOfficer.status !== 201)
    throw new Error(`officer ${madeOfficer.status}: ${await madeOfficer.text()}`);
  const officer = await signIn(serves[0]!.url, 'can-bo-tinh', 'bench-officer-password');
  const bulletinForm = new FormData();
  bulletinForm.set('title', 'Cảnh báo bão khẩn cấp');
  bulletinForm.set('language', 'vi');
  bulletinForm.set('level', 'emergency');
  bulletinForm.set('communeIds', 'all');
  bulletinForm.set('file', new Blob([toneWav(7, 10)], { type: 'audio/wav' }), 'bao.wav');
  const madeBulletin = await api(serves[0]!.url, '/api/v1/province/bulletins', {
    method: 'POST',
    token: officer,
    body: bulletinForm,
  });
  if (madeBulletin.status !== 202)
    throw new Error(`bulletin ${madeBulletin.status}: ${await madeBulletin.text()}`);
  const bulletinId = ((await madeBulletin.json()) as { id: string }).id;
  const listener = new pg.Client({ connectionString: databaseUrl });
  await listener.connect();
  let eventAt = 0;
  let emergencyEvents = 0;
  listener.on('notification', (n) => {
    if (decodeNotification(n.payload)?.event.type !== 'emergency') return;
    emergencyEvents++;
    eventAt ||= now();
  });
  await listener.query('LISTEN loa_events');
  await Promise.all(holders.map((h) => h.command('reset', 'OK')));
  const pushTimesBefore = await Promise.all(serves.map((s) => emergencyPushSeconds(s.url)));
  // Sent once its audio is ready (422 until then).
  let nationSent = 0;
  let sendMs = 0;
  let cpuAtSend: ReturnType<typeof cpuByProcess> = new Map();
  let busyAtSend = 0;
  for (const deadline = now() + 120_000; ;) {
    cpuAtSend = cpuByProcess();
    busyAtSend = busySeconds();
    nationSent = now();
    const sent = await api(serves[1]!.url, `/api/v1/province/bulletins/${bulletinId}/send`, {
      method: 'POST',
      token: officer,
    });
    sendMs = now() - nationSent;
    if (sent.status === 200) break;
    const text = await sent.text();
    if (sent.status !== 422 || now() > deadline) throw new Error(`send ${sent.status}: ${text}`);
    await sleep(300);
  }
  progress(`bulletin sent in ${fmt(sendMs)} ms`);
  let nationLast = 0;
  let nationReached = 0;
  let cpuAtLast = cpuAtSend;
  let busyAtLast = busyAtSend;
  for (const deadline = now() + 60_000; now() < deadline;) {
    const arrivals = (await report(holders)).flatMap((r) => r.arrivals);
    nationReached = arrivals.length;
    if (arrivals.length >= receivers) {
      cpuAtLast = cpuByProcess();
      busyAtLast = busySeconds();
      nationLast = Math.max(...arrivals) - nationSent;
      break;
    }
    await sleep(200);
  }
  // Whose CPU the country's emergency took, from the request until the run saw the last channel.
  const sendCpu = { serves: 0, postgres: 0, load: 0, machine: busyAtLast - busyAtSend };
  const servePids = new Set(serves.map((s) => s.child.pid!));
  const holderPids = new Set(holders.map((h) => h.child.pid!));
  for (const [pid, p] of cpuAtLast) {
    const used = p.s - (cpuAtSend.get(pid)?.s ?? 0);
    if (servePids.has(p.group)) sendCpu.serves += used;
    else if (p.name === 'postgres') sendCpu.postgres += used;
    else if (holderPids.has(pid)) sendCpu.load += used;
  }
  await listener.end();
  const afterEventMs = nationLast - (eventAt - nationSent);
  // What each serve measured of its own part: from hearing the event to its lookup done, to its last push.
  const pushTimes = (await Promise.all(serves.map((s) => emergencyPushSeconds(s.url)))).map((after, i) => ({
    lookupMs: (after.lookup - pushTimesBefore[i]!.lookup) * 1000,
    pushedMs: (after.pushed - pushTimesBefore[i]!.pushed) * 1000,
  }));
  return { sendMs, nationLast, nationReached, emergencyEvents, afterEventMs, sendCpu, pushTimes };
}
