import { writeFileSync } from 'node:fs';
import { communeFileJsonSchema } from '../services/seed/commune-file.js';

/** Regenerates `schedules/commune.schema.json` from the zod schema (`npm run schema`). */
const target = new URL('../../schedules/commune.schema.json', import.meta.url);
writeFileSync(target, `${JSON.stringify(communeFileJsonSchema(), null, 2)}\n`);
process.stdout.write(`wrote ${target.pathname}\n`);
