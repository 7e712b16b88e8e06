/** CAP 1.2 documents for tests, written as an alerting authority would send them. */
export interface CapFixture {
  readonly identifier: string;
  readonly sender?: string;
  readonly sent?: string;
  readonly status?: string;
  readonly msgType?: 'Alert' | 'Update' | 'Cancel';
  readonly references?: string;
  readonly severity?: string;
  readonly urgency?: string;
  readonly certainty?: string;
  readonly event?: string;
  readonly headline?: string;
  readonly instruction?: string;
  readonly description?: string;
  readonly expires?: string;
  /** The inner XML of one <area>, or none. */
  readonly area?: string | null;
  readonly namespace?: string;
  readonly extra?: string;
}

export const SENDER = 'kttv-laocai@nchmf.gov.vn';

/** Around Ún Tà (22.45 N, 103.96 E) only. */
export const polygonAroundUnTa =
  '<areaDesc>Thôn Ún Tà</areaDesc><polygon>22.44,103.95 22.44,103.97 22.46,103.97 22.46,103.95 22.44,103.95</polygon>';
export const geocodeCocSan =
  '<areaDesc>Xã Cốc San</areaDesc><geocode><valueName>VN-commune</valueName><value>02746</value></geocode>';

export function capXml(f: CapFixture): string {
  const area = f.area === undefined ? polygonAroundUnTa : f.area;
  return `<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="${f.namespace ?? 'urn:oasis:names:tc:emergency:cap:1.2'}">
  <identifier>${f.identifier}</identifier>
  <sender>${f.sender ?? SENDER}</sender>
  <sent>${f.sent ?? '2026-11-27T07:45:00+07:00'}</sent>
  <status>${f.status ?? 'Actual'}</status>
  <msgType>${f.msgType ?? 'Alert'}</msgType>
  <scope>Public</scope>${f.references ? `\n  <references>${f.references}</references>` : ''}
  <info>
    <language>vi-VN</language>
    <category>Met</category>
    <event>${f.event ?? 'Lũ quét'}</event>
    <urgency>${f.urgency ?? 'Immediate'}</urgency>
    <severity>${f.severity ?? 'Severe'}</severity>
    <certainty>${f.certainty ?? 'Observed'}</certainty>
    <expires>${f.expires ?? '2026-11-28T07:45:00+07:00'}</expires>
    <senderName>Đài Khí tượng Thủy văn tỉnh Lào Cai</senderName>
    <headline>${f.headline ?? 'Cảnh báo lũ quét trên suối Ún Tà'}</headline>
    <description>${f.description ?? 'Mưa lớn 150 mm trong 6 giờ qua. Xem https://kttv.example.vn/canh-bao/1'}</description>
    <instruction>${f.instruction ?? 'Người dân không qua suối, di chuyển lên chỗ cao'}</instruction>${area === null ? '' : `\n    <area>${area}</area>`}
  </info>${f.extra ?? ''}
</alert>`;
}
