import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ffmpegBase, vendorFiles } from './ffmpeg-vendor.js';
import { nodeModulesVendor } from './vendor-files.node.js';

/**
 * Writes ffmpeg's browser files as Workers static assets (`wrangler.toml` runs this as its build
 * command): the same names and parts the Node profile serves, cached for good by `_headers`.
 */
export async function writeVendorAssets(dir: string): Promise<void> {
  for (const file of vendorFiles) {
    const found = await nodeModulesVendor(file);
    if (!found) throw new Error(`missing ${file.from}: run npm ci`);
    const target = join(dir, ffmpegBase, file.name);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, new Uint8Array(await new Response(found.body).arrayBuffer()));
  }
  writeFileSync(
    join(dir, '_headers'),
    `${ffmpegBase}/*\n  Cache-Control: public, max-age=31536000, immutable\n`,
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await writeVendorAssets(resolve(process.argv[2] ?? '.wrangler-assets'));
}
