import { describe, expect, it } from 'vitest';
import { normaliseVi } from './normalise-vi.js';
import { readDigits, readNumber } from './numbers-vi.js';

describe('readNumber', () => {
  it.each([
    [0, 'không'],
    [5, 'năm'],
    [10, 'mười'],
    [11, 'mười một'],
    [15, 'mười lăm'],
    [21, 'hai mươi mốt'],
    [24, 'hai mươi tư'],
    [25, 'hai mươi lăm'],
    [105, 'một trăm linh năm'],
    [110, 'một trăm mười'],
    [1005, 'một nghìn không trăm linh năm'],
    [2026, 'hai nghìn không trăm hai mươi sáu'],
    [1_500_000, 'một triệu năm trăm nghìn'],
    [3_000_250, 'ba triệu hai trăm năm mươi'],
    [1_200_000_000, 'một tỷ hai trăm triệu'],
  ])('%i → %s', (n, words) => {
    expect(readNumber(n)).toBe(words);
  });

  it('reads digits one by one', () => {
    expect(readDigits('0912')).toBe('không chín một hai');
  });
});

describe('normaliseVi', () => {
  it.each([
    ['UBND xã Cốc San thông báo', 'Ủy ban nhân dân xã Cốc San thông báo'],
    ['Họp HĐND và MTTQ', 'Họp Hội đồng nhân dân và Mặt trận Tổ quốc'],
    ['Nộp BHYT, BHXH và mang CCCD', 'Nộp bảo hiểm y tế, bảo hiểm xã hội và mang căn cước công dân'],
    ['Trường THCS Cốc San', 'Trường trung học cơ sở Cốc San'],
    ['ngày 26/11/2026', 'ngày hai mươi sáu tháng mười một năm hai nghìn không trăm hai mươi sáu'],
    ['Hạn chót 5/4', 'Hạn chót ngày năm tháng tư'],
    ['lúc 07:30 sáng', 'lúc bảy giờ ba mươi phút sáng'],
    ['lúc 7h30', 'lúc bảy giờ ba mươi phút'],
    ['đúng 14h', 'đúng mười bốn giờ'],
    ['Gọi 0912 345 678 khi cần', 'Gọi không chín một hai ba bốn năm sáu bảy tám khi cần'],
    ['đường dài 12 km', 'đường dài mười hai ki-lô-mét'],
    ['trồng 2,5 ha ngô', 'trồng hai phẩy năm héc-ta ngô'],
    ['hỗ trợ 50 kg gạo', 'hỗ trợ năm mươi ki-lô-gam gạo'],
    ['đạt 95%', 'đạt chín mươi lăm phần trăm'],
    ['mức phí 1.500.000 đồng', 'mức phí một triệu năm trăm nghìn đồng'],
    ['giá 50.000đ', 'giá năm mươi nghìn đồng'],
    ['nhiệt độ 8°C', 'nhiệt độ tám độ C'],
    ['Thứ 2 họp lúc 7 giờ', 'Thứ hai họp lúc bảy giờ'],
  ])('%s', (input, spoken) => {
    expect(normaliseVi(input)).toBe(spoken);
  });

  it('leaves words that only contain an abbreviation alone and returns NFC', () => {
    expect(normaliseVi('TPHCM và tp')).toBe('TPHCM và tp');
    const out = normaliseVi('Thông báo'.normalize('NFD'));
    expect(out).toBe(out.normalize('NFC'));
  });
});
