import { env } from 'cloudflare:workers';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ConfigError } from '../../src/config.js';
import { createEdgeRuntime, type Env } from '../../src/worker.js';
import { createHarness, provinceAdminPassword, type Harness } from './support/harness.js';
import { speakAll } from './support/processing-node.js';

// Signed on Node by the global setup (cap-signing-setup.ts); the certificates are valid through 2027,
// around the harness clock (2026-11-27).
const fixtures = inject('edgeCapSigning');
const audio = inject('edgeAudio');
// Alerts are spoken by processing nodes on the edge: without one configured, none is taken.
const PROCESSING_TOKEN = 'processing-token-for-tests';

async function alertsTokenOf(h: Harness): Promise<string> {
  const login = await h.request('/api/v1/auth/login', {
    method: 'POST',
    json: { username: 'tinh', password: provinceAdminPassword },
  });
  const province = ((await login.json()) as { token: string }).token;
  const made = await h.request('/api/v1/province/tokens', {
    method: 'POST',
    token: province,
    json: { name: 'Hệ thống cảnh báo KTTV', scopes: ['alerts:write'] },
  });
  expect(made.status).toBe(201);
  return ((await made.json()) as { secret: string }).secret;
}

interface Problem {
  readonly type: string;
  readonly detailVi: string;
}

function pusher(h: Harness, token: string) {
  return (xml: string) =>
    h.request('/api/v1/alerts/cap', {
      method: 'POST',
      token,
      headers: { 'content-type': 'application/cap+xml' },
      body: xml,
    });
}

async function storedAlerts(h: Harness): Promise<string[]> {
  const res = await h.request('/api/v1/alerts/cap', { token: h.tokens.officer });
  return ((await res.json()) as { items: { headline: string }[] }).items.map((i) => i.headline);
}

describe('signed CAP alerts pushed to the Worker (CAP_TRUSTED_CERTS as PEM text)', () => {
  let h: Harness;
  let push: ReturnType<typeof pusher>;
  beforeAll(async () => {
    h = await createHarness('d1', {
      LOA_PROCESSING_TOKEN: PROCESSING_TOKEN,
      CAP_TRUSTED_CERTS: fixtures.trustedCert,
    });
    push = pusher(h, await alertsTokenOf(h));
  });
  afterAll(() => h.close());

  it('takes an alert whose signature verifies against the trusted certificate, naming who signed it', async () => {
    const res = await push(fixtures.signed);
    expect(res.status, await res.clone().text()).toBe(202);
    const body = (await res.json()) as {
      signedBy: { subject: string; fingerprint: string } | null;
      communes: { state: string }[];
    };
    expect(body.signedBy?.subject).toBe('CN=Đài Khí tượng Thủy văn tỉnh Lào Cai');
    expect(body.signedBy?.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    // Received and waiting for a processing node to speak it, as any alert on the edge.
    expect(body.communes.map((c) => c.state)).toEqual(['speaking']);
    expect(await storedAlerts(h)).toEqual(['Lũ quét có chữ ký']);

    // Once a node has spoken it, the next tick airs it, read from what was verified on receipt.
    expect(await speakAll(h, PROCESSING_TOKEN, audio.processedMp3)).toHaveLength(1);
    await h.runtime.dispatcher.tick();
    expect(await speakAll(h, PROCESSING_TOKEN, audio.processedMp3)).toEqual([
      expect.stringMatching(/^Bản tin phát lúc /),
    ]);
    const listed = await h.request('/api/v1/alerts/cap', { token: h.tokens.officer });
    const items = ((await listed.json()) as { items: { state: string; bulletinId: string | null }[] }).items;
    expect(items.map((i) => i.state)).toEqual(['aired']);
    expect(items[0]!.bulletinId).not.toBeNull();
  });

  it('refuses, 422 and storing nothing, an alert changed after it was signed or signed by an untrusted key', async () => {
    const tampered = await push(fixtures.tampered);
    expect(tampered.status).toBe(422);
    expect(tampered.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = (await tampered.json()) as Problem;
    expect(problem.type).toBe('urn:loa:problem:cap_signature_invalid');
    expect(problem.detailVi).toMatch(/bị sửa sau khi ký/);

    const stranger = await push(fixtures.stranger);
    expect(stranger.status).toBe(422);
    expect(((await stranger.json()) as Problem).type).toBe('urn:loa:problem:cap_signature_untrusted');
    expect(await storedAlerts(h)).toEqual(['Lũ quét có chữ ký']);
  });

  it('still takes an unsigned alert when signatures are not required', async () => {
    const res = await push(fixtures.unsigned);
    expect(res.status, await res.clone().text()).toBe(202);
    expect(((await res.json()) as { signedBy: unknown }).signedBy).toBeNull();
  });
});

describe('CAP_REQUIRE_SIGNATURE on the Worker', () => {
  let h: Harness;
  let push: ReturnType<typeof pusher>;
  beforeAll(async () => {
    h = await createHarness('d1', {
      LOA_PROCESSING_TOKEN: PROCESSING_TOKEN,
      CAP_TRUSTED_CERTS: fixtures.trustedCert,
      CAP_REQUIRE_SIGNATURE: '1',
    });
    push = pusher(h, await alertsTokenOf(h));
  });
  afterAll(() => h.close());

  it('refuses an unsigned alert and takes a signed one', async () => {
    const unsigned = await push(fixtures.unsigned);
    expect(unsigned.status).toBe(422);
    expect(unsigned.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(((await unsigned.json()) as Problem).type).toBe('urn:loa:problem:cap_signature_required');
    expect(await storedAlerts(h)).toEqual([]);

    const signed = await push(fixtures.signed);
    expect(signed.status, await signed.clone().text()).toBe(202);
    expect(await storedAlerts(h)).toEqual(['Lũ quét có chữ ký']);
  });
});

describe('CAP_TRUSTED_CERTS on the Worker', () => {
  it('refuses to start when it holds no PEM certificate, naming the variable', async () => {
    const start = createEdgeRuntime({ ...(env as unknown as Env), CAP_TRUSTED_CERTS: 'signer.pem' });
    await expect(start).rejects.toThrow(ConfigError);
    await expect(start).rejects.toThrow(/CAP_TRUSTED_CERTS/);
  });
});
