import { describe, expect, it } from 'vitest';
import { webhookAddressProblem, webhookRetryDelayMs, webhookUrlProblem } from '../../src/domain/webhook.js';

describe('webhook URLs', () => {
  const strict = { allowPrivate: false };
  const network = { allowPrivate: true };

  it.each([
    'https://127.0.0.1/h',
    'https://10.0.0.1/h',
    'https://[::1]/h',
    'https://169.254.169.254/latest/meta-data',
    'https://[::ffff:10.0.0.5]/h',
    'https://0x7f.1/h',
    'https://localhost/h',
    'https://localhost./h',
    'https://nas.lan/h',
    'https://router/h',
  ])('refuses %s as written', (url) => {
    expect(webhookUrlProblem(url, strict)?.en).toMatch(/private or local address/);
  });

  it('wants https, no userinfo, and a URL', () => {
    expect(webhookUrlProblem('http://hooks.example.vn/h', strict)?.en).toBe('must be https (got http:)');
    expect(webhookUrlProblem('ftp://hooks.example.vn/h', network)?.en).toBe('must be https (got ftp:)');
    expect(webhookUrlProblem('https://@hooks.example.vn/h', strict)?.vi).toMatch(/mật khẩu/);
    expect(webhookUrlProblem('not a url', strict)?.en).toBe('is not a valid URL');
    expect(webhookUrlProblem('https://hooks.example.vn/loa', strict)).toBeNull();
    expect(webhookUrlProblem('https://14.225.0.10/loa', strict)).toBeNull();
  });

  it('lets the province’s own network in, plain http too, only when told to', () => {
    expect(webhookUrlProblem('http://10.0.0.5:8080/h', network)).toBeNull();
    expect(webhookUrlProblem('https://localhost/h', network)).toBeNull();
  });

  it('judges every resolved address: one inside is enough to refuse', () => {
    const url = 'https://hooks.example.vn/loa';
    expect(webhookAddressProblem(url, ['93.184.216.34'], strict)).toBeNull();
    expect(webhookAddressProblem(url, ['93.184.216.34', '10.1.2.3'], strict)?.en).toMatch(
      /resolves to a private or local address \(hooks\.example\.vn → 10\.1\.2\.3\)/,
    );
    expect(webhookAddressProblem(url, ['64:ff9b::a01:203'], strict)?.en).toMatch(/private/);
    expect(webhookAddressProblem(url, [], strict)?.en).toMatch(/does not resolve/);
    expect(webhookAddressProblem('http://ops.lan/h', ['10.0.0.5'], network)).toBeNull();
    expect(webhookAddressProblem('http://ops.example.vn/h', ['93.184.216.34'], network)?.en).toMatch(
      /plain http to a public address/,
    );
  });
});

describe('webhook retries', () => {
  it('backs off from 30 s, doubling, at most 6 hours apart', () => {
    expect([1, 2, 3, 4, 10, 11, 12].map(webhookRetryDelayMs)).toEqual([
      30_000, 60_000, 120_000, 240_000, 15_360_000, 21_600_000, 21_600_000,
    ]);
  });
});
