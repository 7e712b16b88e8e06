import { describe, expect, it } from 'vitest';
import { multipartBoundary, MultipartError, readMultipart } from '../../src/http/multipart.js';

const limits = { maxFieldBytes: 1024, maxTotalFieldBytes: 2048, maxFields: 10, maxHeaderBytes: 4096 };

function streamOf(bytes: Uint8Array, chunkSize: number): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(offset, offset + chunkSize));
      offset += chunkSize;
    },
  });
}

async function encode(form: FormData): Promise<{ bytes: Uint8Array; boundary: string }> {
  const request = new Request('http://x/', { method: 'POST', body: form });
  const boundary = multipartBoundary(request.headers.get('content-type') ?? undefined)!;
  return { bytes: new Uint8Array(await request.arrayBuffer()), boundary };
}

async function collect(bytes: Uint8Array, boundary: string, chunkSize: number) {
  const fields: Record<string, string> = {};
  const files: { field: string; filename: string; contentType: string; bytes: number[] }[] = [];
  await readMultipart(
    streamOf(bytes, chunkSize),
    boundary,
    {
      onField: (name, value) => {
        fields[name] = value;
      },
      onFile: async (info) => {
        const file = { ...info, bytes: [] as number[] };
        files.push(file);
        return { write: async (chunk) => void file.bytes.push(...chunk) };
      },
    },
    limits,
  );
  return { fields, files };
}

describe('readMultipart', () => {
  const payload = new Uint8Array(5000).map((_, i) => (i * 7) % 256);
  // Bytes that look like the start of a delimiter must survive as data.
  payload.set(new TextEncoder().encode('\r\n--'), 1000);

  it.each([1, 3, 64, 1000, 100_000])(
    'reads fields and a binary file in chunks of %i bytes',
    async (chunkSize) => {
      const form = new FormData();
      form.set('title', 'Thông báo tiêm phòng — "đợt 2" 🎙️');
      form.set('language', 'vi');
      form.set('file', new Blob([payload], { type: 'audio/mpeg' }), 'ghi âm.mp3');
      const { bytes, boundary } = await encode(form);
      const { fields, files } = await collect(bytes, boundary, chunkSize);
      expect(fields).toEqual({ title: 'Thông báo tiêm phòng — "đợt 2" 🎙️', language: 'vi' });
      expect(files).toHaveLength(1);
      expect(files[0]).toMatchObject({ field: 'file', filename: 'ghi âm.mp3', contentType: 'audio/mpeg' });
      expect(Uint8Array.from(files[0]!.bytes)).toEqual(payload);
    },
  );

  it('refuses a truncated body, an over-long field, fields over-long together and a body without the boundary', async () => {
    const form = new FormData();
    form.set('title', 'x'.repeat(2000));
    const { bytes, boundary } = await encode(form);
    await expect(collect(bytes, boundary, 100)).rejects.toThrow(/longer than 1024 bytes/);
    const many = new FormData();
    for (const name of ['a', 'b', 'c']) many.set(name, 'x'.repeat(1000));
    const three = await encode(many);
    await expect(collect(three.bytes, three.boundary, 100)).rejects.toThrow(/longer than 2048 bytes in all/);
    const short = new FormData();
    short.set('file', new Blob([payload]), 'a.wav');
    const encoded = await encode(short);
    await expect(collect(encoded.bytes.slice(0, 3000), encoded.boundary, 512)).rejects.toThrow(
      MultipartError,
    );
    await expect(collect(new Uint8Array(10_000), 'abc', 512)).rejects.toThrow(/boundary/);
  });

  it('takes a body whose connection broke midway for one cut off, not for a fault of the server', async () => {
    const form = new FormData();
    form.set('file', new Blob([payload]), 'a.wav');
    const { bytes, boundary } = await encode(form);
    let sent = 0;
    const broken = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 2048) return controller.error(new TypeError('terminated: other side closed'));
        controller.enqueue(bytes.slice(sent, sent + 512));
        sent += 512;
      },
    });
    const reading = readMultipart(
      broken,
      boundary,
      { onField: () => undefined, onFile: async () => ({ write: async () => undefined }) },
      limits,
    );
    await expect(reading).rejects.toThrow(MultipartError);
    await expect(reading).rejects.toThrow(/cut off/);
  });

  it('reads the boundary from the content type', () => {
    expect(multipartBoundary('multipart/form-data; boundary=----abc')).toBe('----abc');
    expect(multipartBoundary('multipart/form-data; boundary="a b"')).toBe('a b');
    expect(multipartBoundary('application/json')).toBeUndefined();
  });
});
