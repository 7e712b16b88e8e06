import type { ReceiverPlayback, ReceiverPlaybackStatus } from '../../../domain/receiver/playback.js';
import { utcToLocal } from '../../../domain/schedule/index.js';
import type { ReceiverPlaybackView } from '../../../services/monitoring.service.js';
import type { PageContext } from '../page.js';
import { paths } from '../paths.js';
import { Badge } from '../ui.js';

/** A box's status as a word, a colour and a symbol: an offline box is a fault, like a failure. */
export const receiverTone: Record<ReceiverPlaybackStatus, 'ok' | 'warn' | 'bad' | 'info'> = {
  scheduled: 'info',
  playing: 'info',
  played: 'ok',
  failed: 'bad',
  missed: 'warn',
  offline: 'bad',
  // Told to stop (an emergency over it): no fault of the box.
  interrupted: 'info',
};

/**
 * A local time to the second (`06:00:02`): a box reports starts and ends of items a few seconds long.
 * Vietnam's offset is whole minutes, so the seconds are those of UTC.
 */
export const clockTime = (iso: string, timeZone: string): string => {
  const ms = Date.parse(iso);
  return `${utcToLocal(ms, timeZone).time}:${String(new Date(ms).getUTCSeconds()).padStart(2, '0')}`;
};

/**
 * A box's status with its reason: why it was told to stop, in the page's language, rather than the box's
 * English words; a failure's or skip's detail as the box wrote it (for support).
 */
export function PlaybackState({ p, r }: { p: PageContext; r: ReceiverPlayback }) {
  const reason = r.interruption ? p.m.interruption[r.interruption] : r.detail;
  return (
    <>
      <Badge tone={receiverTone[r.status]}>{p.m.receiverPlayback[r.status]}</Badge>
      {reason ? <span class="meta"> {reason}</span> : null}
    </>
  );
}

/** How many of the expected boxes aired it (started counts: it is on air). */
export const airedCount = (receivers: readonly { status: ReceiverPlaybackStatus }[]): number =>
  receivers.filter((r) => r.status === 'played' || r.status === 'playing').length;

/**
 * Every receiver expected to air one occurrence: its status, when it started and ended, and the SHA-256
 * of each audio part it started (what the box checked and played). The name opens the box's day, so
 * `date` is the occurrence's local date.
 */
export function ReceiverPlaybackTable({
  p,
  receivers,
  timeZone,
  date,
}: {
  p: PageContext;
  receivers: readonly ReceiverPlaybackView[];
  timeZone: string;
  date: string;
}) {
  const m = p.m;
  if (receivers.length === 0) return <p class="meta">{m.noExpectedReceivers}</p>;
  return (
    <div class="table-wrap">
      <table class="stack">
        <thead>
          <tr>
            <th scope="col">{m.receivers}</th>
            <th scope="col">{m.state}</th>
            <th scope="col">{m.startedAt}</th>
            <th scope="col">{m.endedAt}</th>
            <th scope="col">{m.audioHash}</th>
          </tr>
        </thead>
        <tbody>
          {receivers.map((r) => (
            <tr data-receiver={r.receiverId}>
              <th scope="row">
                <a href={paths.receiverDay(r.receiverId, date)}>{r.name}</a>
              </th>
              <td data-label={m.state}>
                <PlaybackState p={p} r={r} />
              </td>
              <td class="time" data-label={m.startedAt}>
                {r.startedAt ? clockTime(r.startedAt, timeZone) : m.none}
              </td>
              <td class="time" data-label={m.endedAt}>
                {r.endedAt ? clockTime(r.endedAt, timeZone) : m.none}
              </td>
              <td data-label={m.audioHash}>
                {r.sha256s.length > 0 ? (
                  r.sha256s.map((h) => <code class="hash">{h}</code>)
                ) : (
                  <span class="meta">{m.none}</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
