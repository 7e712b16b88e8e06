/**
 * A stable ASCII id from a Vietnamese name: `Thôn Ún Tà` → `thon-un-ta`. Hamlets have no national code,
 * so Loa gives each one an id of its own that survives renames.
 */
export function slugify(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48);
}
