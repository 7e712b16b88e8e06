// The XML parser xml-crypto itself uses (a dependency of it, pinned beside it), re-exported from plain
// JavaScript so that its typings, which pull the browser's DOM into the program, stay out (xmldom.d.ts).
export { DOMParser } from '@xmldom/xmldom';
