import type { Context } from 'hono';
import { receiveUpload, type ReceivedUpload } from '../../upload.js';
import type { VariantSource } from '../../../services/announcements.service.js';
import type { MediaStore } from '../../../domain/ports.js';
import { assertFormToken, assertSameOrigin } from '../csrf.js';
import type { FormProblem } from '../forms.js';
import type { Messages } from '../i18n.js';

export interface PageUpload extends ReceivedUpload {
  /** Removes the received file, for a form that is refused before a service took it over. */
  discard(): Promise<void>;
}

/**
 * A page's multipart form, streamed with the API's own `receiveUpload` (limits, temporary file), then its
 * CSRF field checked; a forged post leaves no file behind.
 */
export async function receivePageUpload(
  c: Context,
  media: MediaStore,
  limitBytes: number,
): Promise<PageUpload> {
  assertSameOrigin(c);
  const upload = await receiveUpload(c, media, limitBytes);
  const discard = async () => {
    if (upload.file) await media.discard(upload.file.key);
  };
  try {
    assertFormToken(c, upload.fields._csrf);
  } catch (error) {
    await discard();
    throw error;
  }
  return { ...upload, discard };
}

/**
 * The source the form asked for: the typed text (an empty file part that browsers always send is dropped),
 * or the file, which must not be empty.
 */
export async function sourceFrom(
  upload: PageUpload,
  form: { readonly source: 'audio' | 'text'; readonly text?: string | undefined; readonly voice: string },
  m: Messages,
): Promise<{ source: VariantSource } | { problem: FormProblem }> {
  if (form.source === 'text') {
    await upload.discard();
    return { source: { kind: 'text', text: form.text!.normalize('NFC').trim(), voice: form.voice } };
  }
  if (!upload.file || upload.file.bytes === 0) {
    await upload.discard();
    return { problem: { general: m.fixBelow, fields: { file: m.needFileOrRecording }, status: 400 } };
  }
  const { key, bytes, filename } = upload.file;
  return { source: { kind: 'upload', key, bytes, filename: filename || 'ghi-am' } };
}
