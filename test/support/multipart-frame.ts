/**
 * The bytes of a multipart upload around its file, for tests that send the file at a pace of their own
 * (slowly, stalled, or past a limit): `head` holds the text fields and the file's part header, `tail`
 * closes the form.
 */
export function multipartFrame(
  fields: Readonly<Record<string, string>>,
  file: { readonly name: string; readonly type?: string },
  boundary = 'loa-test-boundary',
): { contentType: string; head: Buffer; tail: Buffer } {
  const head =
    Object.entries(fields)
      .map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`)
      .join('') +
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\n` +
    (file.type ? `Content-Type: ${file.type}\r\n` : '') +
    '\r\n';
  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    head: Buffer.from(head),
    tail: Buffer.from(`\r\n--${boundary}--\r\n`),
  };
}
