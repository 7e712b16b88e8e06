import { describe, expect, it } from 'vitest';
import { isPublicAddress, normalRelayUrl, relayUrlProblem } from '../../src/domain/relay-url.js';

// Each refused URL with the host WHATWG `new URL()` reads in it, which the message names.
const refused: readonly [string, string][] = [
  // Loopback and local names, written every way a URL parser accepts.
  ['http://localhost/live', 'localhost'],
  ['http://localhost./live', 'localhost.'],
  ['http://LOCALHOST../live', 'localhost..'],
  ['http://localhost\u3002/live', 'localhost.'], // ideographic full stop, mapped to "."
  ['http://loc%61lhost/live', 'localhost'],
  ['http://radio.localhost/live', 'radio.localhost'],
  ['http://radio.localhost./live', 'radio.localhost.'],
  ['http://nas.local/live', 'nas.local'],
  ['http://radio.internal/live', 'radio.internal'],
  ['http://radio.home.arpa/live', 'radio.home.arpa'],
  ['http://radio.home.arpa./live', 'radio.home.arpa.'],
  ['http://radio.lan/live', 'radio.lan'],
  ['http://router/live', 'router'],
  ['http://router./live', 'router.'],
  // IPv4 in other notations: WHATWG reads them all as 127.0.0.1.
  ['http://127.0.0.1/live', '127.0.0.1'],
  ['http://2130706433/live', '127.0.0.1'],
  ['http://0x7f.1/live', '127.0.0.1'],
  ['http://0x7f000001/live', '127.0.0.1'],
  ['http://127.1/live', '127.0.0.1'],
  ['http://0177.0.0.1/live', '127.0.0.1'],
  ['http://127.0.0.1./live', '127.0.0.1'],
  ['http://127.0.0.%31/live', '127.0.0.1'],
  ['http://\uff11\uff12\uff17.0.0.1/live', '127.0.0.1'], // full-width digits
  ['http://10.0.0.5/live', '10.0.0.5'],
  ['http://172.16.4.1/live', '172.16.4.1'],
  ['http://192.168.1.10/live', '192.168.1.10'],
  ['http://169.254.169.254/latest', '169.254.169.254'],
  ['http://100.64.0.1/live', '100.64.0.1'],
  ['http://0/live', '0.0.0.0'],
  ['http://0.0.0.0/live', '0.0.0.0'],
  ['http://224.0.0.251/live', '224.0.0.251'],
  ['http://255.255.255.255/live', '255.255.255.255'],
  ['http://192.0.2.10/live', '192.0.2.10'],
  ['http://198.18.0.1/live', '198.18.0.1'],
  ['http://240.0.0.1/live', '240.0.0.1'],
  // IPv6 special ranges.
  ['http://[::1]/live', '[::1]'],
  ['http://[::]/live', '[::]'],
  ['http://[fe80::1]/live', '[fe80::1]'],
  ['http://[fd12:3456::1]/live', '[fd12:3456::1]'],
  ['http://[fec0::1]/live', '[fec0::1]'],
  ['http://[ff02::1]/live', '[ff02::1]'],
  ['http://[2001:db8::1]/live', '[2001:db8::1]'],
  ['http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/live', '[2001:0:4136:e378:8000:63bf:3fff:fdd2]'], // Teredo
  ['http://[64:ff9b:1::a00:5]/live', '[64:ff9b:1::a00:5]'], // local-use NAT64
  // IPv6 forms that carry a private or loopback IPv4 address.
  ['http://[::ffff:127.0.0.1]/live', '[::ffff:7f00:1]'],
  ['http://[0:0:0:0:0:ffff:a00:5]/live', '[::ffff:a00:5]'],
  ['http://[::ffff:0:7f00:1]/live', '[::ffff:0:7f00:1]'], // IPv4-translated
  ['http://[::127.0.0.1]/live', '[::7f00:1]'], // IPv4-compatible
  ['http://[::10.0.0.5]/live', '[::a00:5]'],
  ['http://[64:ff9b::7f00:1]/live', '[64:ff9b::7f00:1]'], // NAT64
  ['http://[64:ff9b::192.168.1.1]/live', '[64:ff9b::c0a8:101]'],
  ['http://[2002:7f00:1::]/live', '[2002:7f00:1::]'], // 6to4
  ['http://[2002:c0a8:101::1]/live', '[2002:c0a8:101::1]'],
];

const accepted: readonly string[] = [
  'https://radio.example.vn/vov1',
  'http://radio.example.vn./vov1', // a fully qualified public name
  'https://stream.vov.vn:8443/vov1.mp3?q=1',
  'http://14.225.0.10/live',
  'http://8.8.8.8/live',
  'http://[2001:4860:4860::8888]/live',
  'http://[2402:800::1]/live',
  'http://[::ffff:14.225.0.10]/live', // an IPv4-mapped public address is that public address
  'http://[64:ff9b::e0e:e0e]/live', // NAT64 of 14.14.14.14, as DNS64 answers on an IPv6-only network
  'http://[2002:e0e:e0e::1]/live', // 6to4 of 14.14.14.14
  'http://radio.local.example.vn/live', // `local` as a label, not the suffix
];

describe('relayUrlProblem', () => {
  it.each(refused)('refuses %s as a local address (%s)', (url, host) => {
    const problem = relayUrlProblem(url);
    expect(problem).not.toBeNull();
    expect(problem!.en).toContain(`(${host})`);
    expect(problem!.vi).toContain(`nội bộ (${host})`);
  });

  it.each(accepted)('accepts %s', (url) => {
    expect(relayUrlProblem(url)).toBeNull();
  });

  it.each([
    'http://user@radio.example.vn/live',
    'http://user:secret@radio.example.vn/live',
    'http://:secret@radio.example.vn/live',
    'http://@radio.example.vn/live',
    'http://:@radio.example.vn/live',
    'https:radio.example.vn@10.0.0.5/live',
  ])('refuses userinfo in %s', (url) => {
    const problem = relayUrlProblem(url);
    expect(problem?.en).toMatch(/user name or password/);
    expect(problem?.vi).toMatch(/tên đăng nhập/);
  });

  it('stores the URL as it was checked, so a player with another parser reads the same host', () => {
    // WHATWG reads "\\" as "/": host radio.example.vn, path /@10.0.0.5/live; some parsers read 10.0.0.5.
    const url = 'http://radio.example.vn\\@10.0.0.5/live';
    expect(relayUrlProblem(url)).toBeNull();
    expect(normalRelayUrl(url)).toBe('http://radio.example.vn/@10.0.0.5/live');
    expect(normalRelayUrl('HTTP://Radio.Example.VN:80/vov1')).toBe('http://radio.example.vn/vov1');
    expect(normalRelayUrl('http://1.2.3/live')).toBe('http://1.2.0.3/live');
  });

  it('refuses what is not an http(s) URL, in both languages', () => {
    expect(relayUrlProblem('ftp://radio.example.vn/x')).toMatchObject({
      en: /http or https/,
      vi: /http:\/\//,
    });
    expect(relayUrlProblem('radio.example.vn/live')).toMatchObject({ vi: 'không phải là địa chỉ hợp lệ' });
    expect(relayUrlProblem('http://1.2.3.256/')).toMatchObject({ en: 'is not a valid URL' });
  });
});

describe('isPublicAddress', () => {
  it.each([
    ['14.225.0.10', true],
    ['2402:800::1', true],
    ['::ffff:14.225.0.10', true],
    ['64:ff9b::e0e:e0e', true],
    ['10.0.0.5', false],
    ['127.0.0.1', false],
    ['::1', false],
    ['fe80::1%eth0', false],
    ['::ffff:10.0.0.5', false],
    ['64:ff9b::a00:5', false],
    ['2002:a00:5::1', false],
    ['::a00:5', false],
    ['radio.example.vn', false],
    ['', false],
  ] as const)('%s → %s', (address, expected) => {
    expect(isPublicAddress(address)).toBe(expected);
  });
});
