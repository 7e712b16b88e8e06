import type { Lang } from './i18n.js';

/** The words of the form that issues a disaster bulletin (phát bản tin thiên tai), Vietnamese first. */
const vi = {
  issueTitle: 'Phát bản tin thiên tai',
  issueLink: 'Phát bản tin thiên tai mới',
  issueIntro:
    'Bản tin phát ngay như tin khẩn cấp, rồi phát lại mỗi 2 giờ vào đầu giờ, mỗi lượt mở đầu bằng lời dẫn đọc giờ ban hành; bản tin mới của cùng sự kiện thay thế bản tin trước.',
  event: 'Sự kiện thiên tai',
  newEvent: 'Sự kiện mới',
  eventName: 'Tên sự kiện mới (ví dụ: Bão số 3)',
  hazardType: 'Loại thiên tai',
  hazardOfEvent: 'Như sự kiện đã chọn',
  riskLevel: 'Cấp độ rủi ro thiên tai (QĐ 18/2021)',
  agency: 'Cơ quan ban hành',
  agencyHint: 'Ví dụ: Đài Khí tượng Thủy văn tỉnh Lào Cai',
  issuedDate: 'Ngày ban hành',
  issuedTime: 'Giờ ban hành',
  issuedHint: 'Giờ cơ quan ban hành bản tin; lời dẫn sẽ đọc giờ này trước mỗi lượt phát.',
  pickLevel: 'Hãy chọn cấp độ rủi ro từ 1 đến 5.',
  confirmTitle: 'Xác nhận phát bản tin thiên tai',
  confirmText: 'Bản tin sẽ phát ngay trên các cụm loa đã chọn và thay thế bản tin đang phát của sự kiện này.',
  issue: 'Phát bản tin',
  issued: 'Đã phát bản tin thiên tai.',
  issuedWaiting:
    'Bản tin đang chờ máy xử lý âm thanh đọc lời dẫn giờ ban hành; bản tin sẽ được phát ngay khi đọc xong.',
  bulletinOf: (event: string) => `Bản tin của sự kiện "${event}"`,
};

const en: typeof vi = {
  issueTitle: 'Issue a disaster bulletin',
  issueLink: 'Issue a new disaster bulletin',
  issueIntro:
    'The bulletin airs at once as an emergency, then again every 2 hours on the hour, each airing opened by a spoken header with its issue time; a newer bulletin of the same event replaces the one before.',
  event: 'Disaster event',
  newEvent: 'New event',
  eventName: 'Name of the new event (e.g. Storm no. 3)',
  hazardType: 'Hazard',
  hazardOfEvent: 'As the chosen event',
  riskLevel: 'Disaster risk level (QĐ 18/2021)',
  agency: 'Issuing agency',
  agencyHint: 'E.g. Lào Cai hydro-meteorological station',
  issuedDate: 'Issue date',
  issuedTime: 'Issue time',
  issuedHint: 'When the agency issued the bulletin; the header reads this time before every airing.',
  pickLevel: 'Choose a risk level from 1 to 5.',
  confirmTitle: 'Confirm the disaster bulletin',
  confirmText:
    'The bulletin airs at once on the chosen hamlets and replaces the bulletin of this event now on the air.',
  issue: 'Issue the bulletin',
  issued: 'The disaster bulletin is on the air.',
  issuedWaiting:
    'The bulletin waits for a processing node to speak its header; it goes on the air as soon as that is done.',
  bulletinOf: (event: string) => `Bulletin of the event "${event}"`,
};

export type DisasterMessages = typeof vi;

export const disasterMessages = (lang: Lang): DisasterMessages => (lang === 'vi' ? vi : en);
