import { describe, expect, it } from 'vitest';
import { abbreviationsVi } from '../../src/media/text/abbreviations-vi.js';
import { normaliseVi } from '../../src/media/text/normalise-vi.js';
import { readDecimal, readDigits, readNumber, SOUTHERN_STYLE } from '../../src/media/text/numbers-vi.js';

describe('readNumber', () => {
  it.each([
    [0, 'không'],
    [5, 'năm'],
    [10, 'mười'],
    [11, 'mười một'],
    [14, 'mười bốn'],
    [15, 'mười lăm'],
    [20, 'hai mươi'],
    [21, 'hai mươi mốt'],
    [24, 'hai mươi tư'],
    [25, 'hai mươi lăm'],
    [55, 'năm mươi lăm'],
    [100, 'một trăm'],
    [101, 'một trăm linh một'],
    [105, 'một trăm linh năm'],
    [110, 'một trăm mười'],
    [115, 'một trăm mười lăm'],
    [121, 'một trăm hai mươi mốt'],
    [1000, 'một nghìn'],
    [1005, 'một nghìn không trăm linh năm'],
    [1010, 'một nghìn không trăm mười'],
    [1279, 'một nghìn hai trăm bảy mươi chín'],
    [2026, 'hai nghìn không trăm hai mươi sáu'],
    [5173, 'năm nghìn một trăm bảy mươi ba'],
    [10_000, 'mười nghìn'],
    [21_000, 'hai mươi mốt nghìn'],
    [100_000, 'một trăm nghìn'],
    [1_000_500, 'một triệu năm trăm'],
    [1_005_000, 'một triệu không trăm linh năm nghìn'],
    [1_500_000, 'một triệu năm trăm nghìn'],
    [3_000_250, 'ba triệu hai trăm năm mươi'],
    [1_200_000_000, 'một tỷ hai trăm triệu'],
    [1_000_000_000_005, 'một nghìn tỷ không trăm linh năm'],
    [-7, 'âm bảy'],
  ])('%i → %s', (n, words) => {
    expect(readNumber(n)).toBe(words);
  });

  it('reads digit strings of any length and the southern style', () => {
    expect(readNumber('007')).toBe('bảy');
    expect(readNumber('25000000000000000000')).toBe('hai mươi lăm tỷ tỷ');
    expect(readNumber(105, SOUTHERN_STYLE)).toBe('một trăm lẻ năm');
    expect(readNumber(2000, SOUTHERN_STYLE)).toBe('hai ngàn');
    expect(() => readNumber(1.5)).toThrow();
  });

  it('reads digits one by one and decimals with "phẩy"', () => {
    expect(readDigits('0912')).toBe('không chín một hai');
    expect(readDecimal('2', '5')).toBe('hai phẩy năm');
    expect(readDecimal('3', '14')).toBe('ba phẩy mười bốn');
    expect(readDecimal('0', '05')).toBe('không phẩy không năm');
    expect(readDecimal('1', '23456')).toBe('một phẩy hai ba bốn năm sáu');
  });
});

describe('normaliseVi', () => {
  it.each([
    // Abbreviations
    ['UBND xã Cốc San thông báo', 'Ủy ban nhân dân xã Cốc San thông báo'],
    ['Họp HĐND và MTTQ', 'Họp Hội đồng nhân dân và Mặt trận Tổ quốc'],
    ['Nộp BHYT, BHXH và mang CCCD', 'Nộp bảo hiểm y tế, bảo hiểm xã hội và mang căn cước công dân'],
    ['Trường THCS và THPT', 'Trường trung học cơ sở và trung học phổ thông'],
    ['UBMTTQ, CSGT, PCCC', 'Ủy ban Mặt trận Tổ quốc, cảnh sát giao thông, phòng cháy chữa cháy'],
    ['về TP Lào Cai', 'về thành phố Lào Cai'],
    ['TP.HCM', 'Thành phố Hồ Chí Minh'],
    ['Quyết định số 12/QĐ-UBND', 'Quyết định số mười hai Quyết định Ủy ban nhân dân'],
    ['Ban chỉ đạo PCTT&TKCN', 'Ban chỉ đạo phòng chống thiên tai và tìm kiếm cứu nạn'],
    ['Đ/c Bí thư', 'đồng chí Bí thư'],
    // Dates
    ['ngày 26/11/2026', 'ngày hai mươi sáu tháng mười một năm hai nghìn không trăm hai mươi sáu'],
    [
      'Hạn chót 26/11/2026',
      'Hạn chót ngày hai mươi sáu tháng mười một năm hai nghìn không trăm hai mươi sáu',
    ],
    ['từ 01-12-2026', 'từ ngày một tháng mười hai năm hai nghìn không trăm hai mươi sáu'],
    ['Hạn chót 5/4', 'Hạn chót ngày năm tháng tư'],
    ['tháng 4/2026', 'tháng tư năm hai nghìn không trăm hai mươi sáu'],
    ['từ 26/11 - 15/12', 'từ ngày hai mươi sáu tháng mười một đến ngày mười lăm tháng mười hai'],
    // Times
    ['lúc 07:30 sáng', 'lúc bảy giờ ba mươi phút sáng'],
    ['lúc 7h30', 'lúc bảy giờ ba mươi phút'],
    ['lúc 7g30', 'lúc bảy giờ ba mươi phút'],
    ['lúc 7 giờ 30', 'lúc bảy giờ ba mươi phút'],
    ['lúc 7 giờ 30 phút', 'lúc bảy giờ ba mươi phút'],
    ['đúng 14h', 'đúng mười bốn giờ'],
    ['lúc 7h00', 'lúc bảy giờ'],
    ['từ 7h-9h', 'từ bảy giờ đến chín giờ'],
    ['lúc 19:30:15', 'lúc mười chín giờ ba mươi phút mười lăm giây'],
    // Phone numbers and codes
    ['Gọi 0912 345 678 khi cần', 'Gọi không chín một hai, ba bốn năm, sáu bảy tám khi cần'],
    ['số 0912.345.678', 'số không chín một hai, ba bốn năm, sáu bảy tám'],
    ['số 0912345678', 'số không chín một hai, ba bốn năm, sáu bảy tám'],
    ['+84 912 345 678', 'cộng tám tư, chín một hai, ba bốn năm, sáu bảy tám'],
    ['máy bàn 0214 3840 123', 'máy bàn không hai một bốn, ba tám bốn không, một hai ba'],
    ['đường dây nóng 1900 1234', 'đường dây nóng một chín không không, một hai ba bốn'],
    ['CCCD số 001234567890', 'căn cước công dân số không không một hai ba bốn năm sáu bảy tám chín không'],
    // Numbers
    ['07 ngày làm việc', 'bảy ngày làm việc'],
    [
      'dân số 5.173 người, 1.279 hộ',
      'dân số năm nghìn một trăm bảy mươi ba người, một nghìn hai trăm bảy mươi chín hộ',
    ],
    ['1,25 triệu', 'một phẩy hai mươi lăm triệu'],
    [
      'giai đoạn 2021-2025',
      'giai đoạn hai nghìn không trăm hai mươi mốt đến hai nghìn không trăm hai mươi lăm',
    ],
    ['Thứ 2 họp, thứ 4 nghỉ', 'Thứ hai họp, thứ tư nghỉ'],
    ['lần thứ 1', 'lần thứ nhất'],
    ['tháng 4 âm lịch', 'tháng tư âm lịch'],
    ['nhiệt độ -3°C', 'nhiệt độ âm ba độ C'],
    // Units and money
    ['đường dài 12 km', 'đường dài mười hai ki-lô-mét'],
    ['trồng 2,5 ha ngô', 'trồng hai phẩy năm héc-ta ngô'],
    ['hỗ trợ 50 kg gạo', 'hỗ trợ năm mươi ki-lô-gam gạo'],
    ['đạt 95%', 'đạt chín mươi lăm phần trăm'],
    [
      'rộng 3 m, cao 20 cm, mưa 150 mm',
      'rộng ba mét, cao hai mươi xăng-ti-mét, mưa một trăm năm mươi mi-li-mét',
    ],
    ['nhiệt độ 8°C, có nơi 5 oC', 'nhiệt độ tám độ C, có nơi năm độ C'],
    ['chở 3 tấn', 'chở ba tấn'],
    ['mức phí 1.500.000 đồng', 'mức phí một triệu năm trăm nghìn đồng'],
    ['giá 50.000đ', 'giá năm mươi nghìn đồng'],
    ['thu 20.000 VNĐ mỗi hộ', 'thu hai mươi nghìn đồng mỗi hộ'],
    ['tốc độ 40 km/h', 'tốc độ bốn mươi ki-lô-mét một giờ'],
    ['diện tích 2 m2', 'diện tích hai mét vuông'],
  ])('%s', (input, spoken) => {
    expect(normaliseVi(input)).toBe(spoken);
  });

  it('leaves tokens that only contain an abbreviation or a number alone', () => {
    expect(normaliseVi('TPHCM và tp')).toBe('TPHCM và tp');
    expect(normaliseVi('cúm H5N1')).toBe('cúm H5N1');
    expect(normaliseVi('5 mẫu ruộng')).toBe('năm mẫu ruộng');
  });

  it('turns line breaks into sentence ends and drops list bullets', () => {
    expect(normaliseVi('Thông báo\n- Họp lúc 7h\n- Mang CCCD')).toBe(
      'Thông báo. Họp lúc bảy giờ. Mang căn cước công dân',
    );
  });

  it('returns NFC, also for text typed in decomposed form', () => {
    const out = normaliseVi('Thông báo của Ủy ban ngày 26/11'.normalize('NFD'));
    expect(out).toBe(out.normalize('NFC'));
    expect(out).toBe('Thông báo của Ủy ban ngày hai mươi sáu tháng mười một');
  });

  it('reads with a table extended by the caller, and in the southern style', () => {
    const abbreviations = { ...abbreviationsVi, HTXNN: 'hợp tác xã nông nghiệp' };
    expect(normaliseVi('HTXNN Cốc San', { abbreviations })).toBe('hợp tác xã nông nghiệp Cốc San');
    expect(normaliseVi('105 hộ', { style: SOUTHERN_STYLE })).toBe('một trăm lẻ năm hộ');
  });

  it('leaves no digit in a long announcement', () => {
    const notice =
      'UBND xã Cốc San thông báo: từ 7h30 ngày 26/11/2026 đến 17h ngày 15/12/2026, tiêm phòng cho 1.279 hộ ' +
      '(khoảng 95% đàn vật nuôi), mức hỗ trợ 50.000đ/con. Liên hệ 0912 345 678 hoặc 0214.3840.123.';
    expect(normaliseVi(notice)).not.toMatch(/\d/);
  });
});
