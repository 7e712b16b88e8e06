import { describe, expect, it } from 'vitest';
import type { Announcement, Variant } from '../../src/domain/announcement.js';
import { announcementTag, overturns, planApproval } from '../../src/domain/announcement-decision.js';

const audio = {
  sha256: 'a'.repeat(64),
  format: 'mp3' as const,
  bytes: 1,
  durationMs: 1000,
  integratedLufs: -16,
  truePeakDbtp: -1.5,
  lraLu: 3,
  sourceCodec: 'pcm',
  sourceDurationMs: 1000,
  sourceLufs: null,
  peaks: [],
};

const version = (id: string, over: Partial<Variant> = {}): Variant => ({
  id,
  language: id,
  sourceKind: 'upload',
  sourceKey: null,
  sourceName: null,
  text: null,
  voice: null,
  status: 'ready',
  error: null,
  approval: 'pending',
  audio,
  opus: null,
  createdAt: '2026-05-01T00:00:00.000Z',
  updatedAt: '2026-05-01T00:00:00.000Z',
  ...over,
});

const content = (variants: Variant[], over: Partial<Announcement> = {}): Announcement => ({
  id: 'a1',
  communeId: 'coc-san',
  hamletId: null,
  title: 'Họp dân',
  category: 'general',
  createdBy: 'u1',
  authorName: 'Chị Lan',
  status: 'ready',
  error: null,
  approval: 'pending',
  approvalReason: null,
  approvedBy: null,
  approvedAt: null,
  withdrawnAt: null,
  withdrawnBy: null,
  createdAt: '2026-05-01T00:00:00.000Z',
  updatedAt: '2026-05-01T00:00:00.000Z',
  variants,
  ...over,
});

const processing = { status: 'processing' as const, audio: null };

describe('planApproval', () => {
  it('approves what can be heard or read; a recording still processing waits', () => {
    const a = content([
      version('vi'),
      version('giay', processing),
      version('hmn', { ...processing, sourceKind: 'text', text: 'Họp dân' }),
    ]);
    expect(planApproval(a)).toEqual({
      kind: 'approve',
      approve: ['vi', 'hmn'],
      reopen: [],
      waiting: ['giay'],
      approval: 'pending',
    });
  });

  it('approves nothing when nothing asked for can be judged', () => {
    const a = content([version('vi'), version('giay', { status: 'failed', audio: null })]);
    expect(planApproval(a, ['giay'])).toMatchObject({ kind: 'unheard', versions: [{ id: 'giay' }] });
    // Audio found missing fails the version: it cannot be heard any more.
    expect(planApproval(content([version('vi', { status: 'failed' })]))).toMatchObject({ kind: 'unheard' });
  });

  it('changes nothing when everything asked for is approved', () => {
    expect(planApproval(content([version('vi', { approval: 'approved' })]))).toEqual({ kind: 'nothing' });
  });

  it('lifts a refusal for the versions approved; the others wait, neither refused nor approved', () => {
    const refused = content(
      [version('vi', { approval: 'rejected' }), version('giay', { approval: 'rejected' })],
      { approval: 'rejected' },
    );
    expect(planApproval(refused, ['vi'])).toEqual({
      kind: 'approve',
      approve: ['vi'],
      reopen: ['giay'],
      waiting: ['giay'],
      approval: 'pending',
    });
    expect(planApproval(refused)).toMatchObject({
      approve: ['vi', 'giay'],
      reopen: [],
      approval: 'approved',
    });
  });
});

describe('overturns', () => {
  it("is another officer's standing decision changed", () => {
    const refused = { approval: 'rejected' as const, approvedBy: 'u2' };
    expect(overturns(refused, 'approved', 'u1')).toBe(true);
    expect(overturns(refused, 'rejected', 'u1')).toBe(true);
    expect(overturns(refused, 'approved', 'u2')).toBe(false);
    const approved = { approval: 'approved' as const, approvedBy: 'u2' };
    expect(overturns(approved, 'rejected', 'u1')).toBe(true);
    expect(overturns(approved, 'approved', 'u1')).toBe(false);
    expect(overturns({ approval: 'pending', approvedBy: 'u2' }, 'rejected', 'u1')).toBe(false);
  });
});

describe('announcementTag', () => {
  it('is a strong tag that changes with a decision, a version or its processing, and nothing else', () => {
    const a = content([version('vi')]);
    const tag = announcementTag(a);
    expect(tag).toMatch(/^"[0-9a-z]+"$/);
    expect(announcementTag(content([version('vi')]))).toBe(tag);
    expect(announcementTag({ ...a, authorName: 'Anh Minh' })).toBe(tag);
    for (const changed of [
      content([version('vi', { approval: 'approved' })], { approval: 'approved' }),
      content([version('vi'), version('giay', processing)]),
      content([version('vi', { status: 'failed' })]),
      content([version('vi')], { withdrawnAt: '2026-05-01T00:00:00.000Z' }),
    ])
      expect(announcementTag(changed)).not.toBe(tag);
  });
});
