import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { page, signInPage, type CookieSession } from '../e2e/support.js';
import { dialects } from '../support/databases.js';
import type { Harness } from '../support/harness.js';
import { createHarness } from '../support/harness.js';

interface Problem {
  status: number;
  detail: string;
  detailVi: string;
  errors: { field: string; message: string; messageVi: string }[];
}

/**
 * Days a report cannot cover: the calendar's last days (the day after the range's end would have five
 * digits) and years 0–99, which `Date` reads as 1900–1999. The API refuses them as problems naming the
 * field, the pages show their form with the reason beside the field; none of them answers 200 or 500.
 */
describe.each(dialects)('report ranges at the ends of the calendar on %s', (dialect) => {
  let h: Harness;
  let officer: CookieSession;

  beforeAll(async () => {
    h = await createHarness(dialect);
    officer = await signInPage(h, 'officer');
  });
  afterAll(() => h.close());

  const problem = async (res: Response, field: string): Promise<Problem> => {
    expect(res.status, await res.clone().text()).toBe(422);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const body = (await res.json()) as Problem;
    expect(body.errors.map((e) => e.field)).toEqual([field]);
    return body;
  };

  it('refuses the calendar’s last day and years before 2000 in the coverage API, naming the field', async () => {
    const get = (query: string) =>
      h.request(`/api/v1/reports/coverage?${query}`, { token: h.tokens.officer });
    for (const [query, field, value] of [
      ['from=9999-12-30&to=9999-12-31', 'to', '9999-12-31'],
      ['from=9999-12-31T00:00:00%2B07:00&to=9999-12-31T23:00:00-14:00', 'from', '9999-12-31T00:00:00+07:00'],
      ['from=0050-01-01&to=0050-01-02', 'from', '0050-01-01'],
      ['from=0050-01-01T00:00:00Z&to=0050-01-02T00:00:00Z', 'from', '0050-01-01T00:00:00Z'],
      ['from=1999-12-01&to=2000-01-02', 'from', '1999-12-01'],
    ] as const) {
      const body = await problem(await get(query), field);
      expect(body.detail, query).toBe(
        `Reports cover the days from 2000-01-01 to 9999-12-30 (got "${value}").`,
      );
      expect(body.detailVi).toMatch(/^Báo cáo chỉ có cho các ngày từ 01\/01\/2000 đến 30\/12\/9999; ngày /);
    }
    const ok = await get('from=2000-01-01&to=2000-01-02');
    expect(ok.status, await ok.clone().text()).toBe(200);
  });

  it('shows the coverage form with the reason beside the field, never an error page', async () => {
    const errorOf = (html: string, field: string) =>
      new RegExp(`id="${field}-error"[^>]*>([^<]*)<`).exec(html)?.[1];
    for (const [query, errors] of [
      ['tu=9999-12-30&den=9999-12-31', { den: '9999-12-31' }],
      ['den=9999-12-31', { den: '9999-12-31' }],
      ['tu=0050-01-01&den=0050-01-07', { tu: '0050-01-01', den: '0050-01-07' }],
      // The start the page works out from such an end is no 1950 of its own making.
      ['den=0050-01-07', { den: '0050-01-07' }],
    ] as const) {
      const res = await page(h, `/giam-sat/bao-cao?${query}`, officer);
      expect(res.status, query).toBe(400);
      const html = await res.text();
      for (const field of ['tu', 'den'] as const) {
        const day = (errors as Partial<Record<'tu' | 'den', string>>)[field];
        expect(errorOf(html, field), `${query} ${field}`).toBe(
          day &&
            `Báo cáo chỉ có cho các ngày từ 01/01/2000 đến 30/12/9999; ngày ${day.split('-').reverse().join('/')} nằm ngoài khoảng đó.`,
        );
      }
      expect(html, query).not.toContain('1950');
      // Its CSV sends the officer back to the form.
      const csv = await page(h, `/giam-sat/bao-cao.csv?${query}`, officer);
      expect(csv.status, query).toBe(303);
      expect(csv.headers.get('location')).toMatch(/^\/giam-sat\/bao-cao\?tu=/);
    }
  });
});
