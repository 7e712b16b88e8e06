import type { Lang } from './i18n.js';

/** The words of the province's commune pages (các xã, xã mới, chuyển xã), Vietnamese first. */
const vi = {
  communesNav: 'Các xã',
  communesTitle: 'Các xã trong tỉnh',
  communesIntro:
    'Mỗi xã chỉ thấy dữ liệu của mình. Cán bộ tỉnh chọn một xã để xem thông báo, lịch phát, cụm loa và báo cáo của xã đó (chỉ xem, không sửa).',
  commune: 'Xã',
  code: 'Mã số xã',
  receiversOnline: 'Cụm loa trực tuyến',
  receiversOnlineOf: (online: number, total: number) => `${online}/${total}`,
  viewing: 'Đang xem',
  view: 'Xem xã này',
  noCommunes: 'Tỉnh chưa có xã nào.',
  switcherLabel: 'Xã đang xem',
  switcherForm: 'Chọn xã để xem',
  switchTo: 'Chuyển xã',
  newCommune: 'Thêm xã mới',
  newCommuneTitle: 'Thêm xã mới',
  newCommuneIntro:
    'Xã mới bắt đầu với hai buổi phát (sáng 05:30–06:15, chiều 17:00–17:45), giờ yên tĩnh 21:30–05:30 và yêu cầu duyệt nội dung; quản trị viên của xã thêm thôn, cụm loa và người dùng.',
  name: 'Tên xã',
  nameHint: 'Ví dụ: Xã Bản Xèo',
  codeHint: 'Mã số đơn vị hành chính 5 chữ số, ví dụ 02755',
  adminUsername: 'Tên đăng nhập của quản trị viên xã',
  adminUsernameHint: 'Để trống nếu sẽ thêm quản trị viên sau.',
  adminName: 'Họ tên quản trị viên xã',
  create: 'Tạo xã',
  created: (name: string) => `Đã tạo ${name}.`,
  passwordOnce:
    'Mật khẩu này chỉ hiện một lần: hãy chép và trao tận tay cho quản trị viên xã. Máy chủ chỉ lưu bản băm, không xem lại được.',
  username: 'Tên đăng nhập',
  password: 'Mật khẩu',
  adminNameRequired: 'Hãy nhập họ tên quản trị viên xã.',
  backToCommunes: 'Về danh sách xã',
  delete: 'Xóa xã',
  deleteQuestion: (name: string) =>
    `Xóa ${name}? Người dùng của xã không đăng nhập được nữa, các cụm loa bị từ chối ngay; lịch sử phát vẫn được giữ.`,
  confirmDelete: 'Xác nhận xóa xã',
  deleted: 'Đã xóa xã.',
};

export type TenancyMessages = {
  readonly [K in keyof typeof vi]: (typeof vi)[K] extends (...args: infer A) => string
    ? (...args: A) => string
    : string;
};

const en: TenancyMessages = {
  communesNav: 'Communes',
  communesTitle: 'Communes of the province',
  communesIntro:
    'Each commune sees only its own data. Province staff choose a commune to look at its announcements, schedules, receivers and reports (read-only).',
  commune: 'Commune',
  code: 'Commune code',
  receiversOnline: 'Receivers online',
  receiversOnlineOf: (online, total) => `${online}/${total}`,
  viewing: 'Viewing',
  view: 'View this commune',
  noCommunes: 'The province has no communes yet.',
  switcherLabel: 'Commune shown',
  switcherForm: 'Choose the commune to view',
  switchTo: 'Switch',
  newCommune: 'Add a commune',
  newCommuneTitle: 'Add a commune',
  newCommuneIntro:
    'A new commune starts with two standing slots (05:30–06:15, 17:00–17:45), quiet hours 21:30–05:30 and approval required; its admin adds hamlets, receivers and users.',
  name: 'Commune name',
  nameHint: 'For example: Xã Bản Xèo',
  codeHint: 'The 5-digit administrative code, e.g. 02755',
  adminUsername: "Commune admin's username",
  adminUsernameHint: 'Leave empty to add the admin later.',
  adminName: "Commune admin's full name",
  create: 'Create the commune',
  created: (name) => `${name} created.`,
  passwordOnce:
    'This password is shown only once: copy it and hand it to the commune admin in person. The server keeps only a hash.',
  username: 'Username',
  password: 'Password',
  adminNameRequired: "Enter the commune admin's full name.",
  backToCommunes: 'Back to the communes',
  delete: 'Delete',
  deleteQuestion: (name) =>
    `Delete ${name}? Its users can no longer sign in and its receivers are refused at once; its history is kept.`,
  confirmDelete: 'Confirm deletion',
  deleted: 'Commune deleted.',
};

export const tenancyMessages: Readonly<Record<Lang, TenancyMessages>> = { vi, en };
