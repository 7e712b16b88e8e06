import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { WASM_PART_BYTES, type VendorFile } from './ffmpeg-vendor.js';
import type { VendorSource } from './index.js';

const modules = fileURLToPath(new URL('../../../../node_modules/', import.meta.url));

/** ffmpeg's browser files from node_modules, the WebAssembly by parts (the Node profile serves them itself). */
export const nodeModulesVendor: VendorSource = async (file: VendorFile) => {
  const path = `${modules}${file.from}`;
  const size = await stat(path).then(
    (s) => s.size,
    () => undefined,
  );
  if (size === undefined) return null;
  const start = (file.part ?? 0) * WASM_PART_BYTES;
  const end = file.part === undefined ? size : Math.min(size, start + WASM_PART_BYTES);
  if (start >= end) return null;
  const body = Readable.toWeb(createReadStream(path, { start, end: end - 1 })) as ReadableStream<Uint8Array>;
  return { body, size: end - start };
};
