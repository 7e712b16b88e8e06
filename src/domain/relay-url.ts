/**
 * Whether a relay stream URL is acceptable: `http(s)` only, and not a loopback, private, link-local or
 * unique-local address (a receiver must never be sent into the commune office's own network). Names are
 * checked as written; resolving them is the receiver's job.
 */
export function relayUrlProblem(raw: string): { en: string; vi: string } | null {
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
  if (url.username || url.password)
    return { en: 'must not contain credentials', vi: 'không được chứa tên đăng nhập hay mật khẩu' };
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (isPrivateHost(host)) {
    return {
      en: `points to a private or local address (${host})`,
      vi: `trỏ tới địa chỉ nội bộ (${host}), không phải đài phát thanh công khai`,
    };
  }
  return null;
}

function isPrivateHost(host: string): boolean {
  if (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    host.endsWith('.local') ||
    host.endsWith('.internal')
  )
    return true;
  const v4 = host.match(/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/);
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    return (
      a === 0 ||
      a === 10 ||
      a === 127 ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 100 && b >= 64 && b <= 127) ||
      a >= 224
    );
  }
  if (host.includes(':')) {
    if (host === '::1' || host === '::') return true;
    if (/^f[cd][0-9a-f]{2}:/.test(host) || /^fe[89ab][0-9a-f]:/.test(host)) return true;
    const mapped = host.match(/^::ffff:(.+)$/);
    if (mapped?.[1]) return mapped[1].includes('.') ? isPrivateHost(mapped[1]) : true;
  }
  return false;
}
