import type { Context } from 'hono';
import type { MediaStore } from '../../../domain/ports/media-store.js';
import type { VariantSource } from '../../../services/announcement-intake.js';
import { receiveUpload, type ReceivedUpload } from '../../upload.js';
import { assertFormToken, assertSameOrigin } from '../csrf.js';
import type { FormProblem } from '../forms.js';
import type { Messages } from '../i18n.js';
import type { FormSource } from './send-form.js';

/**
 * A page's multipart form, streamed with the API's own `receiveUpload` (limits, temporary file), then its
 * CSRF field checked. The caller disposes the result (`await using`), so a forged or refused post leaves
 * no file behind.
 */
export async function receivePageUpload(
  c: Context,
  media: MediaStore,
  limitBytes: number,
  options: { readonly maxFields?: number } = {},
): Promise<ReceivedUpload> {
  assertSameOrigin(c);
  const upload = await receiveUpload(c, media, limitBytes, options);
  try {
    assertFormToken(c, upload.fields._csrf);
  } catch (error) {
    await upload[Symbol.asyncDispose]();
    throw error;
  }
  return upload;
}

/**
 * The source the form asked for: the typed text (an empty file part that browsers always send is left to
 * the upload's disposal), or the file, which must not be empty.
 */
export function sourceFrom(
  upload: ReceivedUpload,
  source: FormSource,
  m: Messages,
): { source: VariantSource } | { problem: FormProblem } {
  if (source.kind === 'text') return { source: { kind: 'text', text: source.text, voice: source.voice } };
  if (!upload.file || upload.file.bytes === 0) {
    return { problem: { general: m.fixBelow, fields: { file: m.needFileOrRecording }, status: 400 } };
  }
  return { source: { kind: 'upload', upload: upload.file } };
}
