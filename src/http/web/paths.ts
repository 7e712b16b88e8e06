/**
 * Addresses of the pages. Vietnamese words without diacritics, because cadres read and type them on a
 * phone; every page lives under one of `pagePrefixes`, so the API's checks can tell pages apart.
 */
export const paths = {
  home: '/',
  signIn: '/dang-nhap',
  signOut: '/dang-xuat',
  language: (lang: string) => `/ngon-ngu/${lang}`,
  assets: '/tai-nguyen',
  send: '/thong-bao/gui',
  mine: '/thong-bao',
  announcement: (id: string) => `/thong-bao/${encodeURIComponent(id)}`,
  retry: (id: string) => `/thong-bao/${encodeURIComponent(id)}/xu-ly-lai`,
  variant: (id: string) => `/thong-bao/${encodeURIComponent(id)}/ban-dich`,
  schedule: '/lich-phat',
  hamletSchedule: (hamletId: string) => `/lich-phat/${encodeURIComponent(hamletId)}`,
  cancel: (hamletId: string, broadcastId: string) =>
    `/lich-phat/${encodeURIComponent(hamletId)}/huy/${encodeURIComponent(broadcastId)}`,
  monitor: '/giam-sat',
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
  hamlets: '/quan-tri/thon',
  hamlet: (id: string) => `/quan-tri/thon/${encodeURIComponent(id)}`,
  deleteHamlet: (id: string) => `/quan-tri/thon/${encodeURIComponent(id)}/xoa`,
  users: '/quan-tri/nguoi-dung',
  user: (id: string) => `/quan-tri/nguoi-dung/${encodeURIComponent(id)}`,
  receivers: '/quan-tri/cum-loa',
  receiver: (id: string) => `/quan-tri/cum-loa/${encodeURIComponent(id)}`,
  receiverState: (id: string) => `/quan-tri/cum-loa/${encodeURIComponent(id)}/trang-thai`,
  rotate: (id: string) => `/quan-tri/cum-loa/${encodeURIComponent(id)}/doi-ma`,
} as const;

export const pagePrefixes = [
  '/dang-nhap',
  '/dang-xuat',
  '/ngon-ngu',
  '/tai-nguyen',
  '/thong-bao',
  '/lich-phat',
  '/giam-sat',
  '/quan-tri',
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
    (path === paths.send || /^\/thong-bao\/[^/]+\/ban-dich$/.test(path) || path === paths.emergency)
  );
}

/** A `next=` target is followed only when it is a path on this site, never another origin. */
export function safeNext(next: string | undefined | null): string | undefined {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.includes('\\') ? next : undefined;
}
