/**
 * Addresses of the pages. Vietnamese words without diacritics, because cadres read and type them on a
 * phone; every page lives under one of `pagePrefixes`, so the API's checks can tell pages apart.
 */
export const paths = {
  home: '/',
  signIn: '/dang-nhap',
  signOut: '/dang-xuat',
  /** The signed-in person's own account: their password. */
  account: '/tai-khoan',
  language: (lang: string) => `/ngon-ngu/${lang}`,
  assets: '/tai-nguyen',
  send: '/thong-bao/gui',
  mine: '/thong-bao',
  announcement: (id: string) => `/thong-bao/${encodeURIComponent(id)}`,
  retry: (id: string) => `/thong-bao/${encodeURIComponent(id)}/xu-ly-lai`,
  variant: (id: string) => `/thong-bao/${encodeURIComponent(id)}/ban-dich`,
  withdraw: (id: string) => `/thong-bao/${encodeURIComponent(id)}/rut-lai`,
  /** A version's audio for signed-in staff, whatever the content's state (`/media` is public). */
  variantAudio: (id: string, variantId: string, ext: string) =>
    `/thong-bao/${encodeURIComponent(id)}/am-thanh/${encodeURIComponent(variantId)}.${ext}`,
  decideApprove: (id: string) => `/thong-bao/${encodeURIComponent(id)}/duyet`,
  decideReject: (id: string) => `/thong-bao/${encodeURIComponent(id)}/tu-choi`,
  schedule: '/lich-phat',
  hamletSchedule: (hamletId: string) => `/lich-phat/${encodeURIComponent(hamletId)}`,
  cancel: (hamletId: string, broadcastId: string) =>
    `/lich-phat/${encodeURIComponent(hamletId)}/huy/${encodeURIComponent(broadcastId)}`,
  monitor: '/giam-sat',
  remoteControl: '/giam-sat/dieu-khien',
  /** The monitor page's remote control with this receiver chosen. */
  remoteControlOf: (receiverId: string) => `/giam-sat?lenh=${encodeURIComponent(`r:${receiverId}`)}#remote`,
  disaster: '/giam-sat/thien-tai',
  disasterIssue: '/giam-sat/thien-tai/ban-tin',
  disasterIssueConfirm: '/giam-sat/thien-tai/ban-tin/xac-nhan',
  capAir: (id: string) => `/giam-sat/thien-tai/cap/${encodeURIComponent(id)}/phat`,
  capDismiss: (id: string) => `/giam-sat/thien-tai/cap/${encodeURIComponent(id)}/bo-qua`,
  approve: (id: string) => `/giam-sat/duyet/${encodeURIComponent(id)}`,
  reject: (id: string) => `/giam-sat/tu-choi/${encodeURIComponent(id)}`,
  emergency: '/giam-sat/khan-cap',
  coverage: '/giam-sat/bao-cao',
  coverageCsv: '/giam-sat/bao-cao.csv',
  emergencyReview: '/giam-sat/khan-cap/xac-nhan',
  emergencySent: (broadcastId: string) => `/giam-sat/khan-cap/da-gui/${encodeURIComponent(broadcastId)}`,
  broadcastPlayback: (id: string) => `/giam-sat/phat/${encodeURIComponent(id)}`,
  occurrencePlayback: (id: string) => `/giam-sat/luot-phat/${encodeURIComponent(id)}`,
  receiverDay: (id: string, date?: string) =>
    `/giam-sat/cum-loa/${encodeURIComponent(id)}${date ? `?ngay=${date}` : ''}`,
  admin: '/quan-tri',
  province: '/tinh',
  switchCommune: '/tinh/xem-xa',
  newCommune: '/tinh/xa/moi',
  deleteCommune: (id: string) => `/tinh/xa/${encodeURIComponent(id)}/xoa`,
  provinceReport: '/tinh/bao-cao',
  provinceReportCsv: '/tinh/bao-cao.csv',
  provinceReportJson: '/tinh/bao-cao.json',
  provinceAirTimeCsv: '/tinh/bao-cao/thoi-luong.csv',
  machineTokens: '/tinh/ma-may',
  revokeToken: (id: string) => `/tinh/ma-may/${encodeURIComponent(id)}/thu-hoi`,
  bulletins: '/tinh/ban-tin',
  bulletin: (id: string) => `/tinh/ban-tin/${encodeURIComponent(id)}`,
  sendBulletin: (id: string) => `/tinh/ban-tin/${encodeURIComponent(id)}/gui`,
  inbox: '/ban-tin',
  scheduleBulletin: (id: string) => `/ban-tin/${encodeURIComponent(id)}/xep-lich`,
  declineBulletin: (id: string) => `/ban-tin/${encodeURIComponent(id)}/tu-choi`,
  orderBulletin: (id: string) => `/ban-tin/${encodeURIComponent(id)}/thu-tu`,
  webhooks: '/tinh/webhook',
  webhook: (id: string) => `/tinh/webhook/${encodeURIComponent(id)}`,
  disableWebhook: (id: string) => `/tinh/webhook/${encodeURIComponent(id)}/tat`,
  hamlets: '/quan-tri/thon',
  hamlet: (id: string) => `/quan-tri/thon/${encodeURIComponent(id)}`,
  deleteHamlet: (id: string) => `/quan-tri/thon/${encodeURIComponent(id)}/xoa`,
  users: '/quan-tri/nguoi-dung',
  user: (id: string) => `/quan-tri/nguoi-dung/${encodeURIComponent(id)}`,
  receivers: '/quan-tri/cum-loa',
  receiver: (id: string) => `/quan-tri/cum-loa/${encodeURIComponent(id)}`,
  receiverState: (id: string) => `/quan-tri/cum-loa/${encodeURIComponent(id)}/trang-thai`,
  rotate: (id: string) => `/quan-tri/cum-loa/${encodeURIComponent(id)}/doi-ma`,
  /** Public: what aired in a commune (by its code) or one of its hamlets, and the podcast feed of each. */
  listenAgain: (communeCode: string, hamletId?: string) =>
    `/nghe-lai/${encodeURIComponent(communeCode)}${hamletId ? `/${encodeURIComponent(hamletId)}` : ''}`,
  listenAgainFeed: (communeCode: string, hamletId?: string) =>
    `/nghe-lai/${encodeURIComponent(communeCode)}${hamletId ? `/${encodeURIComponent(hamletId)}` : ''}/rss.xml`,
} as const;

export const pagePrefixes = [
  '/dang-nhap',
  '/dang-xuat',
  '/tai-khoan',
  '/ngon-ngu',
  '/tai-nguyen',
  '/thong-bao',
  '/lich-phat',
  '/giam-sat',
  '/quan-tri',
  '/tinh',
  '/ban-tin',
  '/nghe-lai',
] as const;

/** Whether `path` is one of the pages (or their static files) rather than the API. */
export function isPagePath(path: string): boolean {
  return (
    path === '/' ||
    pagePrefixes.some((p) => path === p || path.startsWith(`${p}/`) || path.startsWith(`${p}.`))
  );
}

/** Multipart form posts of the pages without JavaScript: the CSRF token travels inside the body. */
export function isMultipartPagePost(method: string, path: string, contentType: string | undefined): boolean {
  return (
    method === 'POST' &&
    !!contentType?.startsWith('multipart/form-data') &&
    (path === paths.send ||
      /^\/thong-bao\/[^/]+\/ban-dich$/.test(path) ||
      path === paths.emergency ||
      path === paths.disasterIssue)
  );
}

// C0 and C1 control characters and DEL. Browsers drop tabs and newlines from a Location, so `/\t/evil.example`
// arrives as `//evil.example`, and CR or LF in a header value is refused outright by the Fetch API.
const controls = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * A `next=` target is followed only when it is a path on this site: it starts with one `/`, has no
 * backslash or control character (also once percent-decoded), and resolved against `origin` stays on it.
 * Returns the path as the URL parser writes it, or undefined.
 *
 * @example safeNext('/lich-phat?tuan=2', 'http://loa.example') // '/lich-phat?tuan=2'
 * @example safeNext('/\t/evil.example', 'http://loa.example') // undefined
 */
export function safeNext(next: string | undefined | null, origin: string): string | undefined {
  if (!next) return undefined;
  let decoded: string;
  try {
    decoded = decodeURIComponent(next);
  } catch {
    return undefined;
  }
  for (const text of [next, decoded]) {
    if (!text.startsWith('/') || text.startsWith('//') || text.includes('\\') || controls.test(text))
      return undefined;
  }
  let url: URL;
  try {
    url = new URL(next, origin);
  } catch {
    return undefined;
  }
  // `/.//evil.example` resolves to the path `//evil.example`, which a browser reads as another host.
  if (url.origin !== origin || url.pathname.startsWith('//')) return undefined;
  return `${url.pathname}${url.search}${url.hash}`;
}
