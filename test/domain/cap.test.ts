import { describe, expect, it } from 'vitest';
import { capReferences, parseCapAlert } from '../../src/domain/cap/alert.js';
import { capFeedEntries, inSentOrder } from '../../src/domain/cap/feed.js';
import {
  capExpiry,
  capForeignReferences,
  capHazardType,
  capKey,
  capLevel,
  capRiskLevel,
  capSpeechText,
  distanceKm,
  hamletsInAreas,
} from '../../src/domain/cap/mapping.js';
import { bulletinHeaderText, RISK_LEVEL_COLOURS } from '../../src/domain/disaster.js';
import { capXml } from '../support/cap-fixtures.js';

const hamlets = [
  { id: 'un-ta', lat: 22.45, lon: 103.96 },
  { id: 'thon-2', lat: 22.5, lon: 104.02 },
  { id: 'thon-3', lat: null, lon: null },
];
const codes = { communeCode: '02746', provinceCode: '15' };
const area = (
  parts: Partial<{ polygon: string[]; circle: string[]; geocode: { valueName: string; value: string }[] }>,
) => ({
  areaDesc: 'x',
  polygon: [],
  circle: [],
  geocode: [],
  ...parts,
});

describe('CAP 1.2 parsing', () => {
  it('reads a valid alert, decoding the XML entities in its text and keeping lists as lists', () => {
    const parsed = parseCapAlert(capXml({ identifier: 'A-1', headline: 'Lũ &amp; sạt lở' }));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.alert).toMatchObject({
      identifier: 'A-1',
      status: 'Actual',
      msgType: 'Alert',
      scope: 'Public',
      info: [
        {
          language: 'vi-VN',
          category: ['Met'],
          headline: 'Lũ & sạt lở',
          area: [{ polygon: [expect.any(String)] }],
        },
      ],
    });
  });

  it('reads a prefixed document in the CAP namespace', () => {
    const xml = capXml({ identifier: 'A-2' })
      .replace(
        '<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">',
        '<cap:alert xmlns:cap="urn:oasis:names:tc:emergency:cap:1.2">',
      )
      .replace('</alert>', '</cap:alert>')
      .replace(
        /<(\/?)(identifier|sender|sent|status|msgType|scope|info|language|category|event|urgency|severity|certainty|expires|senderName|headline|description|instruction|area|areaDesc|polygon)>/g,
        '<$1cap:$2>',
      );
    expect(parseCapAlert(xml)).toMatchObject({ ok: true, alert: { identifier: 'A-2' } });
  });

  it.each([
    [
      'a DTD',
      `<?xml version="1.0"?><!DOCTYPE alert SYSTEM "http://evil.example/x.dtd">${capXml({ identifier: 'x' }).replace(/^<\?xml[^>]*>/, '')}`,
      'dtd_refused',
    ],
    ['an external entity', `<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>`, 'dtd_refused'],
    [
      'unclosed tags',
      '<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>x</alert>',
      'malformed_xml',
    ],
    ['no namespace', capXml({ identifier: 'x', namespace: '' }), 'wrong_namespace'],
    ['another root', '<feed xmlns="http://www.w3.org/2005/Atom"/>', 'wrong_namespace'],
    ['an unknown element', capXml({ identifier: 'x', extra: '<script>alert(1)</script>' }), 'invalid_cap'],
    ['a space in the identifier', capXml({ identifier: 'a b' }), 'invalid_cap'],
    [
      'a polygon that does not close',
      capXml({ identifier: 'x', area: '<areaDesc>x</areaDesc><polygon>1,1 2,2 3,3 4,4</polygon>' }),
      'invalid_cap',
    ],
    [
      'a circle without radius',
      capXml({ identifier: 'x', area: '<areaDesc>x</areaDesc><circle>22.4,103.9</circle>' }),
      'invalid_cap',
    ],
    ['a time without offset', capXml({ identifier: 'x', sent: '2026-11-27T07:45:00' }), 'invalid_cap'],
  ])('refuses %s', (_name, xml, code) => {
    expect(parseCapAlert(xml)).toMatchObject({ ok: false, problem: { code } });
  });

  it('reads references as sender, identifier and sent; the key is the same whatever the offset', () => {
    expect(capReferences('a@b,ID-1,2026-11-27T07:45:00+07:00 c,ID-2,2026-11-27T01:00:00-00:00')).toEqual([
      { sender: 'a@b', identifier: 'ID-1', sent: '2026-11-27T07:45:00+07:00' },
      { sender: 'c', identifier: 'ID-2', sent: '2026-11-27T01:00:00-00:00' },
    ]);
    expect(capKey({ sender: 's', identifier: 'i', sent: '2026-11-27T07:45:00+07:00' })).toBe(
      capKey({ sender: 's', identifier: 'i', sent: '2026-11-27T00:45:00-00:00' }),
    );
  });

  it("names the references of an Update or Cancel to another sender's messages; an Ack may name anyone's", () => {
    const of = (msgType: string, references: string) => {
      const read = parseCapAlert(
        capXml({ identifier: 'R-1', sender: 'a@b', msgType: 'Alert', references }).replace(
          '<msgType>Alert</msgType>',
          `<msgType>${msgType}</msgType>`,
        ),
      );
      if (!read.ok) throw new Error(read.problem.message);
      return capForeignReferences(read.alert);
    };
    const own = 'a@b,ID-1,2026-11-27T07:45:00+07:00';
    const other = 'c@d,ID-2,2026-11-27T07:40:00+07:00';
    expect(of('Cancel', own)).toEqual([]);
    expect(of('Cancel', `${own} ${other}`)).toEqual([other]);
    expect(of('Update', other)).toEqual([other]);
    expect(of('Ack', other)).toEqual([]);
  });
});

describe('CAP to Loa', () => {
  it('airs actual, extreme or severe, immediate or expected, observed or likely alerts at once; moderate or future ones first in the next slot; the rest waits', () => {
    expect(capLevel('Actual', { severity: 'Extreme', urgency: 'Expected', certainty: 'Likely' })).toBe(
      'emergency',
    );
    expect(capLevel('Actual', { severity: 'Severe', urgency: 'Immediate', certainty: 'Observed' })).toBe(
      'emergency',
    );
    expect(capLevel('Actual', { severity: 'Moderate', urgency: 'Immediate', certainty: 'Observed' })).toBe(
      'priority',
    );
    expect(capLevel('Actual', { severity: 'Severe', urgency: 'Future', certainty: 'Observed' })).toBe(
      'priority',
    );
    expect(capLevel('Actual', { severity: 'Minor', urgency: 'Immediate', certainty: 'Observed' })).toBe(
      'review',
    );
    expect(capLevel('Actual', { severity: 'Moderate', urgency: 'Past', certainty: 'Observed' })).toBe(
      'review',
    );
    expect(capLevel('Actual', { severity: 'Severe', urgency: 'Immediate', certainty: 'Possible' })).toBe(
      'review',
    );
    expect(capLevel('Exercise', { severity: 'Extreme', urgency: 'Immediate', certainty: 'Observed' })).toBe(
      'review',
    );
  });

  it('finds hamlets inside a polygon, within a circle, or named by geocode', () => {
    const square = '22.44,103.95 22.44,103.97 22.46,103.97 22.46,103.95 22.44,103.95';
    expect(hamletsInAreas([area({ polygon: [square] })], hamlets, codes)).toEqual(['un-ta']);
    // 7.2 km from Ún Tà to Thôn 2.
    expect(distanceKm(22.45, 103.96, 22.5, 104.02)).toBeCloseTo(8.3, 0);
    expect(hamletsInAreas([area({ circle: ['22.45,103.96 5'] })], hamlets, codes)).toEqual(['un-ta']);
    expect(hamletsInAreas([area({ circle: ['22.45,103.96 10'] })], hamlets, codes)).toEqual([
      'un-ta',
      'thon-2',
    ]);
    expect(
      hamletsInAreas([area({ geocode: [{ valueName: 'VN-commune', value: '02746' }] })], hamlets, codes),
    ).toEqual(['un-ta', 'thon-2', 'thon-3']);
    expect(
      hamletsInAreas([area({ geocode: [{ valueName: 'VN-commune', value: '02674' }] })], hamlets, codes),
    ).toEqual([]);
    expect(
      hamletsInAreas([area({ geocode: [{ valueName: 'loa-hamlet', value: 'thon-3' }] })], hamlets, codes),
    ).toEqual(['thon-3']);
    expect(
      hamletsInAreas([area({ geocode: [{ valueName: 'VN-province', value: '15' }] })], hamlets, codes),
    ).toHaveLength(3);
    expect(hamletsInAreas([], hamlets, codes)).toHaveLength(3);
  });

  it('speaks the headline, the instruction and a short description, without web addresses or markup', () => {
    expect(
      capSpeechText({
        event: 'Lũ',
        headline: 'Cảnh báo lũ.',
        instruction: 'Sơ tán ngay <b>khỏi</b> bờ sông, xem www.kttv.vn/x',
        description: 'Chi tiết tại https://kttv.example.vn/a?b=c',
      }),
    ).toBe('Cảnh báo lũ. Sơ tán ngay khỏi bờ sông, xem. Chi tiết tại.');
    expect(
      capSpeechText({ event: 'Lũ', headline: 'Lũ', instruction: undefined, description: 'x'.repeat(601) }),
    ).toBe('Lũ.');
    expect(
      capSpeechText({
        event: '',
        headline: 'https://a.example',
        instruction: undefined,
        description: undefined,
      }),
    ).toBeNull();
  });

  it('takes the risk level given as a parameter, else from the severity; names the hazard', () => {
    expect(capRiskLevel({ parameter: [{ valueName: 'capDoRuiRo', value: '5' }], severity: 'Minor' })).toBe(5);
    expect(capRiskLevel({ parameter: [{ valueName: 'riskLevel', value: '9' }], severity: 'Severe' })).toBe(3);
    expect(capRiskLevel({ parameter: [], severity: 'Extreme' })).toBe(4);
    expect(capHazardType({ event: 'Áp thấp nhiệt đới', headline: undefined })).toBe('tropical_depression');
    expect(capHazardType({ event: 'Typhoon', headline: undefined })).toBe('storm');
    expect(capHazardType({ event: 'Lũ quét', headline: undefined })).toBe('flash_flood');
    expect(capHazardType({ event: 'Cảnh báo', headline: 'Nguy cơ sạt lở đất' })).toBe('landslide');
    expect(capHazardType({ event: 'Khác', headline: undefined })).toBe('other');
  });

  it('ends at the earliest expiry of its info blocks', () => {
    const parsed = parseCapAlert(capXml({ identifier: 'E', expires: '2026-11-28T07:00:00+07:00' }));
    expect(parsed.ok && capExpiry(parsed.alert)).toBe(Date.parse('2026-11-28T00:00:00Z'));
  });
});

describe('feeds', () => {
  it('finds linked CAP documents in RSS and Atom, absolute and http(s) only', () => {
    const rss = `<rss version="2.0"><channel><title>t</title>
      <item><title>a</title><link>https://kttv.example.vn/cap/1.xml</link></item>
      <item><title>b</title><link>/cap/2.xml</link></item>
      <item><title>c</title><link>javascript:alert(1)</link></item></channel></rss>`;
    expect(capFeedEntries(rss, 'https://kttv.example.vn/rss')).toEqual({
      ok: true,
      entries: {
        embedded: [],
        links: ['https://kttv.example.vn/cap/1.xml', 'https://kttv.example.vn/cap/2.xml'],
      },
    });
    const atom = `<feed xmlns="http://www.w3.org/2005/Atom"><entry><link href="https://x.example/page.html"/><link type="application/cap+xml" href="https://x.example/a"/></entry></feed>`;
    expect(capFeedEntries(atom, 'https://x.example/feed')).toMatchObject({
      ok: true,
      entries: { links: ['https://x.example/a'] },
    });
  });

  it('takes documents in the order they were sent, whatever the offset, unreadable ones last', () => {
    const doc = (name: string, sent: string) => ({ name, xml: capXml({ identifier: name, sent }) });
    const ordered = inSentOrder([
      { name: 'garbled', xml: '<alert><sent>soon</sent></alert>' },
      doc('cancel', '2026-11-27T08:10:00+07:00'),
      doc('update', '2026-11-27T01:05:00+00:00'),
      doc('alert', '2026-11-27T08:00:00+07:00'),
      doc('same-moment', '2026-11-27T01:00:00-00:00'),
    ]);
    expect(ordered.map((d) => d.name)).toEqual(['alert', 'same-moment', 'update', 'cancel', 'garbled']);
  });
});

describe('QĐ 18/2021', () => {
  it('has the five levels in their colours and a header with the local issue time', () => {
    expect(Object.values(RISK_LEVEL_COLOURS).map((c) => c.nameVi)).toEqual([
      'xanh dương nhạt',
      'vàng nhạt',
      'da cam',
      'đỏ',
      'tím',
    ]);
    expect(bulletinHeaderText(Date.parse('2026-11-27T07:30:00Z'), 'Asia/Ho_Chi_Minh')).toBe(
      'Bản tin phát lúc 14 giờ 30 ngày 27 tháng 11 năm 2026.',
    );
    expect(bulletinHeaderText(Date.parse('2026-12-31T17:05:00Z'), 'Asia/Ho_Chi_Minh')).toBe(
      'Bản tin phát lúc 0 giờ 5 ngày 1 tháng 1 năm 2027.',
    );
  });
});
