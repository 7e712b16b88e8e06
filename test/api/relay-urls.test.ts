import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/harness.js';

// The harness clock starts at 2026-11-27T01:00Z = 08:00 in Asia/Ho_Chi_Minh.
const at = '2026-12-01T08:00:00+07:00';

describe('relay URLs that point inside the network', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness('sqlite');
  });
  afterAll(() => h.close());

  const post = (url: string) =>
    h.request('/api/v1/broadcasts', {
      method: 'POST',
      token: h.tokens.head,
      json: { relay: { url, durationS: 60 }, hamletIds: ['un-ta'], at },
    });

  // Trailing dots, local suffixes, single labels, IPv6 forms that carry a private IPv4 address,
  // local-use NAT64, documentation ranges and empty userinfo.
  it.each([
    'http://localhost./live',
    'http://radio.localhost./live',
    'http://router/live',
    'http://nas.home.arpa/live',
    'http://radio.lan/live',
    'http://[::127.0.0.1]/live',
    'http://[64:ff9b::7f00:1]/live',
    'http://[64:ff9b:1::a00:5]/live',
    'http://[2002:7f00:1::]/live',
    'http://[2001:db8::1]/live',
    'http://@radio.example.vn/live',
  ])('answers 422 naming relay.url for %s', async (url) => {
    const res = await post(url);
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const problem = (await res.json()) as {
      detailVi: string;
      errors: { field: string; messageVi: string }[];
    };
    expect(problem.errors[0]?.field).toBe('relay.url');
    expect(problem.detailVi).toMatch(/^Địa chỉ tiếp sóng (trỏ tới|là tên|không được chứa)/);
  });

  it('books a public stream, stored in the form that was checked', async () => {
    const res = await post('HTTP://Radio.Example.VN:80/vov1');
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    const shown = (await (await h.request(`/api/v1/broadcasts/${id}`, { token: h.tokens.head })).json()) as {
      relay: { url: string };
    };
    expect(shown.relay.url).toBe('http://radio.example.vn/vov1');
  });
});
