import { describe, expect, it } from 'vitest';
import { enrolmentText, parseEnrolment } from '../../../src/domain/receiver/enrolment.js';

const token = 'Zq3_x-'.repeat(7).slice(0, 43);

describe('enrolment text (the QR code of a receiver)', () => {
  it('carries the server, the receiver and its token, and reads back', () => {
    const text = enrolmentText({ server: 'http://192.168.1.10:3000', receiverId: 'rx-un-ta-1', token });
    expect(text).toBe(`loa-receiver:?server=http%3A%2F%2F192.168.1.10%3A3000&id=rx-un-ta-1&token=${token}`);
    expect(parseEnrolment(text)).toEqual({
      ok: true,
      value: { server: 'http://192.168.1.10:3000', token, receiverId: 'rx-un-ta-1' },
    });
  });

  it('reads what a person copies or a QR app shows: spaces around it, a trailing slash, no id', () => {
    expect(parseEnrolment(`  loa-receiver:?server=https://loa.cocsan.vn/&token=${token}\n`)).toEqual({
      ok: true,
      value: { server: 'https://loa.cocsan.vn', token, receiverId: null },
    });
  });

  it('says what is wrong with anything else', () => {
    expect(parseEnrolment(`https://loa.cocsan.vn/?token=${token}`)).toMatchObject({ ok: false });
    expect(parseEnrolment(`loa-receiver:?server=ftp://x&token=${token}`)).toEqual({
      ok: false,
      error: 'its server must be an http(s) URL',
    });
    expect(parseEnrolment('loa-receiver:?server=http://x&token=short')).toEqual({
      ok: false,
      error: 'its token is missing or malformed',
    });
  });
});
