import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCommuneFile } from '../../src/services/seed/commune-file.js';
import { createHarness, type Harness } from '../support/harness.js';

describe('commune settings', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.close());

  const patch = (token: string, json: unknown) =>
    h.request('/api/v1/commune', { method: 'PATCH', token, json });
  const lateItem = () =>
    h.request('/api/v1/broadcasts', {
      method: 'POST',
      token: h.tokens.head,
      json: {
        relay: { url: 'https://radio.example.vn/vov1', durationS: 300 },
        hamletIds: ['un-ta'],
        at: '2026-11-28T21:40:00+07:00',
      },
    });

  it('shows every role the commune and its rules', async () => {
    const res = await h.request('/api/v1/commune', { token: h.tokens.secretary });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      code: '02746',
      timeZone: 'Asia/Ho_Chi_Minh',
      settings: { quietHours: { start: '21:30', end: '05:30' }, approvalRequired: true },
    });
  });

  it('lets an admin change quiet hours, which new broadcasts then follow, and keeps the change over a re-seed', async () => {
    expect((await lateItem()).status).toBe(422);
    expect((await patch(h.tokens.officer, { quietHours: { start: '22:00', end: '05:00' } })).status).toBe(
      403,
    );
    const res = await patch(h.tokens.admin, { quietHours: { start: '22:00', end: '05:00' } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as any).settings.quietHours).toEqual({ start: '22:00', end: '05:00' });
    expect((await lateItem()).status).toBe(201);

    const file = parseCommuneFile('schedules/coc-san.json', readFileSync('schedules/coc-san.json', 'utf8'));
    await h.runtime.services.seed.applyCommuneFile(file);
    const after = (await (await h.request('/api/v1/commune', { token: h.tokens.admin })).json()) as any;
    expect(after.settings.quietHours).toEqual({ start: '22:00', end: '05:00' });
    const audit = await h.runtime.db.kysely
      .selectFrom('audit_log')
      .select('action')
      .where('action', '=', 'commune.update_settings')
      .execute();
    expect(audit).toHaveLength(1);
  });

  it('refuses bad settings naming the field', async () => {
    const res = await patch(h.tokens.admin, {
      slots: [{ name: 'morning', label: 'Sáng', start: '06:15', end: '05:30', maxAirTimeMin: 45 }],
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/slots\[0\]\.end: must be after start/);
    expect((await patch(h.tokens.admin, { audio: { integratedLufs: -3 } })).status).toBe(400);
    expect((await patch(h.tokens.admin, { timeZone: 'Europe/Paris' })).status).toBe(400);
  });
});
