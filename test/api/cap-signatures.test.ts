import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { loadTrustedCapCerts } from '../../src/crypto/cap-signature.node.js';
import type { TtsEngine } from '../../src/domain/ports/tts.js';
import { createEspeakEngine } from '../../src/media/tts/espeak.js';
import { capXml, geocodeCocSan } from '../support/cap-fixtures.js';
import { makeSigner, signCap, type TestSigner } from '../support/cap-signing.js';
import { dialects } from '../support/databases.js';
import { createHarness, provinceAdminPassword, type Harness } from '../support/harness.js';

// The harness clock starts at 2026-11-27T01:00Z; the test certificates are valid through 2027.

/** Speech through the real espeak-ng, with what it was asked to say kept for the assertions. */
function recordingTts() {
  const espeak = createEspeakEngine();
  const spoken: string[] = [];
  const tts: TtsEngine = {
    name: espeak.name,
    synthesize: (text, options) => {
      spoken.push(text);
      return espeak.synthesize(text, options);
    },
  };
  return { spoken, tts };
}

async function alertsTokenOf(h: Harness): Promise<string> {
  const login = await h.request('/api/v1/auth/login', {
    method: 'POST',
    json: { username: 'tinh', password: provinceAdminPassword },
  });
  const province = ((await login.json()) as { token: string }).token;
  const res = await h.request('/api/v1/province/tokens', {
    method: 'POST',
    token: province,
    json: { name: 'Hệ thống cảnh báo KTTV', scopes: ['alerts:write'] },
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { secret: string }).secret;
}

const replaceBetween = (xml: string, open: string, close: string, value: string): string =>
  xml.replace(new RegExp(`${open}[^<]*${close}`), `${open}${value}${close}`);

describe.each(dialects)('signed CAP alerts pushed, on %s', (dialect) => {
  let h: Harness;
  let token: string;
  let kttv: TestSigner;
  let stranger: TestSigner;
  const { spoken, tts } = recordingTts();

  beforeAll(async () => {
    [kttv, stranger] = await Promise.all([
      makeSigner('Đài Khí tượng Thủy văn tỉnh Lào Cai'),
      makeSigner('Máy chủ lạ'),
    ]);
    h = await createHarness(dialect, { CAP_TRUSTED_CERTS: kttv.certPath }, { tts });
    token = await alertsTokenOf(h);
  });
  afterAll(() => h?.close());

  const push = (xml: string) =>
    h.request('/api/v1/alerts/cap', {
      method: 'POST',
      token,
      headers: { 'content-type': 'application/cap+xml' },
      body: xml,
    });
  const itemCount = async () =>
    (
      (await (await h.request('/api/v1/alerts/cap', { token: h.tokens.officer })).json()) as {
        items: unknown[];
      }
    ).items.length;

  it('airs an alert whose signature verifies against a trusted certificate, and records who signed it', async () => {
    const res = await push(
      signCap(capXml({ identifier: 'SIG-OK', headline: 'Lũ quét có chữ ký', area: geocodeCocSan }), kttv),
    );
    expect(res.status).toBe(202);
    const body = (await res.json()) as {
      id: string;
      signedBy: { subject: string; fingerprint: string };
      communes: { state: string }[];
    };
    expect(body.signedBy.subject).toBe('CN=Đài Khí tượng Thủy văn tỉnh Lào Cai');
    expect(body.signedBy.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(body.communes).toEqual([expect.objectContaining({ state: 'aired' })]);
    expect(spoken.some((s) => s.startsWith('Lũ quét có chữ ký.'))).toBe(true);
    const [audit] = await h.runtime.db.kysely
      .selectFrom('audit_log')
      .select('details')
      .where('action', '=', 'cap.alert_received')
      .where('target_id', '=', body.id)
      .execute();
    expect(JSON.stringify(audit?.details)).toContain('Đài Khí tượng Thủy văn tỉnh Lào Cai');
  });

  it("keeps the commune's CAP account out of the admin's user list and out of her reach, while its bookings still name it", async () => {
    const admin = h.tokens.admin;
    const users = (await (await h.request('/api/v1/users?limit=200', { token: admin })).json()) as {
      items: { id: string; username: string }[];
    };
    expect(users.items.length).toBeGreaterThan(0);
    expect(users.items.map((u) => u.username)).not.toContain('cap-coc-san');
    expect((await h.request('/api/v1/users/cap-coc-san', { token: admin })).status).toBe(404);
    const enable = await h.request('/api/v1/users/cap-coc-san', {
      method: 'PATCH',
      token: admin,
      json: { disabled: false, password: 'mat-khau-moi-12345' },
    });
    expect(enable.status).toBe(404);
    expect((await h.request('/api/v1/users/cap-coc-san', { method: 'DELETE', token: admin })).status).toBe(
      404,
    );
    const taken = await h.request('/api/v1/users', {
      method: 'POST',
      token: admin,
      json: {
        username: 'cap-ban-xeo',
        password: 'mat-khau-dai-12345',
        role: 'secretary',
        displayName: 'Giả',
      },
    });
    expect(taken.status).toBe(409);
    expect(JSON.stringify(await taken.json())).toMatch(/dành cho tài khoản hệ thống cảnh báo CAP/);
    // Still disabled, still the author of what the alert wrote and the maker of what it booked.
    const login = await h.request('/api/v1/auth/login', {
      method: 'POST',
      json: { username: 'cap-coc-san', password: 'mat-khau-moi-12345' },
    });
    expect(login.status).toBe(401);
    const broadcasts = (await (
      await h.request('/api/v1/broadcasts', { token: h.tokens.officer })
    ).json()) as {
      items: { createdBy: string; announcementId: string | null }[];
    };
    const booked = broadcasts.items.find((b) => b.createdBy === 'cap-coc-san');
    expect(booked).toBeDefined();
    const announcement = (await (
      await h.request(`/api/v1/announcements/${booked!.announcementId}`, { token: h.tokens.officer })
    ).json()) as { authorName: string };
    expect(announcement.authorName).toBe('Hệ thống cảnh báo CAP');
  });

  it('still takes an unsigned alert from the machine token (signatures are not required by default)', async () => {
    const res = await push(capXml({ identifier: 'SIG-NONE', area: geocodeCocSan }));
    expect(res.status).toBe(202);
    expect(((await res.json()) as { signedBy: unknown }).signedBy).toBeNull();
  });

  const cases: [string, () => string, string, RegExp][] = [
    [
      'the headline changed after signing',
      () =>
        replaceBetween(
          signCap(capXml({ identifier: 'SIG-T1' }), kttv),
          '<headline>',
          '</headline>',
          'Sơ tán toàn bộ xã ngay',
        ),
      'cap_signature_invalid',
      /bị sửa sau khi ký/,
    ],
    [
      'a signature over one element only, the sender changed outside it',
      () =>
        replaceBetween(
          signCap(capXml({ identifier: 'SIG-T2' }).replace('<info>', '<info Id="info-1">'), kttv, {
            xpath: "//*[local-name(.)='info']",
          }),
          '<sender>',
          '</sender>',
          'ke-gia-mao@example.com',
        ),
      'cap_signature_partial',
      /không bao trùm toàn bộ/,
    ],
    [
      'a wrapping attack: a forged alert around the signed one',
      () => {
        const genuine = signCap(capXml({ identifier: 'SIG-T3' }), kttv).replace(/^<\?xml[^>]*>\s*/, '');
        const signature = genuine.slice(genuine.indexOf('<Signature'), genuine.indexOf('</Signature>') + 12);
        const unsigned = genuine.replace(signature, '');
        const forged = capXml({ identifier: 'SIG-T3', headline: 'Vỡ đập, sơ tán ngay' }).replace(
          /^<\?xml[^>]*>\s*/,
          '',
        );
        // The genuine alert hidden in the signature's <Object>, the forged one read as the root.
        return forged.replace(
          '</alert>',
          `${signature.replace('</Signature>', `<Object>${unsigned}</Object></Signature>`)}</alert>`,
        );
      },
      'cap_signature_invalid',
      /bị sửa sau khi ký/,
    ],
    [
      'a certificate the installation does not trust',
      () => signCap(capXml({ identifier: 'SIG-T4' }), stranger),
      'cap_signature_untrusted',
      /Máy chủ lạ/,
    ],
    [
      'a wrong digest',
      () =>
        replaceBetween(
          signCap(capXml({ identifier: 'SIG-T5' }), kttv),
          '<DigestValue>',
          '</DigestValue>',
          Buffer.alloc(32, 7).toString('base64'),
        ),
      'cap_signature_invalid',
      /bị sửa sau khi ký/,
    ],
    [
      'a signature without its canonicalization method',
      () => signCap(capXml({ identifier: 'SIG-T7' }), kttv).replace(/<CanonicalizationMethod[^>]*\/>/, ''),
      'cap_signature_invalid',
      /không hợp lệ/,
    ],
    [
      'SHA-1',
      () => signCap(capXml({ identifier: 'SIG-T6' }), kttv, { digest: 'sha1' }),
      'cap_signature_weak',
      /SHA-1/,
    ],
  ];
  it.each(cases)('refuses %s with 422, reading nothing aloud', async (_name, xml, code, message) => {
    const before = spoken.length;
    const count = await itemCount();
    const res = await push(xml());
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = (await res.json()) as { type: string; detail: string; detailVi: string };
    expect(problem.type).toBe(`urn:loa:problem:${code}`);
    expect(`${problem.detail} ${problem.detailVi}`).toMatch(message);
    expect(spoken.length).toBe(before);
    expect(await itemCount()).toBe(count);
  });
});

describe('CAP_REQUIRE_SIGNATURE with a feed', () => {
  const hits = new Map<string, number>();
  let kttv: TestSigner;
  let server: Server;
  let h: Harness;
  const { spoken, tts } = recordingTts();

  beforeAll(async () => {
    kttv = await makeSigner('Đài Khí tượng Thủy văn tỉnh Lào Cai');
    const signed = signCap(
      capXml({ identifier: 'FEED-SIGNED', headline: 'Lũ quét, tin có chữ ký', area: geocodeCocSan }),
      kttv,
    );
    const unsigned = capXml({
      identifier: 'FEED-UNSIGNED',
      headline: 'Tin không chữ ký',
      area: geocodeCocSan,
    });
    const feed = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Cảnh báo thiên tai tỉnh Lào Cai</title>
  <entry><title>Lũ quét</title><id>1</id><link rel="alternate" type="application/cap+xml" href="/alerts/signed.xml"/></entry>
  <entry><title>Không chữ ký</title><id>2</id><link rel="alternate" type="application/cap+xml" href="/alerts/unsigned.xml"/></entry>
</feed>`;
    server = createServer((req, res) => {
      hits.set(req.url ?? '', (hits.get(req.url ?? '') ?? 0) + 1);
      const body = { '/feed.atom': feed, '/alerts/signed.xml': signed, '/alerts/unsigned.xml': unsigned }[
        req.url ?? ''
      ];
      if (body) res.writeHead(200, { 'content-type': 'application/xml' }).end(body);
      else res.writeHead(404).end();
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    h = await createHarness(
      'sqlite',
      {
        CAP_FEEDS: `15:${base}/feed.atom`,
        CAP_FEED_ALLOW_PRIVATE: '1',
        CAP_TRUSTED_CERTS: kttv.certPath,
        CAP_REQUIRE_SIGNATURE: '1',
      },
      { tts },
    );
  });
  afterAll(async () => {
    await h?.close();
    await new Promise<void>((done) => server.close(() => done()));
  });

  it('airs the signed alert a feed links to and refuses the unsigned one, unread', async () => {
    await h.runtime.dispatcher.tick();
    expect(hits.get('/alerts/signed.xml')).toBe(1);
    expect(hits.get('/alerts/unsigned.xml')).toBe(1);
    const items = (
      (await (await h.request('/api/v1/alerts/cap', { token: h.tokens.officer })).json()) as {
        items: { headline: string; state: string }[];
      }
    ).items;
    expect(items.map((i) => [i.headline, i.state])).toEqual([['Lũ quét, tin có chữ ký', 'aired']]);
    expect(spoken.join(' ')).not.toMatch(/Tin không chữ ký/);
  });

  it('refuses an unsigned push with a problem naming the setting', async () => {
    const res = await h.request('/api/v1/alerts/cap', {
      method: 'POST',
      token: await alertsTokenOf(h),
      headers: { 'content-type': 'application/cap+xml' },
      body: capXml({ identifier: 'PUSH-UNSIGNED', area: geocodeCocSan }),
    });
    expect(res.status).toBe(422);
    const problem = (await res.json()) as { type: string; detail: string };
    expect(problem.type).toBe('urn:loa:problem:cap_signature_required');
    expect(problem.detail).toMatch(/CAP_REQUIRE_SIGNATURE/);
  });
});

describe('CAP_TRUSTED_CERTS', () => {
  it('stops the start when a file cannot be read or holds no certificate, naming the variable', () => {
    expect(() => loadTrustedCapCerts(['/nonexistent/kttv.pem'])).toThrow(/CAP_TRUSTED_CERTS: cannot read/);
    expect(() => loadTrustedCapCerts([new URL(import.meta.url).pathname])).toThrow(
      /holds no PEM certificate/,
    );
    expect(loadConfig({ CAP_TRUSTED_CERTS: '/a.pem, /b.pem' }).CAP_TRUSTED_CERTS).toEqual([
      '/a.pem',
      '/b.pem',
    ]);
    expect(() => loadConfig({ CAP_REQUIRE_SIGNATURE: 'maybe' })).toThrow(ConfigError);
  });
});
