import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import type { Commune } from '../../../domain/commune.js';
import type { ListenAgainView } from '../../../services/listen-again.service.js';
import { listenAgainFeed } from './listen-again.js';

const commune = {
  id: 'coc-san',
  name: 'Xã Cốc San',
  code: '02746',
  timeZone: 'Asia/Ho_Chi_Minh',
  settings: { languages: [{ code: 'vi', name: 'Tiếng Việt' }] },
} as unknown as Commune;

const view = (title: string): ListenAgainView => ({
  commune,
  hamlet: null,
  hamlets: [],
  from: '2026-10-28T01:00:00.000Z',
  to: '2026-11-27T01:00:00.000Z',
  entries: [
    {
      announcementId: 'a1',
      title,
      category: 'chung',
      priority: 'normal',
      active: false,
      firstAiredAt: '2026-11-26T12:00:00.000Z',
      lastAiredAt: '2026-11-26T12:00:00.000Z',
      hamletIds: ['un-ta'],
      variants: [
        { language: 'vi', url: '/media/ab.mp3', sha256: 'ab', format: 'mp3', bytes: 1000, durationMs: 2000 },
      ],
    },
  ],
});

describe('the listen-again feed', () => {
  it('stays valid XML when a title carries a control character, and keeps the rest of the title', () => {
    const xml = listenAgainFeed(view('Họp dân\u000B tối nay <thôn 2> & \u0001'), 'https://loa.example.vn', 0);
    expect(XMLValidator.validate(xml)).toBe(true);
    const item = new XMLParser().parse(xml).rss.channel.item as { title: string };
    expect(item.title).toBe('Họp dân tối nay <thôn 2> &');
    expect(xml).toContain('<title>Họp dân tối nay &lt;thôn 2&gt; &amp; </title>');
  });
});
