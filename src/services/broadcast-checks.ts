import type { RequestContext } from '../domain/actor.js';
import type { BroadcastRequest } from '../domain/broadcast.js';
import type { Commune } from '../domain/commune.js';
import { invalid, notFound } from '../domain/errors.js';
import type { Hamlet } from '../domain/hamlet.js';
import { assertAllowed, isAllowed, type Permission } from '../domain/policy.js';
import type { Repositories } from '../domain/ports/repositories.js';
import { normalRelayUrl, relayUrlProblem } from '../domain/relay-url.js';
import { announcementContent, type BroadcastContent } from '../domain/schedule/index.js';

/** The checks a booking makes of its commune, its hamlets and its content, before anything is locked. */

export async function loadCommune(r: Pick<Repositories, 'communes'>, communeId: string): Promise<Commune> {
  const commune = await r.communes.findCommune(communeId);
  if (!commune) throw notFound('Commune', communeId, 'xã');
  return commune;
}

export async function targetHamlets(
  r: Pick<Repositories, 'hamlets'>,
  ctx: RequestContext,
  requested: BroadcastRequest['hamletIds'],
  permission: Permission,
): Promise<readonly Hamlet[]> {
  if (requested === 'all') {
    assertAllowed(ctx.actor, permission, 'commune');
    return r.hamlets.listCommuneHamlets(ctx.actor.communeId);
  }
  const ids = [...new Set(requested)];
  if (ids.length === 0) {
    throw invalid('hamletIds', 'Choose at least one hamlet.', 'Hãy chọn ít nhất một thôn.');
  }
  const found = await r.hamlets.findHamlets(ids);
  const known = new Set(found.filter((h) => h.communeId === ctx.actor.communeId).map((h) => h.id));
  const missing = ids.filter((id) => !known.has(id));
  if (missing.length > 0) {
    throw invalid(
      'hamletIds',
      `Unknown hamlet(s): ${missing.join(', ')}.`,
      `Không tìm thấy thôn: ${missing.join(', ')}.`,
    );
  }
  assertAllowed(ctx.actor, permission, ids, Object.fromEntries(found.map((h) => [h.id, h.name])));
  return ids.map((id) => found.find((h) => h.id === id)!);
}

/**
 * The content to air, checked: not withdrawn, ready, approved when the commune requires it, visible to the
 * caller.
 */
export async function contentOf(
  r: Pick<Repositories, 'announcements' | 'bulletins'>,
  ctx: RequestContext,
  req: BroadcastRequest,
  commune: Commune,
): Promise<{ content: BroadcastContent; title: string }> {
  if ((req.announcementId === undefined) === (req.relay === undefined)) {
    throw invalid(
      'announcementId',
      'Give either announcementId or relay.',
      'Hãy chọn một thông báo hoặc một nguồn tiếp sóng (chỉ một trong hai).',
    );
  }
  if (req.relay) {
    const problem = relayUrlProblem(req.relay.url);
    if (problem)
      throw invalid('relay.url', `The relay URL ${problem.en}.`, `Địa chỉ tiếp sóng ${problem.vi}.`);
    // Boxes get the URL as it was checked, so their player cannot read another host out of it.
    const url = normalRelayUrl(req.relay.url);
    return {
      content: { kind: 'relay', url, durationS: req.relay.durationS },
      title: `Tiếp sóng ${url}`,
    };
  }
  const announcement = await r.announcements.findAnnouncement(req.announcementId!);
  if (
    !announcement ||
    announcement.communeId !== ctx.actor.communeId ||
    !isAllowed(ctx.actor, 'announcement.read', [announcement.hamletId]) ||
    // A province bulletin's own content is the province's: communes book their copy, through the inbox.
    (await r.bulletins.findBulletinOfAnnouncement(announcement.id)) !== undefined
  ) {
    throw invalid(
      'announcementId',
      `Announcement ${req.announcementId} does not exist.`,
      'Không tìm thấy thông báo này.',
    );
  }
  if (announcement.withdrawnAt) {
    throw invalid(
      'announcementId',
      `"${announcement.title}" was withdrawn and cannot be booked again.`,
      `Thông báo "${announcement.title}" đã được rút lại, không thể xếp lịch phát nữa.`,
    );
  }
  // Versions are processed and wait for the office one by one: what is ready and approved can air while
  // a newer one is processed, waits, or failed (its hamlets are refused below if it was all they play).
  const content = announcementContent(announcement);
  if (content.kind === 'announcement' && content.variants.length === 0 && announcement.status !== 'ready') {
    throw invalid(
      'announcementId',
      `"${announcement.title}" is not ready to air yet (processing status: ${announcement.status}).`,
      `Thông báo "${announcement.title}" chưa xử lý xong âm thanh (trạng thái: ${announcement.status}), chưa thể xếp lịch.`,
    );
  }
  if (content.kind === 'announcement' && content.variants.length === 0) {
    throw invalid(
      'announcementId',
      `"${announcement.title}" has not been approved by the commune office.`,
      `Thông báo "${announcement.title}" chưa được văn phòng xã duyệt, chưa thể xếp lịch.`,
    );
  }
  return { content, title: announcement.title };
}
