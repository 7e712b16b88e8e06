import { writeFileSync } from 'node:fs';
import { z } from 'zod';
import { communeFileJsonSchema, provinceFileSchema } from '../services/seed/commune-file.js';

/** Regenerates the JSON Schemas of `schedules/` from the zod schemas (`npm run schema`). */
const write = (name: string, schema: unknown) => {
  const target = new URL(`../../schedules/${name}`, import.meta.url);
  writeFileSync(target, `${JSON.stringify(schema, null, 2)}\n`);
  process.stdout.write(`wrote ${target.pathname}\n`);
};
write('commune.schema.json', communeFileJsonSchema());
write('province.schema.json', z.toJSONSchema(provinceFileSchema, { io: 'input', unrepresentable: 'any' }));
