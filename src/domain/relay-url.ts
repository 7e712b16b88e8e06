import ipaddr from 'ipaddr.js';

/** Why a relay URL is refused, for the English `detail` and the Vietnamese `detailVi`. */
export interface RelayUrlProblem {
  readonly en: string;
  readonly vi: string;
}

/**
 * Name suffixes that only ever resolve inside a network: RFC 6761 (`localhost`), RFC 6762 (`local`, and
 * the private-use names of its appendix G), RFC 8375 (`home.arpa`), ICANN's 2024 reservation of
 * `internal`, and `localdomain` that many systems put in /etc/hosts.
 */
const LOCAL_SUFFIXES = [
  'localhost',
  'local',
  'localdomain',
  'internal',
  'home.arpa',
  'lan',
  'home',
  'intranet',
  'private',
  'corp',
] as const;

// RFC 6052's well-known NAT64 prefix embeds the IPv4 address in its last 32 bits; the local-use prefix
// of RFC 8215 is the network's own, like a unique-local address, and is refused whole.
const NAT64_WELL_KNOWN = ipaddr.IPv6.parseCIDR('64:ff9b::/96');

const ipv4FromParts = (high: number, low: number) =>
  new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);

/**
 * The IPv4 address that an IPv6 address stands for, when it is one of the forms that carry one:
 * IPv4-mapped and -translated (RFC 4291, 6145), IPv4-compatible (deprecated by RFC 4291 but still
 * routed to the embedded address by some stacks; ipaddr.js calls it `unicast`), NAT64 (RFC 6052) and
 * 6to4 (RFC 3056). Such an address is only as public as the IPv4 address inside it.
 */
function embeddedIPv4(ip: ipaddr.IPv6): ipaddr.IPv4 | null {
  const p = ip.parts;
  const range = ip.range();
  if (range === 'ipv4Mapped' || range === 'rfc6145') return ipv4FromParts(p[6]!, p[7]!);
  if (range === 'unicast' && p.slice(0, 6).every((part) => part === 0)) return ipv4FromParts(p[6]!, p[7]!);
  if (range === 'rfc6052' && ip.match(NAT64_WELL_KNOWN)) return ipv4FromParts(p[6]!, p[7]!);
  if (range === '6to4') return ipv4FromParts(p[1]!, p[2]!);
  return null;
}

/**
 * Whether an IP address is an ordinary public unicast address that a relay may point to. Everything
 * ipaddr.js puts in a special range is refused (loopback, private, link-local, unique-local, carrier-grade
 * NAT, reserved and documentation ranges, unspecified, multicast, broadcast, Teredo, local-use NAT64 …);
 * IPv6 forms that embed an IPv4 address are judged by that address, so a box on an IPv6-only network,
 * whose resolver answers `64:ff9b::<public IPv4>` (DNS64), still plays public radio. Not an address: false.
 *
 * @example isPublicAddress('14.225.0.10') === true; isPublicAddress('[::ffff:10.0.0.5]') === false
 */
export function isPublicAddress(address: string): boolean {
  const text = address.replace(/^\[(.*)\]$/, '$1');
  if (!ipaddr.isValid(text)) return false;
  const ip = ipaddr.parse(text);
  if (ip.kind() === 'ipv4') return ip.range() === 'unicast';
  const inner = embeddedIPv4(ip as ipaddr.IPv6);
  return inner ? inner.range() === 'unicast' : ip.range() === 'unicast';
}

/** Whether `host` (a URL's host name, without brackets) is an IP address rather than a name. */
export function isIpAddress(host: string): boolean {
  return ipaddr.isValid(host.replace(/^\[(.*)\]$/, '$1'));
}

/** A host name that can only mean a machine inside a local network (a router, `nas.lan`, `localhost`). */
export function isLocalName(name: string): boolean {
  // `localhost.` is `localhost` (a fully qualified name), and so is `localhost..` to WHATWG.
  const bare = name.replace(/\.+$/, '');
  if (!bare.includes('.')) return true;
  return LOCAL_SUFFIXES.some((suffix) => bare === suffix || bare.endsWith(`.${suffix}`));
}

// The authority of an http(s) URL runs from the slashes after the scheme to the next / \ ? or #
// (WHATWG); an `@` in it starts userinfo even when WHATWG then drops it as empty (`http://@host/`).
const USERINFO = /^[\s\0-\x1f]*[a-z][a-z0-9+.-]*:[/\\]*[^/\\?#]*@/i;

/** Whether a URL as written carries userinfo (`user:pass@`, even an empty `@`), which WHATWG may drop. */
export function hasUserinfo(raw: string, url: URL): boolean {
  return url.username !== '' || url.password !== '' || USERINFO.test(raw);
}

/**
 * Why a relay stream URL is refused, or null when it is fine: `http(s)` only, no userinfo, and a host
 * that is a public address or a public-looking name. The URL is read as WHATWG `new URL()` reads it, so
 * `http://2130706433/`, `http://0x7f.1/` and `http://127.1/` are all 127.0.0.1; store `url.href`
 * ({@link normalRelayUrl}) so that every box's player reads the same host. Names are not resolved here:
 * the box resolves them before it plays, with {@link isPublicAddress}.
 */
export function relayUrlProblem(raw: string): RelayUrlProblem | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { en: 'is not a valid URL', vi: 'không phải là địa chỉ hợp lệ' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return {
      en: `must be http or https, not ${url.protocol}`,
      vi: `phải bắt đầu bằng http:// hoặc https:// (không dùng ${url.protocol})`,
    };
  }
  if (hasUserinfo(raw, url))
    return {
      en: 'must not contain a user name or password (user@…)',
      vi: 'không được chứa tên đăng nhập hay mật khẩu (phần trước dấu @)',
    };
  const host = url.hostname;
  if (isIpAddress(host)) {
    if (isPublicAddress(host)) return null;
    return {
      en: `points to a private or local address (${host}); give the radio station's public stream address`,
      vi: `trỏ tới địa chỉ nội bộ (${host}), không phải đài phát thanh công khai; hãy dùng địa chỉ phát trực tuyến công khai của đài`,
    };
  }
  if (isLocalName(host)) {
    return {
      en: `names a machine of a local network (${host}); give the radio station's public stream address, with its full domain name`,
      vi: `là tên một máy trong mạng nội bộ (${host}), không phải đài phát thanh công khai; hãy dùng địa chỉ phát trực tuyến công khai của đài, có đủ tên miền (ví dụ https://…vn/…)`,
    };
  }
  return null;
}

/** The form of an accepted relay URL to store and hand to the boxes: WHATWG's serialisation. */
export function normalRelayUrl(raw: string): string {
  return new URL(raw).href;
}
